// Section-8 pages from the command metadata: one overview page and one page per command. Pure
// functions from manifest data to roff text, so they can be tested without a build.

import {type Manifest, type ManifestCommand, type ManifestFlag, pageName, spokenId, substitute, visibleCommands} from './manifest.js'
import {bold, escapeLines, escapeText, italic, paragraphs} from './roff.js'
import {COMMON_FILES, ENVIRONMENT, type ExitRow, exitTable, mergeExitRows} from './sections.js'

export interface PageContext {
  bin: string
  version: string
  /** YYYY-MM-DD for the .TH line */
  date: string
  description: string
}

const SECTION = 8

const header = (title: string, ctx: PageContext): string =>
  `.TH ${escapeText(title.toUpperCase())} ${SECTION} "${ctx.date}" "${escapeText(`${ctx.bin} ${ctx.version}`)}" "System Administration"`

const visibleFlags = (cmd: ManifestCommand): ManifestFlag[] =>
  Object.values(cmd.flags)
    .filter((f) => !f.hidden)
    .sort((a, b) => Number(a.helpGroup === 'GLOBAL') - Number(b.helpGroup === 'GLOBAL') || a.name.localeCompare(b.name))

const valueName = (f: ManifestFlag): string =>
  (Array.isArray(f.helpValue) ? f.helpValue[0] : f.helpValue) ?? f.name.toUpperCase()

/** `-a`, `--all`, `--[no-]color`, `-O FORMAT` as roff. */
function flagSpellings(f: ManifestFlag): string[] {
  const long = bold(`--${f.name}`)
  const value = f.type === 'option' ? ` ${italic(valueName(f))}` : ''
  const names = [...(f.char ? [`${bold(`-${f.char}`)}${value}`] : []), `${long}${value}`]
  if (f.allowNo) names.push(bold(`--no-${f.name}`))
  return names
}

function synopsisFlag(f: ManifestFlag): string {
  const main = f.char ? `-${f.char}` : `--${f.name}`
  const value = f.type === 'option' ? ` ${italic(valueName(f))}` : ''
  const word = `${bold(main)}${value}${f.multiple ? '\\ ...' : ''}`
  const alternatives = f.allowNo ? `${word}|${bold(`--no-${f.name}`)}` : word
  return f.required ? alternatives : `[${alternatives}]`
}

function synopsis(ctx: PageContext, cmd: ManifestCommand): string {
  const args = Object.values(cmd.args)
    .filter((a) => !a.hidden)
    .map((a) => {
      const word = `${italic(a.name.toUpperCase())}${a.multiple ? '\\ ...' : ''}`
      return a.required ? word : `[${word}]`
    })
  // Unpaddable spaces (\ ): justification must not stretch `quotakit grace show` apart.
  const name = escapeText(`${ctx.bin} ${spokenId(cmd.id)}`).replaceAll(' ', '\\ ')
  return ['.SH SYNOPSIS', `.B ${name}`, ...visibleFlags(cmd).map(synopsisFlag), ...args].join('\n')
}

function flagEntry(f: ManifestFlag): string {
  const text = [f.description ?? f.summary ?? '']
  if (f.options?.length) text.push(`One of: ${f.options.join(', ')}.`)
  if (f.default !== undefined && f.default !== false) text.push(`Default: ${String(f.default)}.`)
  return ['.TP', flagSpellings(f).join(', '), paragraphs(text.filter(Boolean).join(' '))].join('\n')
}

function options(cmd: ManifestCommand): string {
  const args = Object.values(cmd.args)
    .filter((a) => !a.hidden)
    .map((a) => ['.TP', italic(a.name.toUpperCase()), paragraphs(a.description ?? '')].join('\n'))
  const flags = visibleFlags(cmd).map(flagEntry)
  return flags.length + args.length === 0 ? '' : ['.SH OPTIONS', ...args, ...flags].join('\n')
}

function examples(ctx: PageContext, cmd: ManifestCommand): string {
  if (!cmd.examples?.length) return ''
  const items = cmd.examples.map((ex) => {
    const {description, command} = typeof ex === 'string' ? {description: undefined, command: ex} : ex
    const code = ['.PP', '.RS 4', '.nf', escapeLines(substitute(command, ctx.bin, cmd.id)), '.fi', '.RE']
    return [...(description ? ['.PP', paragraphs(substitute(description, ctx.bin, cmd.id))] : []), ...code].join('\n')
  })
  return ['.SH EXAMPLES', ...items].join('\n')
}

