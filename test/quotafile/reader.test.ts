// The quota file reader against files linuxquota 4.06 wrote (fixtures/make-fixtures.sh), and
// against hand-made corruptions whose byte offsets the errors must name.

import {describe, expect, it} from 'vitest'

import {QuotaError} from '../../src/errors.js'
import {readQuotaFile, readQuotaFileHeader, QuotaFileError} from '../../src/quotafile/reader.js'
import {MADE_AT, fixture, record} from './fixtures.js'

const WEEK = 604_800

function corruptAt(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(buf)
  edit(copy)
  return copy
}

function offsetOf(fn: () => unknown): number {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(QuotaFileError)
    expect((e as QuotaFileError).kind).toBe('data')
    expect((e as QuotaFileError).exitCode).toBe(65)
    expect((e as QuotaFileError).message).toContain(`at byte ${(e as QuotaFileError).offset}:`)
    return (e as QuotaFileError).offset
  }
  throw new Error('expected a QuotaFileError')
}

describe('files written by linuxquota 4.06', () => {
  it('reads a fresh vfsv0 user file (quotacheck -cug): header, tree statistics and usage', () => {
    const c = readQuotaFile(fixture('v0-fresh.user'), {file: 'aquota.user', type: 'user'})
    expect(c.header).toEqual({type: 'user', format: 'vfsv0', grace: {blockGraceSeconds: WEEK, inodeGraceSeconds: WEEK}, flags: 0, blocks: 10, freeBlock: 0, freeEntry: 5})
    expect(c.stats).toEqual({blocks: 10, indexBlocks: 8, dataBlocks: 1, entries: 6, freeBlocks: 0, partialBlocks: 1})
    // root: the root directory and lost+found (13 KiB, 2 inodes); 1000: a dir and a file with two links
    expect(c.records).toEqual([
      record(0, 13 * 1024, 2),
      record(1000, 34 * 1024, 2),
      record(1001, 35 * 1024, 3), // a 10 MiB sparse file with no blocks is one more inode and no space
      record(1002, 36 * 1024, 3), // a fast symlink: an inode, no space
      record(5000, 57 * 1024, 2),
      record(70000, 67 * 1024, 2),
    ])
  })

  it('reads the group file, magic and all', () => {
    const c = readQuotaFile(fixture('v0-fresh.group'), {type: 'group'})
    expect(c.header.type).toBe('group')
    expect(c.records.map((r) => r.id)).toEqual([0, 50, 1001, 1002, 1003, 5001, 70001])
    expect(() => readQuotaFile(fixture('v0-fresh.group'), {type: 'user'})).toThrow(/magic 0xd9c01927 is the group quota magic/)
  })

  it('reads limits and grace timers set by setquota, across two data blocks, with a partly free block', () => {
    const c = readQuotaFile(fixture('v0-limits.user'))
    expect(c.stats).toMatchObject({dataBlocks: 2, entries: 35, partialBlocks: 1})
    const byId = new Map(c.records.map((r) => [r.id, r]))
    expect(byId.get(2000)).toEqual(record(2000, 0, 0, {bsoft: 100, bhard: 200, isoft: 10, ihard: 20}))
    expect(byId.has(2015)).toBe(false) // its limits were removed: the entry is gone
    // uid 1002 went over its soft limits when they were set: setquota started both timers
    const over = byId.get(1002)!
    expect(over.space).toEqual({usedBytes: 36 * 1024, softLimitBytes: 10 * 1024, hardLimitBytes: 1000 * 1024, graceExpiresAt: over.space.graceExpiresAt})
    expect(over.space.graceExpiresAt - MADE_AT).toBeGreaterThanOrEqual(WEEK - 5)
    expect(over.space.graceExpiresAt - MADE_AT).toBeLessThanOrEqual(WEEK)
    expect(over.inodes).toEqual({used: 3, softLimit: 1, hardLimit: 50, graceExpiresAt: over.space.graceExpiresAt})
  })

  it('walks the free-block list left by a deleted far-away id', () => {
    const c = readQuotaFile(fixture('v0-freeblk.user'))
    expect(c.header).toMatchObject({blocks: 15, freeBlock: 12})
    expect(c.stats).toMatchObject({freeBlocks: 3, entries: 35})
    expect(c.records.map((r) => r.id)).toEqual(readQuotaFile(fixture('v0-limits.user')).records.map((r) => r.id))
  })

  it('reads vfsv1 with 64-bit limits, up to id 4294967294', () => {
    const c = readQuotaFile(fixture('v1-limits.user'), {format: 'vfsv1'})
    expect(c.header.format).toBe('vfsv1')
    const byId = new Map(c.records.map((r) => [r.id, r]))
    expect(byId.get(1001)).toEqual(record(1001, 35 * 1024, 3, {bsoft: 10 * 1024 ** 2, bhard: 20 * 1024 ** 2, isoft: 1000, ihard: 2000}))
    expect(byId.get(4294967294)).toEqual(record(4294967294, 0, 0, {bsoft: 8 * 1024 ** 3, bhard: 16 * 1024 ** 3, isoft: 5e9, ihard: 6e9}))
    expect(readQuotaFile(fixture('v1-limits.group')).records.find((r) => r.id === 50)).toEqual(record(50, 0, 1, {bsoft: 1, bhard: 2, isoft: 3, ihard: 4}))
  })

  it('refuses a file of the other format when one is asked for (-F)', () => {
    expect(() => readQuotaFile(fixture('v1-limits.user'), {format: 'vfsv0', file: 'f'})).toThrow(/f is a vfsv1 quota file, not vfsv0/)
  })

  it('reads just the header', () => {
    expect(readQuotaFileHeader(fixture('v1-limits.group'))).toMatchObject({type: 'group', format: 'vfsv1', blocks: 10})
  })
})

