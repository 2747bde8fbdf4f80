// The writer: byte for byte what linuxquota 4.06 writes (where its layout is deterministic: ids in
// its hash order), round trips through the reader, and the format's limits.

import {describe, expect, it} from 'vitest'

import type {QuotaRecord} from '../../src/core/types.js'
import {QuotaError} from '../../src/errors.js'
import {ENTRY_SIZE, QT_BLKSIZE, diskToRecord, readEntry, recordToDisk, slotIsEmpty, writeEntry} from '../../src/quotafile/format.js'
import {linuxquotaHash, linuxquotaOrder} from '../../src/quotafile/order.js'
import {readQuotaFile} from '../../src/quotafile/reader.js'
import {buildQuotaFile} from '../../src/quotafile/writer.js'
import {type FixtureName, fixture, prng, record} from './fixtures.js'

const WEEK = {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}

describe('byte-exact against linuxquota 4.06', () => {
  // v0-limits.user and v0-freeblk.user were edited in place by setquota (an entry deleted, blocks
  // freed): their layout depends on that history, so they are only read, not rebuilt.
  const rebuilt: FixtureName[] = ['v0-fresh.user', 'v0-fresh.group', 'v0-rebuilt.user', 'v1-limits.user', 'v1-limits.group']
  it.each(rebuilt)('%s: the same records in linuxquota\'s order give the same bytes', (name) => {
    const original = fixture(name)
    const c = readQuotaFile(original)
    const out = buildQuotaFile({type: c.header.type, format: c.header.format, grace: c.header.grace, flags: c.header.flags, records: linuxquotaOrder(c.records)})
    expect(out.length).toBe(original.length)
    expect(out.equals(original)).toBe(true)
  })

  it('orders ids as linuxquota\'s hash table does', () => {
    expect([0, 5000, 1000, 1001, 1002, 70000].map(linuxquotaHash)).toEqual([0, 4264, 13960, 14957, 15954, 26928])
    expect(linuxquotaOrder([70000, 1000, 0, 5000, 1002, 1001].map((id) => ({id}))).map((x) => x.id)).toEqual([0, 5000, 1000, 1001, 1002, 70000])
  })

  it('a new empty file is a header and a root block, as quota-tools makes it', () => {
    const out = buildQuotaFile({type: 'user', format: 'vfsv0', grace: WEEK, records: []})
    expect(out.length).toBe(2 * QT_BLKSIZE)
    expect(readQuotaFile(out)).toMatchObject({header: {blocks: 2, freeBlock: 0, freeEntry: 0}, records: []})
  })
})

