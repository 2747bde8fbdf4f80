// Run hyperfine over several commands (side by side in one run, so they share the same machine
// noise) and read its JSON export. Commands run without a shell (-N): the shell's own startup
// would otherwise blur a 100 ms measurement.
//
// hyperfine runs all of one command's runs, then the next command's: on this machine the speed
// drifts over tens of seconds, and whichever command ran in a fast stretch looked better (one
// run measured `node -e 0` at 66 ms and `--version`, which does barely more, at 86). With
// `rounds` > 1 the commands are measured that many times, each round starting with the next
// command, and every run's time is pooled: each command then samples every stretch alike.

import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Measurement} from './harness.js'
import {measurement} from './stats.js'

export const HYPERFINE = process.env.HYPERFINE ?? 'hyperfine'

interface HyperfineExport {
  results: Array<{command: string; times: number[]}>
}

export interface HyperfineOptions {
  warmup: number
  /** runs per command per round */
  runs: number
  /** rounds, each starting with the next command (default 1) */
  rounds?: number
  cwd: string
  env?: NodeJS.ProcessEnv
}

export function hyperfineVersion(): string | null {
  const r = spawnSync(HYPERFINE, ['--version'], {encoding: 'utf8'})
  return r.status === 0 ? r.stdout.trim() : null
}

const SECONDS_TO_MS = 1000

function runOnce(commands: Array<{name: string; command: string}>, opts: HyperfineOptions): number[][] {
  const dir = mkdtempSync(join(tmpdir(), 'quotakit-bench-'))
  const exportFile = join(dir, 'hyperfine.json')
  try {
    const args = ['-N', '--warmup', String(opts.warmup), '--runs', String(opts.runs), '--export-json', exportFile, '--style', 'basic']
    for (const c of commands) args.push('--command-name', c.name, c.command)
    const r = spawnSync(HYPERFINE, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit']})
    if (r.status !== 0) throw new Error(`hyperfine exited ${r.status ?? r.signal}`)
    const data = JSON.parse(readFileSync(exportFile, 'utf8')) as HyperfineExport
    return data.results.map((res) => res.times.map((t) => t * SECONDS_TO_MS))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export function hyperfine(commands: Array<{name: string; command: string}>, opts: HyperfineOptions): Measurement[] {
  const pooled = commands.map((): number[] => [])
  const rounds = opts.rounds ?? 1
  for (let round = 0; round < rounds; round++) {
    const order = commands.map((_, i) => (i + round) % commands.length)
    const times = runOnce(order.map((i) => commands[i]), opts)
    order.forEach((i, k) => pooled[i].push(...times[k]))
  }
  return commands.map((c, i) => measurement(c.name, c.command, pooled[i]))
}
