// quotacheck's pure decisions: drift, the --fix update (grace timers kept), and rebuilt records.

import {describe, expect, it} from 'vitest'

import {compareUsage, fixUpdate, rebuildRecords} from '../../src/core/quotacheck.js'
import type {QuotaRecord} from '../../src/core/types.js'

function rec(id: number, usedBytes: number, inodes: number, o: Partial<{bsoft: number; bhard: number; isoft: number; ihard: number; btime: number; itime: number}> = {}): QuotaRecord {
  return {
    id,
    space: {usedBytes, softLimitBytes: o.bsoft ?? 0, hardLimitBytes: o.bhard ?? 0, graceExpiresAt: o.btime ?? 0},
    inodes: {used: inodes, softLimit: o.isoft ?? 0, hardLimit: o.ihard ?? 0, graceExpiresAt: o.itime ?? 0},
  }
}

const scan = (entries: Array<[number, number, number]>) => new Map(entries.map(([id, bytes, inodes]) => [id, {bytes, inodes}]))

describe('compareUsage', () => {
  it('lists only ids whose space or inodes differ, in id order, both ways round', () => {
    const drift = compareUsage(scan([[0, 4096, 2], [1000, 8192, 3], [1002, 1024, 1]]), [rec(0, 4096, 2), rec(1000, 8192, 4), rec(1001, 512, 1), rec(2000, 0, 0, {bsoft: 100})])
    expect(drift).toEqual([
      {id: 1000, recorded: {usedBytes: 8192, inodes: 4}, scanned: {usedBytes: 8192, inodes: 3}},
      {id: 1001, recorded: {usedBytes: 512, inodes: 1}, scanned: {usedBytes: 0, inodes: 0}},
      {id: 1002, recorded: {usedBytes: 0, inodes: 0}, scanned: {usedBytes: 1024, inodes: 1}},
    ])
  })

  it('compares bytes exactly (512 bytes of drift is drift)', () => {
    expect(compareUsage(scan([[5, 1536, 1]]), [rec(5, 1024, 1)])).toHaveLength(1)
    expect(compareUsage(scan([]), [])).toEqual([])
  })
})

describe('fixUpdate', () => {
  const d = (id: number, recorded: [number, number], scanned: [number, number]) => ({
    id,
    recorded: {usedBytes: recorded[0], inodes: recorded[1]},
    scanned: {usedBytes: scanned[0], inodes: scanned[1]},
  })

  it('sends only the side that differs', () => {
    expect(fixUpdate(rec(1, 1024, 5), d(1, [1024, 5], [2048, 5]))).toEqual({usedBytes: 2048})
    expect(fixUpdate(rec(1, 1024, 5), d(1, [1024, 5], [1024, 7]))).toEqual({inodesUsed: 7})
  })

  it('keeps a running timer when the id stays over its soft limit (else the kernel restarts it)', () => {
    const current = rec(1, 20 * 1024, 20, {bsoft: 10 * 1024, btime: 1_700_000_000, isoft: 10, itime: 1_700_000_100})
    expect(fixUpdate(current, d(1, [20 * 1024, 20], [30 * 1024, 25]))).toEqual({usedBytes: 30 * 1024, spaceGraceExpiresAt: 1_700_000_000, inodesUsed: 25, inodeGraceExpiresAt: 1_700_000_100})
  })

  it('lets the kernel clear the timer when the id drops under, or start one when it newly goes over', () => {
    const over = rec(1, 20 * 1024, 20, {bsoft: 10 * 1024, btime: 1_700_000_000})
    expect(fixUpdate(over, d(1, [20 * 1024, 20], [5 * 1024, 20]))).toEqual({usedBytes: 5 * 1024})
    const under = rec(2, 1024, 1, {bsoft: 10 * 1024})
    expect(fixUpdate(under, d(2, [1024, 1], [50 * 1024, 1]))).toEqual({usedBytes: 50 * 1024})
  })
})

describe('rebuildRecords', () => {
  const grace = {blockGraceSeconds: 3600, inodeGraceSeconds: 60}
  const now = 1_800_000_000

  it('usage from the scan, limits from the old file; ids with neither are dropped', () => {
    const out = rebuildRecords({scanned: scan([[0, 4096, 2], [1000, 2048, 1]]), old: [rec(1000, 99, 99, {bhard: 1 << 20, ihard: 50}), rec(2000, 0, 0, {isoft: 5}), rec(3000, 7, 7)], grace, nowEpoch: now})
    expect(out).toEqual([rec(0, 4096, 2), rec(1000, 2048, 1, {bhard: 1 << 20, ihard: 50}), rec(2000, 0, 0, {isoft: 5})])
  })

  it('keeps a running timer, starts one for a newly over-soft id, clears it under the soft limit (as linuxquota)', () => {
    const out = rebuildRecords({
      scanned: scan([[1, 20 * 1024, 5], [2, 20 * 1024, 5], [3, 1024, 1]]),
      old: [rec(1, 0, 0, {bsoft: 10 * 1024, btime: 1_799_999_000}), rec(2, 0, 0, {bsoft: 10 * 1024, isoft: 2}), rec(3, 0, 0, {bsoft: 10 * 1024, btime: 1_799_000_000})],
      grace,
      nowEpoch: now,
    })
    expect(out.map((r) => [r.id, r.space.graceExpiresAt, r.inodes.graceExpiresAt])).toEqual([
      [1, 1_799_999_000, 0],
      [2, now + 3600, now + 60],
      [3, 0, 0],
    ])
  })

  it('drops an old timer on a side without a soft limit', () => {
    const [r] = rebuildRecords({scanned: scan([[4, 1024, 1]]), old: [rec(4, 0, 0, {bhard: 2048, btime: 5})], grace, nowEpoch: now})
    expect(r.space.graceExpiresAt).toBe(0)
  })

  it('from scratch (-c): just the scan', () => {
    expect(rebuildRecords({scanned: scan([[7, 1024, 1]]), old: null, grace, nowEpoch: now})).toEqual([rec(7, 1024, 1)])
  })
})
