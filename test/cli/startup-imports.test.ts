// Startup budget guard: the JSON and --version paths must not load the human-output stack
// (cli-table3), and --version must not even load oclif. Seen from a real process through a
// module-resolution hook that logs every module the CLI asks for, and, at exit, every CommonJS
// module loaded (bin/run.js enters the bundle, dist/quotakit.cjs, in require's cache itself).
// chalk is inside the bundle and initialised only when human output is rendered, so it cannot be
// seen from here.

import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {LAZY_BUILTINS} from '../../scripts/bundle-patches.js'
import {BIN, FAKE_STATE, ROOT, fakeState, onTerminal, requireBuild} from './helpers.js'

let register: string
let builtinList: string

beforeAll(() => {
  requireBuild()
  const dir = mkdtempSync(join(tmpdir(), 'quotakit-imports-'))
  writeFileSync(
    join(dir, 'hooks.mjs'),
    'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`[module] ${r.url}\\n`); return r }\n',
  )
  register = join(dir, 'register.mjs')
  writeFileSync(
    register,
    [
      "import {Module, register} from 'node:module'",
      "register('./hooks.mjs', import.meta.url)",
      'const load = Module._load',
      'Module._load = function (request, ...rest) { process.stderr.write(`[module] ${request}\\n`); return load.call(this, request, ...rest) }',
      "process.on('exit', () => { for (const file of Object.keys(Module._cache)) process.stderr.write(`[module] ${file}\\n`) })",
    ].join('\n'),
  )
  // Without register(): its hooks thread would load worker_threads itself.
  builtinList = join(dir, 'builtins.cjs')
  writeFileSync(
    builtinList,
    "process.on('exit', () => { for (const m of process.moduleLoadList) if (m.startsWith('NativeModule ')) process.stderr.write(`[builtin] ${m.slice(13)}\\n`) })\n",
  )
})

function modulesLoaded(args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NODE_ENV: '', ...env}})
  expect(r.status).toBe(0)
  return r.stderr.split('\n').filter((l) => l.startsWith('[module] '))
}

function builtinsLoaded(args: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const r = spawnSync(process.execPath, ['--require', builtinList, BIN, ...args], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NODE_ENV: '', ...env}})
  expect(r.status).toBe(0)
  return r.stderr.split('\n').filter((l) => l.startsWith('[builtin] ')).map((l) => l.slice(10))
}

const mentions = (modules: string[], name: string): boolean => modules.some((m) => m.includes(name))

describe('what each path loads', () => {
  it('--version loads neither oclif nor anything of ours', () => {
    const mods = modulesLoaded(['--version'])
    expect(mentions(mods, '@oclif/core')).toBe(false)
    expect(mentions(mods, '/dist/')).toBe(false)
  })

  it('filesystems --json runs from the bundle: no @oclif/core file, no dist/ module, no cli-table3', () => {
    const mods = modulesLoaded(['filesystems', '--json'], {QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    expect(mentions(mods, 'dist/quotakit.cjs')).toBe(true)
    expect(mods.filter((m) => m.includes('/dist/') && !m.endsWith('dist/quotakit.cjs'))).toEqual([])
    expect(mentions(mods, 'node_modules/@oclif/core')).toBe(false)
    expect(mentions(mods, 'cli-table3')).toBe(false)
  })

  it('filesystems --json loads none of the builtins the bundle makes lazy', () => {
    const builtins = builtinsLoaded(['filesystems', '--json'], {QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    expect(builtins).toContain('fs') // the list is really there
    expect(builtins.filter((b) => LAZY_BUILTINS.includes(b))).toEqual([])
  })

  it('filesystems in a pipe does not load cli-table3 either (plain columns)', () => {
    const mods = modulesLoaded(['filesystems'], {QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    expect(mentions(mods, 'dist/quotakit.cjs')).toBe(true)
    expect(mentions(mods, 'cli-table3')).toBe(false)
  })

  it('a table on a terminal is where cli-table3 loads', () => {
    // on a pty stderr and stdout are one stream
    const r = onTerminal(BIN, ['filesystems'], {NODE_OPTIONS: `--import=${register}`, QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    expect(r.status).toBe(0)
    expect(mentions(r.stdout.split('\n'), 'cli-table3')).toBe(true)
  })
})
