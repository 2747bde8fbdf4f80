// bench/hyperfine.ts: rounds start with the next command each time, and every run is pooled, so
// no command is measured only in the machine's fast (or slow) stretch. Checked with a stand-in
// hyperfine that records the order it was given and answers each position with its own times.
import {chmodSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, vi} from 'vitest'

import {measurement, median} from '../../bench/stats.js'

describe('measurement', () => {
  it('takes the middle sample, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(measurement('a', 'cmd', [1, 2, 3, 10])).toEqual({name: 'a', command: 'cmd', baseline: undefined, medianMs: 2.5, meanMs: 4, stddevMs: Math.sqrt(50 / 3), minMs: 1, maxMs: 10})
  })
})

describe('hyperfine rounds', () => {
  it('rotates the order each round and pools every run per command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotakit-fake-hyperfine-'))
    const log = join(dir, 'orders.log')
    const fake = join(dir, 'hyperfine')
    // The k-th command of a round runs in (k + 1) * 10 ms, twice: position, not command, sets the time.
    writeFileSync(
      fake,
      `#!/usr/bin/env node
const args = process.argv.slice(2)
const names = args.flatMap((a, i) => (a === '--command-name' ? [args[i + 1]] : []))
require('node:fs').appendFileSync(${JSON.stringify(log)}, names.join(',') + '\\n')
const out = args[args.indexOf('--export-json') + 1]
require('node:fs').writeFileSync(out, JSON.stringify({results: names.map((n, k) => ({command: n, times: [(k + 1) / 100, (k + 1) / 100]}))}))
`,
    )
    chmodSync(fake, 0o755)
    vi.stubEnv('HYPERFINE', fake)
    vi.resetModules()
    const {hyperfine} = await import('../../bench/hyperfine.js')
    const commands = ['a', 'b', 'c'].map((name) => ({name, command: `run ${name}`}))
    const result = hyperfine(commands, {warmup: 0, runs: 2, rounds: 3, cwd: dir})
    vi.unstubAllEnvs()
    expect(readFileSync(log, 'utf8')).toBe('a,b,c\nb,c,a\nc,a,b\n')
    // each command ran once in each position: samples 10, 10, 20, 20, 30, 30 ms for all three
    for (const m of result) expect([m.name, m.medianMs, m.minMs, m.maxMs]).toEqual([m.name, 20, 10, 30])
    expect(result.map((m) => m.command)).toEqual(['run a', 'run b', 'run c'])
  })
})
