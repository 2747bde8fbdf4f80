// Run hyperfine once over several commands (side by side in one run, so they share the same
// machine noise) and read its JSON export. Commands run without a shell (-N): the shell's own
// startup would otherwise blur a 100 ms measurement.

import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Measurement} from './harness.js'

export const HYPERFINE = process.env.HYPERFINE ?? 'hyperfine'

interface HyperfineExport {
  results: Array<{command: string; mean: number; stddev: number | null; median: number; min: number; max: number}>
}

export interface HyperfineOptions {
  warmup: number
  runs: number
  cwd: string
  env?: NodeJS.ProcessEnv
}

export function hyperfineVersion(): string | null {
  const r = spawnSync(HYPERFINE, ['--version'], {encoding: 'utf8'})
  return r.status === 0 ? r.stdout.trim() : null
}

const SECONDS_TO_MS = 1000

export function hyperfine(commands: Array<{name: string; command: string}>, opts: HyperfineOptions): Measurement[] {
  const dir = mkdtempSync(join(tmpdir(), 'quotakit-bench-'))
  const exportFile = join(dir, 'hyperfine.json')
  try {
    const args = ['-N', '--warmup', String(opts.warmup), '--runs', String(opts.runs), '--export-json', exportFile, '--style', 'basic']
    for (const c of commands) args.push('--command-name', c.name, c.command)
    const r = spawnSync(HYPERFINE, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit']})
    if (r.status !== 0) throw new Error(`hyperfine exited ${r.status ?? r.signal}`)
    const data = JSON.parse(readFileSync(exportFile, 'utf8')) as HyperfineExport
    return data.results.map((res, i) => ({
      name: commands[i].name,
      command: commands[i].command,
      medianMs: res.median * SECONDS_TO_MS,
      meanMs: res.mean * SECONDS_TO_MS,
      stddevMs: (res.stddev ?? 0) * SECONDS_TO_MS,
      minMs: res.min * SECONDS_TO_MS,
      maxMs: res.max * SECONDS_TO_MS,
    }))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
