// repquota and setquota at scale, quotakit against linuxquota on a real quota-enabled kernel: one
// lab boot (lab/README.md), both tools on the same mounts, one after the other. Goal (issue 4):
// the per-id cost of each quotakit command at most 2x linuxquota's, for 10 000 and 100 000 ids.
//
//   per-id cost = (time over N ids - time of the same command with no ids) / N, median of rounds
//
// so process start-up (Node's ~3 s under TCG against a C binary's milliseconds) is taken out and
// what is left is the work each id costs. Everything runs under qemu TCG, 10-20x slower than
// native and noisier; only ratios taken inside one boot mean anything.
//
// Method, per mount (ext4 hidden vfsv1, ext4 aquota.user vfsv0, XFS) and per N:
//   - a batch file of N lines `ID 1000 2000 100 200` (numeric ids 100000.., so no NSS lookups on
//     either side) and its clearing twin `ID 0 0 0 0` (zero limits and no usage: the kernel drops
//     the dquot, so the ids are gone again and linuxquota's repquota -v agrees);
//   - setquota: each timed `setquota -u -b MOUNT < file` starts from the cleared state (cleared by
//     linuxquota, untimed), so both tools create the same N dquots from nothing;
//   - repquota: with the N ids set, `repquota -v -u MOUNT` against `quotakit repquota -v -u MOUNT`
//     (linuxquota lists ids that have limits but no usage only with -v: like for like), output to
//     a tmpfs file whose lines are counted afterwards as a check that every id was listed;
//   - empty runs: each timed run is paired with the same tool's same command made shortly before
//     it with no ids (setquota -b with an empty batch; repquota -v while the N ids are cleared,
//     over the few ids the lab's own files use), and its per-id cost is taken against that pair:
//     the machine's load drifts over minutes, and a pair drifts together;
//   - the two tools alternate which goes first from round to round.
// Times come from the guest's own clock (process.hrtime around a spawnSync in a small driver that
// runs inside the guest; busybox's date has no %N).

import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {LabDepsError, type Lab, startLab} from '../lab/index.js'
import {findHost} from '../lab/host.js'
import type {Benchmark, BenchContext, Measurement, ResultTable} from './harness.js'
import {measurement, median} from './stats.js'

const GOAL_RATIO = 2
const MOUNTS = [
  {path: '/mnt/ext4', what: 'ext4, hidden quota inodes (vfsv1)'},
  {path: '/mnt/ext4v0', what: 'ext4, aquota.user file (vfsv0)'},
  {path: '/mnt/xfs', what: 'XFS'},
]
const DEFAULT_SIZES = [10_000, 100_000]
const FIRST_ID = 100_000
const LIMITS = '1000 2000 100 200'
/** Rounds per N (each round: one timed run of each tool); env QUOTAKIT_BENCH_REPS overrides. */
const defaultRounds = (n: number): number => (n <= 20_000 ? 3 : 1)
const HOUR_MS = 3_600_000

// ------------------------------------------------------------------ the guest side

/**
 * Runs the steps of a plan file (JSON) one by one and prints one JSON line per step: label, ms on
 * the guest's clock, exit code, stderr tail, and the number of output lines when asked. Output
 * goes to a tmpfs file (both tools alike) or /dev/null.
 */
const DRIVER = String.raw`
import {spawnSync} from 'node:child_process'
import {closeSync, openSync, readFileSync, rmSync} from 'node:fs'
const steps = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const OUT = '/tmp/bench-stdout'
for (const s of steps) {
  const input = openSync(s.stdin ?? '/dev/null', 'r')
  const output = openSync(s.countLines ? OUT : '/dev/null', 'w')
  const t0 = process.hrtime.bigint()
  const r = spawnSync(s.argv[0], s.argv.slice(1), {stdio: [input, output, 'pipe'], maxBuffer: 1 << 26})
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  closeSync(input)
  closeSync(output)
  const line = {label: s.label, ms, code: r.status ?? -1, stderr: String(r.stderr ?? r.error ?? '').slice(-400)}
  if (s.countLines) {
    const text = readFileSync(OUT)
    let n = 0
    for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) n++
    line.lines = n
    rmSync(OUT)
  }
  process.stdout.write(JSON.stringify(line) + '\n')
}
`

interface Step {
  label: string
  argv: string[]
  stdin?: string
  countLines?: boolean
}