describe('round trips', () => {
  function randomRecords(seed: number, count: number, format: 'vfsv0' | 'vfsv1'): QuotaRecord[] {
    const rnd = prng(seed)
    const ids = new Set<number>()
    while (ids.size < count) {
      const r = rnd()
      ids.add(r < 0.3 ? Math.floor(rnd() * 100) : r < 0.8 ? Math.floor(rnd() * 70_000) : Math.floor(rnd() * 0xffff_fffe))
    }
    const max = format === 'vfsv0' ? 0xffff_ffff : 2 ** 40
    const n = () => (rnd() < 0.4 ? 0 : Math.floor(rnd() * max))
    return [...ids].map((id) => {
      const rec = record(id, Math.floor(rnd() * 2 ** 50), n(), {bsoft: n(), bhard: n(), isoft: n(), ihard: n(), btime: n(), itime: n()})
      if (rnd() < 0.1) Object.assign(rec.space, {usedBytes: 1}) // keep it non-empty
      return rec
    })
  }

  it.each([
    ['vfsv0', 1],
    ['vfsv0', 2],
    ['vfsv1', 3],
    ['vfsv1', 4],
  ] as const)('%s seed %i: 3000 random ids come back exactly, in id order', (format, seed) => {
    const records = randomRecords(seed, 3000, format)
    const out = buildQuotaFile({type: 'group', format, grace: {blockGraceSeconds: 60, inodeGraceSeconds: 7200}, flags: 0, records})
    const back = readQuotaFile(out, {type: 'group', format})
    expect(back.header.grace).toEqual({blockGraceSeconds: 60, inodeGraceSeconds: 7200})
    const expected = records.filter((r) => r.space.usedBytes || r.inodes.used || r.space.softLimitBytes || r.space.hardLimitBytes || r.inodes.softLimit || r.inodes.hardLimit)
    expect(back.records).toEqual([...expected].sort((a, b) => a.id - b.id))
    expect(back.stats.freeBlocks).toBe(0)
  })

  it('leaves out ids with neither limits nor usage (grace times alone do not keep an entry)', () => {
    const out = buildQuotaFile({type: 'user', format: 'vfsv0', grace: WEEK, records: [record(5, 0, 0, {btime: 99}), record(6, 1024, 1)]})
    expect(readQuotaFile(out).records.map((r) => r.id)).toEqual([6])
  })

  it('escapes an entry that would be all zeros with itime = 1, and reads the escape back as no timer', () => {
    const d = recordToDisk(record(0), 'vfsv0')
    expect(d.dqb_itime).toBe(1n)
    const buf = Buffer.alloc(ENTRY_SIZE.vfsv0)
    writeEntry(buf, 0, 'vfsv0', d)
    expect(slotIsEmpty(buf, 0, 'vfsv0')).toBe(false)
    expect(diskToRecord(readEntry(buf, 0, 'vfsv0'))).toEqual(record(0))
    // any other id with itime 1 keeps it
    expect(diskToRecord({...d, dqb_id: 5})).toMatchObject({inodes: {graceExpiresAt: 1}})
  })

  it('fills data blocks in order and takes a full block off the free-entry list', () => {
    const records = Array.from({length: 22}, (_, i) => record(100 + i, 1024, 1))
    const out = buildQuotaFile({type: 'user', format: 'vfsv0', grace: WEEK, records})
    const c = readQuotaFile(out)
    expect(c.stats).toMatchObject({dataBlocks: 2, entries: 22, partialBlocks: 1})
    // 21 entries fill the first data block (5); the 22nd starts a new one, now the list's head
    expect(c.header.freeEntry).toBe(6)
    expect(out.readUInt16LE(5 * QT_BLKSIZE + 8)).toBe(21)
    expect(readEntry(out, 6 * QT_BLKSIZE + 16, 'vfsv0').dqb_id).toBe(121)
    expect(ENTRY_SIZE.vfsv0 * 21 + 16).toBeLessThanOrEqual(QT_BLKSIZE)
  })
})

describe('what a format cannot hold', () => {
  it('vfsv0 refuses limits and counts beyond 32 bits, naming vfsv1', () => {
    const big = record(7, 0, 0, {bhard: 2 ** 32})
    expect(() => buildQuotaFile({type: 'user', format: 'vfsv0', grace: WEEK, records: [big]})).toThrow(/space hard limit \(KiB\) of id 7 is 4294967296, above the vfsv0 maximum/)
    try {
      recordToDisk(record(8, 0, 2 ** 32), 'vfsv0')
    } catch (e) {
      expect(e).toBeInstanceOf(QuotaError)
      expect((e as QuotaError).kind).toBe('data')
      expect((e as QuotaError).hint).toMatch(/-F vfsv1/)
    }
    expect(() => buildQuotaFile({type: 'user', format: 'vfsv1', grace: WEEK, records: [big]})).not.toThrow()
  })

  it('rounds a limit between KiB up, never down to "no limit"', () => {
    expect(recordToDisk({...record(1), space: {usedBytes: 0, softLimitBytes: 1, hardLimitBytes: 1025, graceExpiresAt: 0}}, 'vfsv0')).toMatchObject({dqb_bsoftlimit: 1n, dqb_bhardlimit: 2n})
  })

  it('refuses (qid_t)-1 and duplicate ids', () => {
    expect(() => recordToDisk(record(0xffff_ffff, 1), 'vfsv0')).toThrow(/out of range/)
    expect(() => buildQuotaFile({type: 'user', format: 'vfsv0', grace: WEEK, records: [record(3, 1), record(3, 2)]})).toThrow(/given twice/)
  })
})
