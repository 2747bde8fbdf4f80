import {describe, expect, it} from 'vitest'

import {buildReportBlock, displayName, forEachEntry, reportEntry, selectRecord} from '../../src/core/report.js'
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

describe('report entries, made when read', () => {
  const block = (names: number[] = []) =>
    buildReportBlock({
      fs: loopFs,
      type: 'user',
      records: [...userRecords].reverse(), // out of order: the block sorts
      nameOf: (id) => (names.push(id), nameOf(id)),
      nowEpoch: NOW,
      selection: {verbose: true, withLimits: false},
    })
  const expected = [...userRecords].sort((a, b) => a.id - b.id).map((r) => reportEntry(r, nameOf(r.id), NOW))

  it('forEachEntry visits the entries `entries` holds, in id order, without keeping them', () => {
    const looked: number[] = []
    const b = block(looked)
    expect(looked).toEqual([]) // nothing named before it is read
    const visited: unknown[] = []
    forEachEntry(b, (e) => visited.push(e))
    expect(visited).toEqual(expected)
    forEachEntry(b, () => undefined)
    expect(looked).toHaveLength(2 * expected.length) // made again: none was kept
    expect(b.entries).toEqual(expected)
    looked.length = 0
    forEachEntry(b, () => undefined) // now from the kept array
    expect(b.entries).toBe(b.entries)
    expect(looked).toEqual([])
  })

  it('JSON.stringify writes the entries like any array property, and a set array replaces them', () => {
    const b = block()
    expect(JSON.parse(JSON.stringify(b)).entries).toEqual(JSON.parse(JSON.stringify(expected)))
    const b2 = block()
    b2.entries = expected.slice(0, 1)
    const visited: unknown[] = []
    forEachEntry(b2, (e) => visited.push(e))
    expect(visited).toEqual(expected.slice(0, 1))
  })

  it('sorts 1000 ids given in reverse', () => {
    const records = Array.from({length: 1000}, (_, k) => ({...zero, id: 5000 - k, inodes: {...zero.inodes, used: k}}))
    const b = buildReportBlock({fs: loopFs, type: 'user', records, nameOf: () => null, nowEpoch: NOW, selection: {verbose: true, withLimits: false}})
    expect(b.entries.map((e) => [e.id, e.inodes.used])).toEqual(records.map((r) => [r.id, r.inodes.used]).reverse())
  })

  it('keeps every number exact, 2^53 - 1 and negative timers included', () => {
    const big: QuotaRecord = {
      id: 0xfffffffe,
      space: {usedBytes: Number.MAX_SAFE_INTEGER, softLimitBytes: 2 ** 52 + 1, hardLimitBytes: 1024, graceExpiresAt: -5},
      inodes: {used: 2 ** 40 + 3, softLimit: 0, hardLimit: 7, graceExpiresAt: 2 ** 39 - 1},
    }
    const b = buildReportBlock({fs: loopFs, type: 'user', records: [big], nameOf: () => null, nowEpoch: NOW, selection: null})
    expect(b.entries).toEqual([reportEntry(big, null, NOW)])
  })
})
