// `npm run bench [-- NAME... --runs N --warmup N --check]`: run the selected benchmark modules
// (all by default), print their tables, and write bench/results.md, replacing only the sections of
// the benchmarks that ran (the others keep their last measurement). --check exits 1 when a goal
// is missed (for CI on a quiet machine; on a shared VM the numbers are only indicative).
//
// To add a benchmark: write a module exporting a Benchmark (harness.ts) and list it below.

import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import type {Benchmark, BenchContext, ResultTable} from './harness.js'
import {hyperfineVersion} from './hyperfine.js'
import {repquotaSetquota} from './lab-quota.js'
import {quotacheckBench} from './quotacheck.js'
import {describeMachine} from './machine.js'
import {parseSections, resultsMarkdown, sectionMarkdown} from './report.js'
import {startup} from './startup.js'
import {checkGoals} from './stats.js'
import {warnquotaBench} from './warnquota.js'

const BENCHMARKS: Benchmark[] = [startup, warnquotaBench, repquotaSetquota, quotacheckBench]

// dist/bench/run.js -> repository root
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function main(): Promise<number> {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      runs: {type: 'string', default: '30'},
      warmup: {type: 'string', default: '3'},
      check: {type: 'boolean', default: false},
      out: {type: 'string', default: `${ROOT}bench/results.md`},
    },
  })
  const unknown = positionals.filter((p) => !BENCHMARKS.some((b) => b.name === p))
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`)
    return 64
  }
  const ctx: BenchContext = {root: ROOT, runs: Number(values.runs), warmup: Number(values.warmup)}
  const selected = positionals.length > 0 ? BENCHMARKS.filter((b) => positionals.includes(b.name)) : BENCHMARKS

  const tables: ResultTable[] = []
  const skipped: string[] = []
  const ran: string[] = []
  const date = new Date()
  const machine = describeMachine(hyperfineVersion() ?? 'hyperfine missing')
  const out = values.out as string
  const sections = existsSync(out) ? parseSections(readFileSync(out, 'utf8')) : new Map<string, string>()
  const fresh: string[] = []
  for (const bench of selected) {
    const reason = await bench.unavailable(ctx)
    if (reason) {
      skipped.push(`${bench.name}: ${reason}`)
      process.stderr.write(`bench: skipping ${bench.name}: ${reason}\n`)
      continue
    }
    process.stderr.write(`bench: ${bench.name}: ${bench.description}\n`)
    const own = await bench.run(ctx)
    tables.push(...own)
    ran.push(bench.name)
    const settings = bench.settings?.(ctx) ?? `hyperfine -N --warmup ${ctx.warmup} --runs ${ctx.runs}`
    const section = sectionMarkdown(bench.name, date, machine, settings, own)
    sections.set(bench.name, section)
    fresh.push(section)
  }

  // Sections in BENCHMARKS order; those of benchmarks that no longer exist are dropped.
  const kept = BENCHMARKS.map((b) => sections.get(b.name)).filter((s): s is string => s !== undefined)
  writeFileSync(out, resultsMarkdown(date, ran, skipped, kept))
  process.stdout.write(`${fresh.join('\n\n')}\nwritten to ${out}\n`)

  const missed = tables.flatMap(checkGoals).filter((g) => !g.met)
  return values.check && missed.length > 0 ? 1 : 0
}

process.exitCode = await main()
