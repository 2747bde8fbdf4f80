// Ratios against the baseline. The median is the headline (robust on a noisy VM); the mean ratio
// carries an error propagated from both standard deviations, as hyperfine reports it.

import type {Goal, Measurement, ResultTable} from './harness.js'

/** The median of some samples (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** A row of a results table from its samples (ms, or the table's unit). */
export function measurement(name: string, command: string, values: number[], baseline?: string): Measurement {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0
  return {
    name,
    command,
    baseline,
    medianMs: median(values),
    meanMs: mean,
    stddevMs: Math.sqrt(variance),
    minMs: Math.min(...values),
    maxMs: Math.max(...values),
  }
}

export interface Ratio {
  medianRatio: number
  meanRatio: number
  meanRatioError: number
}

export function ratioTo(m: Measurement, base: Measurement): Ratio {
  const meanRatio = m.meanMs / base.meanMs
  const meanRatioError = meanRatio * Math.sqrt((m.stddevMs / m.meanMs) ** 2 + (base.stddevMs / base.meanMs) ** 2)
  return {medianRatio: m.medianMs / base.medianMs, meanRatio, meanRatioError}
}

export interface GoalResult extends Goal {
  medianRatio: number
  met: boolean
}

export function checkGoals(table: ResultTable): GoalResult[] {
  return table.goals.map((goal) => {
    const m = table.measurements.find((x) => x.name === goal.name)
    if (!m) throw new Error(`goal for unknown measurement ${goal.name}`)
    const {medianRatio} = ratioTo(m, baselineOf(table, m))
    return {...goal, medianRatio, met: medianRatio <= goal.maxRatio}
  })
}

/** The measurement `m` is compared with: its own baseline when it names one, else the table's. */
export function baselineOf(table: ResultTable, m?: Measurement): Measurement {
  const name = m?.baseline ?? table.baseline
  const base = table.measurements.find((x) => x.name === name)
  if (!base) throw new Error(`baseline ${name} not measured in "${table.title}"`)
  return base
}
