// The shape every benchmark module follows, so `npm run bench` can grow: startup.ts today,
// lab-based comparisons (repquota vs linuxquota on a real quota filesystem) later. A module
// measures and returns tables; run.ts selects modules, writes bench/results.md and checks goals.

export interface BenchContext {
  /** repository root (holds bin/run.js, package.json) */
  root: string
  /** hyperfine warm-up runs and measured runs */
  warmup: number
  runs: number
}

/** One measured command, times in milliseconds. */
export interface Measurement {
  name: string
  command: string
  medianMs: number
  meanMs: number
  stddevMs: number
  minMs: number
  maxMs: number
}

/** A ceiling on a command's median relative to the table's baseline. */
export interface Goal {
  name: string
  maxRatio: number
}

export interface ResultTable {
  title: string
  /** the measurement every ratio is relative to */
  baseline: string
  measurements: Measurement[]
  goals: Goal[]
  notes: string[]
}

export interface Benchmark {
  /** selector on the command line: npm run bench -- startup */
  name: string
  description: string
  /** why it cannot run here (missing tool, no lab), or null when it can */
  unavailable(ctx: BenchContext): Promise<string | null>
  run(ctx: BenchContext): Promise<ResultTable[]>
}
