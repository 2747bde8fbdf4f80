// bench/results.md keeps the sections of benchmarks that did not run this time.
import {describe, expect, it} from 'vitest'

import type {ResultTable} from '../../bench/harness.js'
import type {Machine} from '../../bench/machine.js'
import {parseSections, resultsMarkdown, sectionMarkdown} from '../../bench/report.js'
import {checkGoals} from '../../bench/stats.js'

const machine: Machine = {nproc: 2, cpu: 'cpu', node: 'v20', kernel: 'Linux', hyperfine: 'hyperfine 1'}
const m = (name: string, median: number, baseline?: string) => ({name, command: name, baseline, medianMs: median, meanMs: median, stddevMs: 0, minMs: median, maxMs: median})

const table = (title: string): ResultTable => ({title, baseline: 'a', measurements: [m('a', 10), m('b', 15)], goals: [{name: 'b', maxRatio: 2}], notes: []})

describe('results.md sections', () => {
  it('a rewrite replaces the sections that ran and keeps the others', () => {
    const date = new Date('2026-01-01T00:00:00Z')
    const old = resultsMarkdown(date, ['startup', 'other'], [], [
      sectionMarkdown('startup', date, machine, 'hyperfine', [table('Startup')]),
      sectionMarkdown('other', date, machine, 'x', [table('Other')]),
    ])
    const sections = parseSections(old)
    expect([...sections.keys()]).toEqual(['startup', 'other'])
    const later = new Date('2026-02-01T00:00:00Z')
    sections.set('other', sectionMarkdown('other', later, machine, 'y', [table('Other again')]))
    const next = resultsMarkdown(later, ['other'], [], [...sections.values()])
    expect(next).toContain('## Startup')
    expect(next).toContain('`startup` measured 2026-01-01T00:00:00.000Z')
    expect(next).toContain('## Other again')
    expect(next).not.toContain('## Other\n')
    expect(parseSections(next).get('startup')).toBe(sections.get('startup'))
  })

  it('rows and goals can name their own baseline, and the unit shows in the header', () => {
    const t: ResultTable = {
      title: 'Per id',
      baseline: 'lq set',
      unit: 'µs/id',
      measurements: [m('lq set', 100, 'lq set'), m('qk set', 150, 'lq set'), m('lq rep', 10, 'lq rep'), m('qk rep', 50, 'lq rep')],
      goals: [
        {name: 'qk set', maxRatio: 2},
        {name: 'qk rep', maxRatio: 2},
      ],
      notes: [],
    }
    expect(checkGoals(t).map((g) => [g.name, g.medianRatio, g.met])).toEqual([
      ['qk set', 1.5, true],
      ['qk rep', 5, false],
    ])
    const md = sectionMarkdown('x', new Date(0), machine, 's', [t])
    expect(md).toContain('| median µs/id |')
    expect(md).toContain('| qk rep | `qk rep` | 50.0 | 50.0 ± 0.0 | 50.0–50.0 | 5.00')
    expect(md).toContain('**not met**: qk rep ≤ 2× lq rep (median ratio 5.00)')
  })
})