interface StepResult {
  label: string
  ms: number
  code: number
  stderr: string
  lines?: number
}

type Tool = 'linuxquota' | 'quotakit'
type Op = 'setquota' | 'repquota'
const TOOLS: Tool[] = ['linuxquota', 'quotakit']

const argvOf = (tool: Tool, op: Op, mount: string): string[] => {
  const args = op === 'setquota' ? ['-u', '-b', mount] : ['-v', '-u', mount]
  return tool === 'linuxquota' ? [op, ...args] : ['quotakit', op, ...args]
}

const commandOf = (tool: Tool, op: Op, mount: string, input?: string): string =>
  `${argvOf(tool, op, mount).join(' ')}${op === 'setquota' ? ` < ${input ?? '/dev/null'}` : ''}`

const batchFile = (n: number, clear: boolean) => `/tmp/bench-${clear ? 'clear' : 'set'}-${n}.txt`

/** Runs steps through the driver in one exec; every step must succeed. */
async function runSteps(lab: Lab, steps: Step[], progress: (r: StepResult) => void): Promise<StepResult[]> {
  await lab.writeFile('/tmp/bench-plan.json', JSON.stringify(steps))
  const results: StepResult[] = []
  let pending = ''
  const exec = await lab.exec('node /tmp/bench-driver.mjs /tmp/bench-plan.json', {
    timeoutMs: 6 * HOUR_MS,
    onStdout: (chunk) => {
      pending += chunk.toString('utf8')
      let at: number
      while ((at = pending.indexOf('\n')) !== -1) {
        const r = JSON.parse(pending.slice(0, at)) as StepResult
        pending = pending.slice(at + 1)
        results.push(r)
        progress(r)
      }
    },
    onStderr: (chunk) => process.stderr.write(chunk),
  })
  if (exec.code !== 0) throw new Error(`bench driver exited ${exec.code}`)
  const failed = results.find((r) => r.code !== 0)
  if (failed) throw new Error(`${failed.label} exited ${failed.code}: ${failed.stderr}`)
  return results
}

// ------------------------------------------------------------------ configuration

function listFromEnv(name: string): string[] | undefined {
  const v = process.env[name]?.trim()
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined
}

function config() {
  const sizes = listFromEnv('QUOTAKIT_BENCH_IDS')?.map(Number) ?? DEFAULT_SIZES
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('QUOTAKIT_BENCH_IDS: comma-separated positive integers')
  const mountPaths = listFromEnv('QUOTAKIT_BENCH_MOUNTS')
  const mounts = mountPaths ? MOUNTS.filter((m) => mountPaths.includes(m.path)) : MOUNTS
  const reps = process.env.QUOTAKIT_BENCH_REPS ? Number(process.env.QUOTAKIT_BENCH_REPS) : undefined
  const rounds = (n: number) => reps ?? defaultRounds(n)
  return {sizes, mounts, rounds}
}

// ------------------------------------------------------------------ the benchmark

interface MountResult {
  mount: (typeof MOUNTS)[number]
  /** every empty run, in ms */
  empty: Record<Tool, Record<Op, number[]>>
  /** per N: per-id cost of each round in µs, each against the empty run of its own round */
  perId: Map<number, Record<Tool, Record<Op, number[]>>>
  /** per N: whole timed runs in ms */
  runs: Map<number, Record<Tool, Record<Op, number[]>>>
  lines: Map<number, Record<Tool, number>>
}

const emptyRecord = (): Record<Tool, Record<Op, number[]>> => ({
  linuxquota: {setquota: [], repquota: []},
  quotakit: {setquota: [], repquota: []},
})

/**
 * The plan for one mount. Each timed run over N ids is paired with an empty run of the same tool
 * and command made shortly before it (the machine's load drifts over minutes; pairs drift together):
 *   setquota round: for each tool: clear; empty `setquota -b < /dev/null`; empty `repquota -v`
 *                   (the N ids are gone); `setquota -b < N lines`
 *   repquota round: for each tool: `repquota -v` over the N ids the last setquota left, paired
 *                   with that tool's empty repquota of the setquota round with the same number
 * Tools alternate which goes first from round to round.
 */
