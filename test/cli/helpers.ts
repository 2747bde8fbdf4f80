// Spawning the built CLI (and the test fixture command) as real processes: exit codes, stdout
// and stderr exactly as a shell script sees them. Needs `npm run build` first (scripts/test does).

import {type SpawnSyncReturns, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const ROOT = join(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin/run.js')
export const FIXTURE = join(import.meta.dirname, 'fixtures/fixture-cli.mjs')

export function requireBuild(): void {
  for (const file of ['dist/commands/filesystems.js', 'dist/src/cli/base.js', 'oclif.manifest.json']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` before these tests`)
  }
}

export interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * The environment of an admin's shell: the caller's colour settings never leak into a test, and
 * vitest's NODE_ENV=test is dropped (oclif prints development warnings under it).
 */
function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = {...process.env}
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'DEBUG', 'QUOTAKIT_FAKE_STATE', 'QUOTAKIT_CONTENT_TYPE', 'NODE_ENV']) delete env[key]
  return {...env, ...extra}
}

const result = (r: SpawnSyncReturns<string>): Run => ({status: r.status, stdout: r.stdout, stderr: r.stderr})

/** `input`, when given, is the process's stdin (e.g. a setquota batch). */
export function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Run {
  return result(spawnSync(process.execPath, [script, ...args], {cwd: ROOT, encoding: 'utf8', env: baseEnv(env), input}))
}

export const quotakit = (args: string[], env?: NodeJS.ProcessEnv, input?: string): Run => run(BIN, args, env, input)
export const fixture = (args: string[], env?: NodeJS.ProcessEnv): Run => run(FIXTURE, args, env)

/** Run under a pseudo-terminal (util-linux script(1)), so stdout.isTTY is true. */
export function onTerminal(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`
  const cmd = [process.execPath, script, ...args].map(quote).join(' ')
  const r = spawnSync('script', ['-qefc', `${cmd}; printf '\\nEXIT=%s' $?`, '/dev/null'], {cwd: ROOT, encoding: 'utf8', env: baseEnv(env)})
  const m = /\r?\nEXIT=(\d+)\s*$/.exec(r.stdout)
  return {status: m ? Number(m[1]) : r.status, stdout: r.stdout.replace(/\r?\nEXIT=\d+\s*$/, '').replaceAll('\r\n', '\n'), stderr: r.stderr}
}

/** A fake-kernel state file for QUOTAKIT_FAKE_STATE. */
export function fakeState(state: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'quotakit-test-')), 'state.json')
  writeFileSync(file, typeof state === 'string' ? state : JSON.stringify(state))
  return file
}

export const FAKE_STATE = {
  filesystems: [
    {
      mountpoint: '/home',
      device: '/dev/vdb',
      fstype: 'ext4',
      devMajor: 253,
      devMinor: 16,
      options: ['rw'],
      quotas: {
        user: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, grace: {blockGraceSeconds: 604_800, inodeGraceSeconds: 3600}},
        group: {accounting: true, enforcement: false, format: 'vfsv1', systemFile: true, grace: {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}},
      },
    },
    {
      mountpoint: '/srv',
      device: '/dev/vdc',
      fstype: 'xfs',
      devMajor: 253,
      devMinor: 32,
      options: ['rw', 'prjquota'],
      quotas: {project: {accounting: true, enforcement: true, format: 'xfs', systemFile: true, grace: {blockGraceSeconds: 90_000, inodeGraceSeconds: 172_800}}},
    },
    {mountpoint: '/', device: '/dev/vda1', fstype: 'ext4', devMajor: 253, devMinor: 1, options: ['rw'], quotas: {}},
  ],
  records: {},
}
