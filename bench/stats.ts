// Ratios against the baseline. The median is the headline (robust on a noisy VM); the mean ratio
// carries an error propagated from both standard deviations, as hyperfine reports it.

import type {Goal, Measurement, ResultTable} from './harness.js'

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
  const base = baselineOf(table)
  return table.goals.map((goal) => {
    const m = table.measurements.find((x) => x.name === goal.name)
    if (!m) throw new Error(`goal for unknown measurement ${goal.name}`)
    const {medianRatio} = ratioTo(m, base)
    return {...goal, medianRatio, met: medianRatio <= goal.maxRatio}
  })
}

export function baselineOf(table: ResultTable): Measurement {
  const base = table.measurements.find((m) => m.name === table.baseline)
  if (!base) throw new Error(`baseline ${table.baseline} not measured in "${table.title}"`)
  return base
}