function plan(path: string, sizes: number[], rounds: (n: number) => number): Step[] {
  const steps: Step[] = []
  const timed = (label: string, tool: Tool, op: Op, stdin?: string) =>
    steps.push({label, argv: argvOf(tool, op, path), stdin, countLines: op === 'repquota'})
  const order = (r: number) => (r % 2 === 0 ? TOOLS : [...TOOLS].reverse())
  for (const n of sizes) {
    const clear = () => steps.push({label: `clear ${n}`, argv: argvOf('linuxquota', 'setquota', path), stdin: batchFile(n, true)})
    let set = false
    for (let r = 0; r < rounds(n); r++) {
      for (const tool of order(r)) {
        if (set) clear()
        timed(`${n} ${r} empty ${tool} setquota`, tool, 'setquota')
        timed(`${n} ${r} empty ${tool} repquota`, tool, 'repquota')
        timed(`${n} ${r} full ${tool} setquota`, tool, 'setquota', batchFile(n, false))
        set = true
      }
    }
    for (let r = 0; r < rounds(n); r++) for (const tool of order(r)) timed(`${n} ${r} full ${tool} repquota`, tool, 'repquota')
    clear()
  }
  return steps
}

async function benchMount(lab: Lab, mount: (typeof MOUNTS)[number], sizes: number[], rounds: (n: number) => number): Promise<MountResult> {
  const result: MountResult = {mount, empty: emptyRecord(), perId: new Map(), runs: new Map(), lines: new Map()}
  const started = Date.now()
  const done = await runSteps(lab, plan(mount.path, sizes, rounds), (s) => {
    const lines = s.lines === undefined ? '' : `, ${s.lines} lines`
    process.stderr.write(`bench: ${mount.path} ${s.label}: ${(s.ms / 1000).toFixed(2)} s${lines}\n`)
  })
  process.stderr.write(`bench: ${mount.path} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`)

  const emptyOf = new Map<string, number>()
  for (const s of done) {
    const m = /^(\d+) (\d+) (empty|full) (linuxquota|quotakit) (setquota|repquota)$/.exec(s.label)
    if (!m) continue // clearing, preparing
    const [, nText, round, kind, tool, op] = m as unknown as [string, string, string, string, Tool, Op]
    const n = Number(nText)
    const key = `${n} ${round} ${tool} ${op}`
    if (kind === 'empty') {
      result.empty[tool][op].push(s.ms)
      emptyOf.set(key, s.ms)
      continue
    }
    if (!emptyOf.has(key)) throw new Error(`no empty run to pair with ${s.label}`)
    for (const map of [result.perId, result.runs]) if (!map.has(n)) map.set(n, emptyRecord())
    result.runs.get(n)![tool][op].push(s.ms)
    result.perId.get(n)![tool][op].push(((s.ms - (emptyOf.get(key) as number)) / n) * 1000)
    if (op === 'repquota' && s.lines !== undefined) {
      if (!result.lines.has(n)) result.lines.set(n, {linuxquota: 0, quotakit: 0})
      result.lines.get(n)![tool] = s.lines
    }
  }
  return result
}

const OP_TEXT: Record<Op, string> = {setquota: 'setquota -b', repquota: 'repquota -v'}
const seconds = (ms: number[]) => ms.map((x) => (x / 1000).toFixed(2)).join(', ')

function mountTable(r: MountResult): ResultTable {
  const measurements: Measurement[] = []
  const goals = []
  const notes: string[] = []
  for (const [n, perId] of r.perId) {
    const runs = r.runs.get(n)!
    for (const op of ['setquota', 'repquota'] as Op[]) {
      const names = {} as Record<Tool, string>
      for (const tool of TOOLS) {
        names[tool] = `${tool} ${OP_TEXT[op]}, ${n} ids`
        measurements.push(measurement(names[tool], commandOf(tool, op, r.mount.path, batchFile(n, false)), perId[tool][op], names.linuxquota))
      }
      goals.push({name: names.quotakit, maxRatio: GOAL_RATIO})
      notes.push(`${OP_TEXT[op]}, ${n} ids, whole runs: ${TOOLS.map((t) => `${t} ${seconds(runs[t][op])} s`).join('; ')}.`)
    }
    const lines = r.lines.get(n)
    if (lines) notes.push(`repquota -v output with ${n} ids: linuxquota ${lines.linuxquota} lines, quotakit ${lines.quotakit} lines.`)
  }
  notes.push(...warmUpNotes(r))
  return {
    title: `Per-id cost on ${r.mount.path} (${r.mount.what})`,
    baseline: measurements[0]?.name ?? '',
    unit: 'µs/id',
    measurements,
    goals,
    notes,
  }
}

