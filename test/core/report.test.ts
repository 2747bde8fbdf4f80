import {describe, expect, it} from 'vitest'

import {buildReportBlock, displayName, reportEntry, selectRecord} from '../../src/core/report.js'
import type {QuotaRecord} from '../../src/core/types.js'
import {NOW, loopFs, nameOf, userRecords} from '../output/repquota-state.js'

const byId = (id: number) => userRecords.find((r) => r.id === id) as QuotaRecord
const zero: QuotaRecord = {
  id: 7,
  space: {usedBytes: 0, softLimitBytes: 0, hardLimitBytes: 0, graceExpiresAt: 0},
  inodes: {used: 0, softLimit: 0, hardLimit: 0, graceExpiresAt: 0},
}

describe('selection', () => {
  it.each([
    // record, default, withLimits, verbose
    ['usage', byId(0), true, true, true],
    ['limits only', byId(5000), false, true, true],
    ['nothing at all', zero, false, false, true],
  ])('%s', (_label, rec, byDefault, withLimits, verbose) => {
    expect(selectRecord(rec, {verbose: false, withLimits: false})).toBe(byDefault)
    expect(selectRecord(rec, {verbose: false, withLimits: true})).toBe(withLimits)
    expect(selectRecord(rec, {verbose: true, withLimits: false})).toBe(verbose)
  })
})

describe('buildReportBlock', () => {
  const block = (records: QuotaRecord[], selection: {verbose: boolean; withLimits: boolean} | null = {verbose: false, withLimits: false}) =>
    buildReportBlock({fs: loopFs, type: 'user', records, nameOf, nowEpoch: NOW, selection})

  it('carries the filesystem header of the JSON contract', () => {
    const {entries, ...header} = block([])
    expect(entries).toEqual([])
    expect(header).toEqual({
      mountpoint: '/tmp/qkg/mnt',
      device: '/dev/loop0',
      fstype: 'ext4',
      type: 'user',
      format: 'vfsv0',
      blockGraceSeconds: 604800,
      inodeGraceSeconds: 604800,
      accounting: true,
      enforcement: true,
      systemFile: false,
    })
  })

  it('sorts selected ids by id', () => {
    const shuffled = [byId(4242), zero, byId(1), byId(5000), byId(0)]
    expect(block(shuffled).entries.map((e) => e.id)).toEqual([0, 1, 4242])
  })

  it('without selection (--only) keeps every record in the order asked', () => {
    expect(block([byId(4242), zero, byId(1)], null).entries.map((e) => e.id)).toEqual([4242, 7, 1])
  })
})

describe('reportEntry (JSON contract)', () => {
  it('bytes and counts as integers, null for no limit, grace as ISO and epoch, statuses', () => {
    expect(reportEntry(byId(998), 'systemd-network', NOW)).toEqual({
      id: 998,
      name: 'systemd-network',
      space: {
        usedBytes: 101 * 1024,
        softLimitBytes: 100 * 1024,
        hardLimitBytes: null,
        graceExpiresAt: new Date((NOW - 1) * 1000).toISOString(),
        graceExpiresAtEpoch: NOW - 1,
        status: 'expired',
      },
      inodes: {used: 5, softLimit: null, hardLimit: null, graceExpiresAt: null, graceExpiresAtEpoch: null, status: 'ok'},
    })
  })

  it('statuses for the golden state', () => {
    const statuses = userRecords.map((r) => {
      const e = reportEntry(r, null, NOW)
      return [r.id, e.space.status, e.inodes.status]
    })
    expect(statuses).toEqual([
      [0, 'ok', 'ok'],
      [1, 'soft', 'soft'],
      [2, 'ok', 'ok'],
      [3, 'ok', 'ok'],
      [33, 'hard', 'ok'],
      [998, 'expired', 'ok'],
      [4242, 'hard', 'hard'],
      [5000, 'ok', 'ok'],
    ])
  })

  it('displayName falls back to #id', () => {
    expect(displayName({id: 4242, name: null})).toBe('#4242')
    expect(displayName({id: 0, name: 'root'})).toBe('root')
  })
})