const exitStatus = (rows: ExitRow[]): string =>
  ['.SH EXIT STATUS', ...rows.map((r) => ['.TP', bold(String(r.code)), paragraphs(r.meaning)].join('\n'))].join('\n')

const files = (entries: Array<{path: string; description: string}>): string =>
  entries.length === 0 ? '' : ['.SH FILES', ...entries.map((f) => ['.TP', italic(f.path), paragraphs(f.description)].join('\n'))].join('\n')

const seeAlso = (refs: string[]): string => {
  const items = refs.map((ref) => {
    const m = /^(.+)\((\w+)\)$/.exec(ref)
    return m ? `.BR ${escapeText(m[1])} (${m[2]})` : `.B ${escapeText(ref)}`
  })
  // a comma after every item but the last, as man pages write SEE ALSO
  return ['.SH SEE ALSO', ...items.map((item, i) => (i < items.length - 1 ? `${item},` : item))].join('\n')
}

export function commandPage(ctx: PageContext, cmd: ManifestCommand): string {
  const name = pageName(ctx.bin, cmd.id)
  const summary = cmd.summary ?? cmd.description?.split('\n')[0] ?? ''
  const description = cmd.description && cmd.description !== summary ? `${summary}\n\n${cmd.description}` : summary
  return [
    header(name, ctx),
    '.SH NAME',
    `${escapeText(name)} \\- ${escapeText(summary.replace(/\.$/, ''))}`,
    synopsis(ctx, cmd),
    '.SH DESCRIPTION',
    paragraphs(substitute(description, ctx.bin, cmd.id)),
    options(cmd),
    examples(ctx, cmd),
    exitStatus(mergeExitRows(exitTable(), cmd.exitStatus)),
    files(cmd.files ?? []),
    seeAlso([`${ctx.bin}(${SECTION})`, ...(cmd.seeAlso ?? [])]),
  ]
    .filter(Boolean)
    .join('\n')
    .concat('\n')
}

export function overviewPage(ctx: PageContext, manifest: Manifest): string {
  const commands = visibleCommands(manifest)
  const list = commands.map((c) =>
    ['.TP', `.BR ${escapeText(pageName(ctx.bin, c.id))} (${SECTION})`, paragraphs(c.summary ?? c.description?.split('\n')[0] ?? '')].join('\n'),
  )
  const extraFiles = commands.flatMap((c) => c.files ?? []).filter((f) => !COMMON_FILES.some((g) => g.path === f.path))
  const uniqueFiles = [...COMMON_FILES, ...extraFiles.filter((f, i) => extraFiles.findIndex((g) => g.path === f.path) === i)]
  return [
    header(ctx.bin, ctx),
    '.SH NAME',
    `${escapeText(ctx.bin)} \\- Linux disk quota administration`,
    '.SH SYNOPSIS',
    `.B ${escapeText(ctx.bin)}`,
    `${italic('COMMAND')} [${italic('OPTIONS')}]`,
    '.br',
    `.B ${escapeText(ctx.bin)}`,
    `${bold('--help')} | ${bold('--version')}`,
    '.SH DESCRIPTION',
    paragraphs(`${ctx.description.replace(/([^.])$/, "$1.")}\n\nEvery command accepts --json, which prints its result as JSON on stdout (errors too, as {"error": {...}}), and --color/--no-color. Human output is a table on a terminal and plain columns when stdout is a pipe. Diagnostics go to stderr as one line, "${ctx.bin} COMMAND: message", optionally followed by a "hint:" line.`),
    '.SH COMMANDS',
    ...list,
    exitStatus(exitTable()),
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.map((e) => ['.TP', bold(e.name), paragraphs(e.description)].join('\n')),
    files(uniqueFiles),
    seeAlso([...commands.map((c) => `${pageName(ctx.bin, c.id)}(${SECTION})`), 'quotactl(2)', 'quota(1)', 'repquota(8)', 'setquota(8)']),
  ].join('\n').concat('\n')
}