/**
 * With two sizes, each tool's median per-id cost p(N) read as p(N) = steady + warmUp / N: a one-off
 * cost (JIT compiling the per-id path, heap growth), which the empty run never pays, and the cost
 * of each further id. linuxquota, a C binary, has no warm-up to speak of.
 */
function warmUpNotes(r: MountResult): string[] {
  const sizes = [...r.perId.keys()].sort((a, b) => a - b)
  if (sizes.length < 2) return []
  const [small, large] = [sizes[0], sizes.at(-1)!]
  return (['setquota', 'repquota'] as Op[]).map((op) => {
    const parts = TOOLS.map((tool) => {
      const [pSmall, pLarge] = [median(r.perId.get(small)![tool][op]), median(r.perId.get(large)![tool][op])]
      const warmUpUs = (pSmall - pLarge) / (1 / small - 1 / large)
      const steadyUs = pLarge - warmUpUs / large
      return `${tool} ${(warmUpUs / 1e6).toFixed(2)} s + ${steadyUs.toFixed(1)} µs/id`
    })
    return `${OP_TEXT[op]} as one-off warm-up + steady per-id cost (from the ${small} and ${large} medians): ${parts.join('; ')}.`
  })
}

function emptyTable(results: MountResult[]): ResultTable {
  const measurements: Measurement[] = []
  for (const r of results) {
    for (const op of ['setquota', 'repquota'] as Op[]) {
      const base = `linuxquota ${OP_TEXT[op]} on ${r.mount.path}, no ids`
      for (const tool of TOOLS) {
        const name = `${tool} ${OP_TEXT[op]} on ${r.mount.path}, no ids`
        measurements.push(measurement(name, commandOf(tool, op, r.mount.path), r.empty[tool][op], base))
      }
    }
  }
  return {
    title: 'Empty runs (each timed run above is paired with one of these, made shortly before it)',
    baseline: measurements[0]?.name ?? '',
    measurements,
    goals: [],
    notes: ["quotakit's empty run is mostly Node and oclif starting under TCG; linuxquota's is a C binary's start."],
  }
}

export const repquotaSetquota: Benchmark = {
  name: 'repquota-setquota',
  description: 'per-id cost of repquota -v and setquota -b over 10k/100k ids, quotakit vs linuxquota in one lab boot',

  async unavailable(ctx: BenchContext) {
    try {
      findHost()
    } catch (e) {
      if (e instanceof LabDepsError) return `the kernel lab cannot run here: ${e.message}`
      throw e
    }
    try {
      readFileSync(join(ctx.root, 'dist/commands/repquota.js'))
    } catch {
      return 'no build: run npm run build first (the lab copies dist/ into the guest)'
    }
    return null
  },

  settings() {
    const {sizes, mounts, rounds} = config()
    return (
      `one lab boot (qemu TCG, 1 vCPU); ${mounts.map((m) => m.path).join(', ')}; ` +
      `${sizes.map((n) => `${n} ids x ${rounds(n)} round(s)`).join(', ')}; ` +
      'per-id cost = (run over N ids - the same command\'s empty run just before) / N, in µs, on the guest clock ' +
      '(env QUOTAKIT_BENCH_IDS, QUOTAKIT_BENCH_MOUNTS, QUOTAKIT_BENCH_REPS change the plan)'
    )
  },

  async run(): Promise<ResultTable[]> {
    const {sizes, mounts, rounds} = config()
    const lab = await startLab()
    process.stderr.write(`bench: lab ready in ${lab.bootMs} ms\n`)
    try {
      await lab.writeFile('/tmp/bench-driver.mjs', DRIVER)
      for (const n of sizes) {
        for (const clear of [false, true]) {
          const line = clear ? '0 0 0 0' : LIMITS
          const r = await lab.exec(`awk -v n=${n} 'BEGIN{for(i=0;i<n;i++) print ${FIRST_ID}+i, "${line}"}' > ${batchFile(n, clear)}`)
          if (r.code !== 0) throw new Error(`generating ${batchFile(n, clear)}: ${r.stderr}`)
        }
      }
      const results: MountResult[] = []
      for (const mount of mounts) results.push(await benchMount(lab, mount, sizes, rounds))
      return [...results.map(mountTable), emptyTable(results)]
    } finally {
      await lab.stop()
    }
  },
}
