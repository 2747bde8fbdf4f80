// forEachCells takes a block's records straight to cells while its entries are not made; once they
// are, it goes through entryCells. Both ways must give the same cells, for any record and option.

import {describe, expect, it} from 'vitest'

import {type ReportBlock, buildReportBlock} from '../../src/core/report.js'
import type {QuotaRecord} from '../../src/core/types.js'
import {AUTO_UNITS, RAW_UNITS} from '../../src/core/units.js'
import {type EntryCells, type RepquotaFormatOptions, forEachCells} from '../../src/output/repquota-cells.js'
import {prng} from '../prng.js'
import {loopFs} from './repquota-state.js'

const NOW = 1_700_000_000

function randomRecords(count: number, seed: number): QuotaRecord[] {
  const next = prng(seed)
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]
  const bytes = [0, 1, 1023, 1024, 1025, 4096 * 1000, 2 * 1024 ** 3, 5 * 1024 ** 4 + 7]
  const limits = [0, 1024, 4 * 1024, 4096 * 1000, 2 * 1024 ** 3]
  const counts = [0, 1, 99, 100, 101, 250_000]
  const timers = [0, NOW - 3600, NOW, NOW + 90, NOW + 8 * 86400]
  return Array.from({length: count}, (_, k) => ({
    id: 1000 + k,
    space: {usedBytes: pick(bytes), softLimitBytes: pick(limits), hardLimitBytes: pick(limits), graceExpiresAt: pick(timers)},
    inodes: {used: pick(counts), softLimit: pick(counts), hardLimit: pick(counts), graceExpiresAt: pick(timers)},
  }))
}

const cellsOfBlock = (block: ReportBlock, opts: RepquotaFormatOptions): EntryCells[] => {
  const cells: EntryCells[] = []
  forEachCells(block, opts, (c) => cells.push(c))
  return cells
}

describe('forEachCells', () => {
  const names = ['alice', null, 'a-very-long-user-name', 'ünïcødé-ñame']
  it.each([
    ['raw units', {units: RAW_UNITS, rawGrace: false, truncateNames: false, nowEpoch: NOW}],
    ['human units, -t, -p', {units: AUTO_UNITS, rawGrace: true, truncateNames: true, nowEpoch: NOW}],
    ['human units', {units: AUTO_UNITS, rawGrace: false, truncateNames: true, nowEpoch: NOW + 50}],
  ] as Array<[string, RepquotaFormatOptions]>)('gives the cells entryCells gives (%s)', (_, opts) => {
    const records = randomRecords(400, 11)
    const make = () =>
      buildReportBlock({fs: loopFs, type: 'user', records, nameOf: (id) => names[id % names.length], nowEpoch: NOW, selection: null})
    const fromRecords = cellsOfBlock(make(), opts)
    const withEntries = make()
    expect(withEntries.entries).toHaveLength(400) // made now: forEachCells goes through them
    const fromEntries = cellsOfBlock(withEntries, opts)
    expect(fromRecords).toEqual(fromEntries)
    // the sample reaches every status and both flags
    const statuses = new Set(fromRecords.flatMap((c) => [c.space.status, c.inodes.status]))
    expect([...statuses].sort()).toEqual(['expired', 'hard', 'ok', 'soft'])
  })
})
