// Startup: how long a quotakit invocation costs next to bare Node, all four side by side in one run.
// Cron jobs and monitoring call `--version` and `filesystems --json` often; the goal is that each
// stays within 1.5x of `node -e 0`. `--help` is measured for information (it loads oclif's help
// renderer and is interactive anyway).

import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Benchmark, BenchContext, ResultTable} from './harness.js'
import {hyperfine, hyperfineVersion} from './hyperfine.js'

const GOAL_RATIO = 1.5
/** Rounds of `--runs` runs each (bench/hyperfine.ts: every command samples the machine's drift alike). */
const ROUNDS = 4

/** One mount with user quota: enough for the fake backend to have something to list. */
const FAKE_STATE = {
  filesystems: [
    {
      mountpoint: '/home',
      device: '/dev/vdb',
      fstype: 'ext4',
      devMajor: 253,
      devMinor: 16,
      options: ['rw'],
      quotas: {
        user: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, grace: {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}},
      },
    },
  ],
  records: {},
}

export const startup: Benchmark = {
  name: 'startup',
  description: 'process startup of quotakit vs node -e 0',

  async unavailable(ctx: BenchContext) {
    if (!hyperfineVersion()) return 'hyperfine is not installed'
    if (!existsSync(join(ctx.root, 'dist/commands'))) return 'no build: run npm run build first'
    return null
  },

  settings: (ctx: BenchContext) =>
    `hyperfine -N --warmup ${ctx.warmup} --runs ${ctx.runs}, ${ROUNDS} rounds each starting with the next command, every run pooled`,

  async run(ctx: BenchContext): Promise<ResultTable[]> {
    const notes: string[] = []
    const env = {...process.env}
    delete env.QUOTAKIT_FAKE_STATE
    let tmp: string | undefined
    // Until the Linux backend exists the real path cannot run; measure against the fake then, and say so.
    if (!existsSync(join(ctx.root, 'dist/src/sys/linux-backend.js'))) {
      tmp = mkdtempSync(join(tmpdir(), 'quotakit-bench-state-'))
      env.QUOTAKIT_FAKE_STATE = join(tmp, 'state.json')
      writeFileSync(env.QUOTAKIT_FAKE_STATE, JSON.stringify(FAKE_STATE))
      notes.push('filesystems ran against the fake backend (QUOTAKIT_FAKE_STATE): dist/src/sys/linux-backend.js is not built yet.')
    } else {
      notes.push('filesystems ran against the real kernel backend of this machine.')
    }
    try {
      const measurements = hyperfine(
        [
          {name: 'node -e 0', command: 'node -e 0'},
          {name: 'quotakit --version', command: 'node bin/run.js --version'},
          {name: 'quotakit filesystems --json', command: 'node bin/run.js filesystems --json'},
          {name: 'quotakit --help', command: 'node bin/run.js --help'},
        ],
        {warmup: ctx.warmup, runs: ctx.runs, rounds: ROUNDS, cwd: ctx.root, env},
      )
      return [
        {
          title: 'Startup',
          baseline: 'node -e 0',
          measurements,
          goals: [
            {name: 'quotakit --version', maxRatio: GOAL_RATIO},
            {name: 'quotakit filesystems --json', maxRatio: GOAL_RATIO},
          ],
          notes,
        },
      ]
    } finally {
      if (tmp) rmSync(tmp, {recursive: true, force: true})
    }
  },
}
