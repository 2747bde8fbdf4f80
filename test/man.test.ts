// Man pages (generated at build by scripts/gen-man.ts from oclif.manifest.json): one page per
// command plus the overview, each renders under groff with every warning on and none emitted,
// and shows its synopsis. The roff escaping is tested apart, on hostile text.

import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {pageName, substitute, type Manifest} from '../scripts/man/manifest.js'
import {commandPage} from '../scripts/man/pages.js'
import {escapeLines, escapeText} from '../scripts/man/roff.js'
import {exitTable, mergeExitRows} from '../scripts/man/sections.js'
import {EXIT_CODES} from '../src/errors.js'

const ROOT = join(import.meta.dirname, '..')
const MAN = join(ROOT, 'man')

let manifest: Manifest

beforeAll(() => {
  const file = join(ROOT, 'oclif.manifest.json')
  if (!existsSync(file) || !existsSync(join(MAN, 'quotakit.8'))) throw new Error('no manifest or man pages: run `npm run build` before these tests')
  manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest
})

/** groff's own warnings (-ww: all of them) on stderr, and the rendered text at 80 columns. */
function renderPage(file: string): {stderr: string; text: string} {
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-rLL=80n', file], {encoding: 'utf8'})
  const man = spawnSync('man', ['-l', '--warnings', file], {encoding: 'utf8', env: {...process.env, MANWIDTH: '80', MAN_KEEP_FORMATTING: '', PAGER: 'cat'}})
  // eslint-disable-next-line no-control-regex
  return {stderr: r.stderr + man.stderr, text: man.stdout.replace(/.\u0008/g, '')}
}

const visible = () => Object.values(manifest.commands).filter((c) => !c.hidden)

describe('generated man pages', () => {
  it('every command in the manifest has a page', () => {
    expect(visible().length).toBeGreaterThan(0)
    for (const cmd of visible()) expect(existsSync(join(MAN, `${pageName('quotakit', cmd.id)}.8`)), cmd.id).toBe(true)
  })

  it('the overview renders without warnings, lists every command and the exit-code table', () => {
    const {stderr, text} = renderPage(join(MAN, 'quotakit.8'))
    expect(stderr).toBe('')
    expect(text).toContain('SYNOPSIS')
    for (const cmd of visible()) expect(text).toContain(`${pageName('quotakit', cmd.id)}(8)`)
    for (const code of Object.values(EXIT_CODES)) expect(text).toMatch(new RegExp(`^ +${code} `, 'm'))
    for (const env of ['NO_COLOR', 'FORCE_COLOR', 'QUOTAKIT_CONTENT_TYPE']) expect(text).toContain(env)
  })

  it('each command page renders without warnings and shows its synopsis and sections', () => {
    for (const cmd of visible()) {
      const {stderr, text} = renderPage(join(MAN, `${pageName('quotakit', cmd.id)}.8`))
      expect(stderr, cmd.id).toBe('')
      expect(text, cmd.id).toMatch(new RegExp(`SYNOPSIS\\n +quotakit ${cmd.id.replaceAll(':', ' ')}`))
      for (const section of ['NAME', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'SEE ALSO']) expect(text, `${cmd.id} ${section}`).toContain(`\n${section}\n`)
      for (const flag of Object.values(cmd.flags).filter((f) => !f.hidden)) expect(text, `${cmd.id} --${flag.name}`).toContain(`--${flag.name}`)
    }
  })

  it('examples have <%= config.bin %> and <%= command.id %> substituted', () => {
    const page = readFileSync(join(MAN, 'quotakit-filesystems.8'), 'utf8')
    expect(page).not.toContain('<%')
    expect(page).toContain('quotakit filesystems \\-\\-all')
  })
})

describe('roff escaping', () => {
  it('escapes backslashes, hyphens, quotes and non-ASCII; guards leading dots and quotes', () => {
    expect(escapeText('a\\b -x "q" \'s\' `g` é')).toBe('a\\eb \\-x \\(dqq\\(dq \\(aqs\\(aq \\(gag\\(ga \\[u00E9]')
    // a leading ' becomes \(aq, which is text, so only the dot needs the \& guard
    expect(escapeLines(".TH evil\n'also\nfine")).toBe('\\&.TH evil\n\\(aqalso\nfine')
  })

  it('a hostile description renders without warnings and without executing requests', () => {
    const page = commandPage(
      {bin: 'quotakit', version: '0.0.0', date: '2026-01-01', description: 'x'},
      {
        id: 'evil:cmd',
        summary: 'Summary with "quotes" and a \\ backslash.',
        description: '.SH INJECTED\n\'br\nback\\slash, ümlaut, tab\there\n\n.\n\nlast paragraph',
        flags: {opt: {name: 'opt', char: 'o', type: 'option', description: '.B not bold', options: ['a', 'b'], default: 'a'}},
        args: {mount: {name: 'mount', description: 'mountpoint', required: true}},
        examples: ['<%= config.bin %> <%= command.id %> -o a \'\\n\''],
        exitStatus: [{code: 1, meaning: 'over a limit'}],
        files: [{path: '/etc/x', description: 'x'}],
      },
    )
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], {input: page, encoding: 'utf8'})
    expect(r.stderr).toBe('')
    const text = spawnSync('groff', ['-man', '-Tascii', '-rLL=200n'], {input: page, encoding: 'utf8'}).stdout.replace(/.\u0008/g, '')
    expect(text).not.toContain('INJECTED\n       ') // not a section heading
    expect(text).toContain('.SH INJECTED')
    expect(text).toContain('quotakit evil cmd -o a')
    expect(text).toContain('over a limit')
  })
})

describe('exit status table', () => {
  it('starts at 0 and has every code of src/errors.ts', () => {
    expect(exitTable().map((r) => r.code)).toEqual([0, ...Object.values(EXIT_CODES)].sort((a, b) => a - b))
  })

  it("a command's own rows replace the common row of the same code and add new ones", () => {
    const merged = mergeExitRows(exitTable(), [{code: 1, meaning: 'over quota'}, {code: 3, meaning: 'historic'}])
    expect(merged.find((r) => r.code === 1)?.meaning).toBe('over quota')
    expect(merged.map((r) => r.code).slice(0, 3)).toEqual([0, 1, 3])
  })

  it('substitute understands the oclif placeholders', () => {
    expect(substitute('<%= config.bin %> <%=command.id%>', 'quotakit', 'grace:set')).toBe('quotakit grace set')
  })
})
