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

/** One measured command, times in milliseconds (or in the table's `unit`). */
export interface Measurement {
  name: string
  command: string
  /** the measurement this row's ratio is taken against; the table's baseline when absent */
  baseline?: string
  medianMs: number
  meanMs: number
  stddevMs: number
  minMs: number
  maxMs: number
}

/** A ceiling on a command's median relative to its baseline (the row's, else the table's). */
export interface Goal {
  name: string
  maxRatio: number
}

export interface ResultTable {
  title: string
  /** the measurement every ratio is relative to (a row may name its own: Measurement.baseline) */
  baseline: string
  /** what the numbers are; 'ms' when absent */
  unit?: string
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
  /** how it measures, for bench/results.md; hyperfine's settings when absent */
  settings?(ctx: BenchContext): string
}