// v0-fresh.user's layout (see the test above): header 0, root 1; level 1: block 2; level 2: 3 (ids
// < 65536) and 8; level 3: 4 (id 0), 6 (5000), 7 (ids 1000-1002), 9 (70000); data block 5 with six
// 48-byte entries from byte 5136: 0, 5000, 1000, 1001, 1002, 70000 (linuxquota's hash order).
describe('corrupt files: an error with the offset of the bad field', () => {
  const base = fixture('v0-fresh.user')
  const read = (buf: Buffer) => () => readQuotaFile(buf, {file: '/mnt/aquota.user'})

  it('a file shorter than the header', () => {
    expect(offsetOf(read(base.subarray(0, 100)))).toBe(100)
  })

  it('an unknown magic, an unknown version', () => {
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(0x12345678, 0))))).toBe(0)
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(2, 4))))).toBe(4)
  })

  it('a truncated file (fewer blocks than the header declares)', () => {
    expect(() => read(base.subarray(0, 9 * 1024))()).toThrow(/block count 10 \(10240 bytes\) is more than the file holds \(9216 bytes\)/)
    expect(offsetOf(read(base.subarray(0, 9 * 1024)))).toBe(20)
  })

  it('a block count too small for the root', () => {
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(1, 20))))).toBe(20)
  })

  it('a reference beyond the declared blocks', () => {
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(99, 2048))))).toBe(2048)
    // the free lists' heads are bounded too
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(10, 24))))).toBe(24)
  })

  it('a reference back to the root is a loop', () => {
    const at = 3 * 1024
    expect(() => read(corruptAt(base, (b) => b.writeUInt32LE(1, at)))()).toThrow(/refers to block 1 \(the root\): a loop/)
  })

  it('an index block referenced twice (a loop or a shared subtree)', () => {
    const at = 3 * 1024 + 0x10 * 4
    expect(() => read(corruptAt(base, (b) => b.writeUInt32LE(7, at)))()).toThrow(/refers to index block 7 a second time/)
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(7, at))))).toBe(at)
  })

  it('a data block used as an index block', () => {
    expect(read(corruptAt(base, (b) => b.writeUInt32LE(5, 3 * 1024 + 0x20 * 4)))).toThrow(QuotaFileError)
  })

  it('an entry the tree does not lead to', () => {
    const at = 5 * 1024 + 16 + 48 // id 5000's entry
    expect(() => read(corruptAt(base, (b) => b.writeUInt32LE(5555, at)))()).toThrow(/the entry for id 5555 in data block 5 is not reachable/)
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(5555, at))))).toBe(at)
  })

  it('an id the tree leads to but the block lacks', () => {
    // zero id 70000's entry (slot 5): the leaf reference at block 9, index 0x70, is reported
    const buf = corruptAt(base, (b) => {
      b.fill(0, 5 * 1024 + 16 + 5 * 48, 5 * 1024 + 16 + 6 * 48)
      b.writeUInt16LE(5, 5 * 1024 + 8)
    })
    expect(() => read(buf)()).toThrow(/the tree leads id 70000 to data block 5, which has no entry for it/)
    expect(offsetOf(read(buf))).toBe(9 * 1024 + 0x70 * 4)
  })

  it('a data block whose entry count is wrong or impossible', () => {
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt16LE(5, 5 * 1024 + 8))))).toBe(5 * 1024 + 8)
    expect(() => read(corruptAt(base, (b) => b.writeUInt16LE(30, 5 * 1024 + 8)))()).toThrow(/claims 30 entries; a vfsv0 block holds 21/)
  })

  it('the same id twice', () => {
    const dup = 5 * 1024 + 16 + 6 * 48
    const buf = corruptAt(base, (b) => {
      b.copy(b, dup, 5 * 1024 + 16 + 2 * 48, 5 * 1024 + 16 + 3 * 48) // id 1000 again, in slot 6
      b.writeUInt16LE(7, 5 * 1024 + 8)
    })
    expect(() => read(buf)()).toThrow(/id 1000 has a second entry \(the first is at byte 5232\)/)
    expect(offsetOf(read(buf))).toBe(dup)
  })

  it('free lists: a loop, a block in use, a wrong back link', () => {
    const fb = fixture('v0-freeblk.user') // free blocks 12 -> 13 -> 14
    const chain: number[] = []
    for (let blk = fb.readUInt32LE(24); blk; blk = fb.readUInt32LE(blk * 1024)) chain.push(blk)
    expect(chain).toEqual([12, 13, 14])
    expect(() => read(corruptAt(fb, (b) => b.writeUInt32LE(12, 14 * 1024)))()).toThrow(/the free-block list returns to block 12: a loop/)
    expect(() => read(corruptAt(fb, (b) => b.writeUInt32LE(5, 14 * 1024)))()).toThrow(/free-block list reaches block 5, which is in use/)
    expect(() => read(corruptAt(base, (b) => b.writeUInt32LE(2, 28)))()).toThrow(/free-entry list reaches block 2, which is not a data block/)
    expect(offsetOf(read(corruptAt(base, (b) => b.writeUInt32LE(3, 5 * 1024 + 4))))).toBe(5 * 1024 + 4)
  })

  it('a value beyond 2^53 in a vfsv1 file', () => {
    const v1 = fixture('v1-limits.user')
    const c = readQuotaFile(v1)
    expect(c.records.length).toBeGreaterThan(0)
    // the first entry of the data block: dqb_curspace at +48
    const dataBlock = c.header.freeEntry
    const at = dataBlock * 1024 + 16
    expect(() => readQuotaFile(corruptAt(v1, (b) => b.writeBigUInt64LE(1n << 60n, at + 48)))).toThrow(/dqb_curspace of id \d+ is beyond the exact range/)
  })

  it('points the admin at a rebuild', () => {
    try {
      read(corruptAt(base, (b) => b.writeUInt32LE(99, 2048)))()
    } catch (e) {
      expect(e).toBeInstanceOf(QuotaError)
      expect((e as QuotaError).hint).toMatch(/quotacheck -c/)
      expect((e as QuotaError).line).toMatch(/^\/mnt\/aquota.user: corrupt quota file at byte 2048: index block 2 \(level 1\) entry 0 refers to block 99/)
    }
  })
})
