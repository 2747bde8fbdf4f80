// Byte-exact codec tests. Buffers are built by hand at the offsets printed from the uapi headers
// (quota-reference.md 1.4), never through the module's own offset tables.
import {describe, expect, it} from 'vitest'

import {QuotaError} from '../../src/errors.js'
import * as S from '../../src/sys/structs.js'

const u64 = (buf: Buffer, off: number, v: bigint) => buf.writeBigUInt64LE(v, off)

describe('sizes and offsets match the headers', () => {
  it('struct sizes', () => {
    expect([S.IF_DQBLK_SIZE, S.IF_NEXTDQBLK_SIZE, S.IF_DQINFO_SIZE, S.FS_DISK_QUOTA_SIZE, S.FS_QUOTA_STATV_SIZE]).toEqual([72, 72, 24, 112, 160])
  })

  it('if_dqblk / if_nextdqblk', () => {
    expect(S.IF_DQBLK).toEqual({
      dqb_bhardlimit: 0, dqb_bsoftlimit: 8, dqb_curspace: 16, dqb_ihardlimit: 24, dqb_isoftlimit: 32,
      dqb_curinodes: 40, dqb_btime: 48, dqb_itime: 56, dqb_valid: 64, dqb_id: 68,
    })
  })

  it('if_dqinfo', () => {
    expect(S.IF_DQINFO).toEqual({dqi_bgrace: 0, dqi_igrace: 8, dqi_flags: 16, dqi_valid: 20})
  })

  it('fs_disk_quota', () => {
    expect(S.FS_DISK_QUOTA).toEqual({
      d_version: 0, d_flags: 1, d_fieldmask: 2, d_id: 4, d_blk_hardlimit: 8, d_blk_softlimit: 16,
      d_ino_hardlimit: 24, d_ino_softlimit: 32, d_bcount: 40, d_icount: 48, d_itimer: 56, d_btimer: 60,
      d_iwarns: 64, d_bwarns: 66, d_itimer_hi: 68, d_btimer_hi: 69, d_rtbtimer_hi: 70,
      d_rtb_hardlimit: 72, d_rtb_softlimit: 80, d_rtbcount: 88, d_rtbtimer: 96, d_rtbwarns: 100,
    })
  })

  it('fs_quota_statv', () => {
    expect(S.FS_QUOTA_STATV).toEqual({
      qs_version: 0, qs_flags: 2, qs_incoredqs: 4, qs_uquota: 8, qs_gquota: 32, qs_pquota: 56,
      qs_btimelimit: 80, qs_itimelimit: 84, qs_rtbtimelimit: 88, qs_bwarnlimit: 92, qs_iwarnlimit: 94, qs_rtbwarnlimit: 96,
    })
    expect(S.FS_QFILESTATV).toEqual({qfs_ino: 0, qfs_nblks: 8, qfs_nextents: 16})
  })

  it('rejects short buffers', () => {
    expect(() => S.readIfDqblk(Buffer.alloc(68))).toThrow(RangeError)
    expect(() => S.readFsDiskQuota(Buffer.alloc(104))).toThrow(RangeError)
    expect(() => S.readFsQuotaStatv(Buffer.alloc(80))).toThrow(RangeError)
  })
})

function handDqblk(): Buffer {
  const b = Buffer.alloc(72)
  u64(b, 0, 20n) // bhard KiB
  u64(b, 8, 10n) // bsoft KiB
  u64(b, 16, 3073024n) // curspace bytes
  u64(b, 24, 2000n) // ihard
  u64(b, 32, 1000n) // isoft
  u64(b, 40, 17n) // curinodes
  u64(b, 48, 1700000000n) // btime
  u64(b, 56, 1700000500n) // itime
  b.writeUInt32LE(0x3f, 64) // valid
  b.writeUInt32LE(2001, 68) // dqb_id (if_nextdqblk)
  return b
}

describe('if_dqblk', () => {
  it('decodes every field at its offset', () => {
    expect(S.readIfDqblk(handDqblk())).toEqual({
      dqb_bhardlimit: 20n, dqb_bsoftlimit: 10n, dqb_curspace: 3073024n, dqb_ihardlimit: 2000n, dqb_isoftlimit: 1000n,
      dqb_curinodes: 17n, dqb_btime: 1700000000n, dqb_itime: 1700000500n, dqb_valid: 0x3f,
    })
  })

  it('if_nextdqblk adds dqb_id at 68', () => {
    expect(S.readIfNextdqblk(handDqblk()).dqb_id).toBe(2001)
  })

  it('encodes byte-exactly and zeroes the tail padding', () => {
    const want = handDqblk()
    want.writeUInt32LE(0, 68)
    const got = S.writeIfDqblk(Buffer.alloc(72, 0xee), S.readIfDqblk(handDqblk()))
    expect(got.equals(want)).toBe(true)
  })

  it('converts to the domain: limits KiB -> bytes, usage bytes, times absolute', () => {
    expect(S.dqblkToRecord(2001, S.readIfDqblk(handDqblk()))).toEqual({
      id: 2001,
      space: {usedBytes: 3073024, softLimitBytes: 10240, hardLimitBytes: 20480, graceExpiresAt: 1700000000},
      inodes: {used: 17, softLimit: 1000, hardLimit: 2000, graceExpiresAt: 1700000500},
    })
  })

  it('the largest exact limit passes; one KiB more is a data error naming the field', () => {
    const b = Buffer.alloc(72)
    u64(b, 0, 2n ** 43n - 1n)
    expect(S.dqblkToRecord(5, S.readIfDqblk(b)).space.hardLimitBytes).toBe((2 ** 43 - 1) * 1024)
    u64(b, 0, 2n ** 43n) // 2^53 bytes
    expect(() => S.dqblkToRecord(5, S.readIfDqblk(b))).toThrowError(/dqb_bhardlimit.*id 5/)
    try {
      S.dqblkToRecord(5, S.readIfDqblk(b))
    } catch (e) {
      expect(e).toBeInstanceOf(QuotaError)
      expect((e as QuotaError).kind).toBe('data')
      expect((e as QuotaError).exitCode).toBe(65)
    }
  })

  it.each([
    ['dqb_curspace', 16],
    ['dqb_curinodes', 40],
    ['dqb_itime', 56],
    ['dqb_isoftlimit', 32],
  ])('unsafe %s is refused, not rounded', (field, off) => {
    const b = Buffer.alloc(72)
    u64(b, off, 2n ** 64n - 1n)
    expect(() => S.dqblkToRecord(1, S.readIfDqblk(b))).toThrowError(new RegExp(field))
  })
})

describe('QuotaUpdate -> if_dqblk', () => {
  it('sends only what is given (valid mask)', () => {
    expect(S.updateToDqblk({}).dqb_valid).toBe(0)
    const d = S.updateToDqblk({softLimitBytes: 1024, hardLimitBytes: 2048, inodeSoftLimit: 5, inodeHardLimit: 6})
    expect(d.dqb_valid).toBe(0x05) // QIF_LIMITS
    expect([d.dqb_bsoftlimit, d.dqb_bhardlimit, d.dqb_isoftlimit, d.dqb_ihardlimit]).toEqual([1n, 2n, 5n, 6n])
    expect(S.updateToDqblk({usedBytes: 4097}).dqb_valid).toBe(0x02)
    expect(S.updateToDqblk({usedBytes: 4097}).dqb_curspace).toBe(4097n) // usage stays in bytes
    expect(S.updateToDqblk({inodesUsed: 3}).dqb_valid).toBe(0x08)
    expect(S.updateToDqblk({spaceGraceExpiresAt: 0}).dqb_valid).toBe(0x10)
    expect(S.updateToDqblk({inodeGraceExpiresAt: 1700000000}).dqb_itime).toBe(1700000000n)
    expect(S.updateToDqblk({inodeGraceExpiresAt: 1}).dqb_valid).toBe(0x20)
  })

  it.each([
    [0, 0n],
    [1, 1n],
    [1023, 1n],
    [1024, 1n],
    [1025, 2n],
    [10 * 2 ** 30, 10n * 2n ** 20n],
  ])('limit %i bytes -> %i KiB (rounded up)', (bytes, kib) => {
    expect(S.updateToDqblk({softLimitBytes: bytes, hardLimitBytes: bytes}).dqb_bsoftlimit).toBe(kib)
  })

  it('a one-sided pair takes the other side from the current record, verbatim', () => {
    const current = S.readIfDqblk(handDqblk())
    expect(() => S.updateToDqblk({softLimitBytes: 4096})).toThrow(/current/)
    const d = S.updateToDqblk({softLimitBytes: 4096, inodeHardLimit: 9}, current)
    expect([d.dqb_bsoftlimit, d.dqb_bhardlimit, d.dqb_isoftlimit, d.dqb_ihardlimit]).toEqual([4n, 20n, 1000n, 9n])
    expect(d.dqb_valid).toBe(0x05)
  })

  it.each([[-1], [1.5], [2 ** 53], [Number.NaN]])('refuses %p as a usage error', (v) => {
    expect(() => S.updateToDqblk({softLimitBytes: v, hardLimitBytes: 0})).toThrowError(QuotaError)
    try {
      S.updateToDqblk({inodesUsed: v})
    } catch (e) {
      expect((e as QuotaError).kind).toBe('usage')
    }
  })
})

describe('if_dqinfo', () => {
  const hand = () => {
    const b = Buffer.alloc(24)
    u64(b, 0, 604800n)
    u64(b, 8, 86400n)
    b.writeUInt32LE(0x10000, 16)
    b.writeUInt32LE(7, 20)
    return b
  }

  it('decodes and encodes byte-exactly', () => {
    const d = S.readIfDqinfo(hand())
    expect(d).toEqual({dqi_bgrace: 604800n, dqi_igrace: 86400n, dqi_flags: 0x10000, dqi_valid: 7})
    expect(S.writeIfDqinfo(Buffer.alloc(24, 0xaa), d).equals(hand())).toBe(true)
    expect(S.dqinfoToGrace(d)).toEqual({blockGraceSeconds: 604800, inodeGraceSeconds: 86400})
  })

  it('sets IIF_* only for the fields given', () => {
    expect(S.graceToDqinfo({blockGraceSeconds: 60})).toEqual({dqi_bgrace: 60n, dqi_igrace: 0n, dqi_flags: 0, dqi_valid: 1})
    expect(S.graceToDqinfo({inodeGraceSeconds: 61})).toEqual({dqi_bgrace: 0n, dqi_igrace: 61n, dqi_flags: 0, dqi_valid: 2})
    expect(S.graceToDqinfo({}).dqi_valid).toBe(0)
  })
})

function handXfs(): Buffer {
  const b = Buffer.alloc(112)
  b.writeInt8(1, 0) // d_version
  b.writeInt8(4, 1) // d_flags: FS_GROUP_QUOTA
  b.writeUInt16LE(0x000f, 2) // d_fieldmask
  b.writeUInt32LE(3000, 4) // d_id
  u64(b, 8, 4096n) // blk hard (BB)
  u64(b, 16, 2048n) // blk soft
  u64(b, 24, 200n) // ino hard
  u64(b, 32, 100n) // ino soft
  u64(b, 40, 3n) // bcount BB
  u64(b, 48, 7n) // icount
  b.writeInt32LE(1700000001, 56) // itimer
  b.writeInt32LE(1700000002, 60) // btimer
  b.writeUInt16LE(2, 64) // iwarns
  b.writeUInt16LE(3, 66) // bwarns
  u64(b, 72, 11n) // rtb hard
  u64(b, 80, 12n) // rtb soft
  u64(b, 88, 13n) // rtbcount
  b.writeInt32LE(14, 96) // rtbtimer
  b.writeUInt16LE(15, 100) // rtbwarns
  return b
}

describe('fs_disk_quota', () => {
  it('decodes every field at its offset', () => {
    expect(S.readFsDiskQuota(handXfs())).toEqual({
      d_version: 1, d_flags: 4, d_fieldmask: 0x0f, d_id: 3000, d_blk_hardlimit: 4096n, d_blk_softlimit: 2048n,
      d_ino_hardlimit: 200n, d_ino_softlimit: 100n, d_bcount: 3n, d_icount: 7n, d_itimer: 1700000001, d_btimer: 1700000002,
      d_iwarns: 2, d_bwarns: 3, d_rtb_hardlimit: 11n, d_rtb_softlimit: 12n, d_rtbcount: 13n, d_rtbtimer: 14, d_rtbwarns: 15,
    })
  })

  it('encodes byte-exactly', () => {
    const got = S.writeFsDiskQuota(Buffer.alloc(112, 0x5a), S.readFsDiskQuota(handXfs()))
    expect(got.equals(handXfs())).toBe(true)
  })

  it('converts 512-byte basic blocks to bytes', () => {
    expect(S.xfsToRecord(S.readFsDiskQuota(handXfs()))).toEqual({
      id: 3000,
      space: {usedBytes: 1536, softLimitBytes: 1048576, hardLimitBytes: 2097152, graceExpiresAt: 1700000002},
      inodes: {used: 7, softLimit: 100, hardLimit: 200, graceExpiresAt: 1700000001},
    })
  })

  it('without FS_DQ_BIGTIME a timer is a signed 32-bit value and *_hi is ignored', () => {
    const b = handXfs()
    b.writeInt32LE(-1, 60)
    b.writeInt8(5, 69)
    expect(S.readFsDiskQuota(b).d_btimer).toBe(-1)
  })

  it('with FS_DQ_BIGTIME a timer is (u32)lo + (s8)hi * 2^32 (40 bits)', () => {
    const b = handXfs()
    b.writeUInt16LE(0x000f | 0x8000, 2)
    b.writeUInt32LE(0x80000000, 60) // lo with bit 31 set: unsigned when joined
    b.writeInt8(1, 69) // btimer_hi
    b.writeUInt32LE(5, 56)
    b.writeInt8(0x7f, 68) // itimer_hi: the 40-bit maximum's top byte
    b.writeUInt32LE(0xffffffff, 96)
    b.writeInt8(-1, 70) // rtbtimer_hi: -1 * 2^32 + 0xffffffff = -1
    const d = S.readFsDiskQuota(b)
    expect(d.d_btimer).toBe(2 ** 32 + 2 ** 31)
    expect(d.d_itimer).toBe(0x7f * 2 ** 32 + 5)
    expect(d.d_rtbtimer).toBe(-1)
  })

  it('encodes a timer past 2038 with FS_DQ_BIGTIME and the *_hi byte', () => {
    const d = S.updateToXfs('user', 1, {spaceGraceExpiresAt: 2 ** 32 + 7, inodeGraceExpiresAt: 2 ** 31})
    const b = S.writeFsDiskQuota(Buffer.alloc(112), d)
    expect(b.readUInt16LE(2)).toBe(0x40 | 0x80 | 0x8000) // BTIMER | ITIMER | BIGTIME
    expect([...b.subarray(60, 64)]).toEqual([7, 0, 0, 0])
    expect(b.readInt8(69)).toBe(1)
    expect([...b.subarray(56, 60)]).toEqual([0, 0, 0, 0x80])
    expect(b.readInt8(68)).toBe(0)
    const back = S.readFsDiskQuota(b)
    expect([back.d_btimer, back.d_itimer]).toEqual([2 ** 32 + 7, 2 ** 31])
  })

  it('leaves FS_DQ_BIGTIME off when every timer fits an s32', () => {
    const b = S.writeFsDiskQuota(Buffer.alloc(112), S.updateToXfs('user', 1, {spaceGraceExpiresAt: 2 ** 31 - 1}))
    expect(b.readUInt16LE(2)).toBe(0x40)
    expect(b.readInt32LE(60)).toBe(2 ** 31 - 1)
    expect(b.readInt8(69)).toBe(0)
  })

  it('refuses timers beyond 40 bits', () => {
    expect(() => S.writeFsDiskQuota(Buffer.alloc(112), S.updateToXfs('user', 1, {spaceGraceExpiresAt: 2 ** 39}))).toThrowError(QuotaError)
  })

  it('updates: per-field d_fieldmask, bytes -> BB rounded up, type flag and id', () => {
    const d = S.updateToXfs('project', 42, {softLimitBytes: 513, hardLimitBytes: 1024, inodeHardLimit: 9})
    expect(d.d_fieldmask).toBe(0x04 | 0x08 | 0x02)
    expect([d.d_blk_softlimit, d.d_blk_hardlimit, d.d_ino_hardlimit]).toEqual([2n, 2n, 9n])
    expect([d.d_version, d.d_flags, d.d_id]).toEqual([1, 2, 42]) // FS_PROJ_QUOTA is 2
    expect(S.updateToXfs('group', 1, {}).d_flags).toBe(4)
    expect(S.updateToXfs('user', 1, {usedBytes: 1, inodesUsed: 1}).d_fieldmask).toBe(0x1000 | 0x2000)
    expect(S.updateToXfs('user', 1, {inodeSoftLimit: 3}).d_fieldmask).toBe(0x01)
  })

  it('grace periods go to id 0 as timers', () => {
    const d = S.graceToXfs('group', {blockGraceSeconds: 3600})
    expect([d.d_id, d.d_fieldmask, d.d_btimer, d.d_itimer, d.d_flags]).toEqual([0, 0x40, 3600, 0, 4])
    expect(S.graceToXfs('user', {blockGraceSeconds: 1, inodeGraceSeconds: 2}).d_fieldmask).toBe(0xc0)
  })

  it('unsafe BB products are refused', () => {
    const b = handXfs()
    u64(b, 40, 2n ** 45n) // 2^54 bytes
    expect(() => S.xfsToRecord(S.readFsDiskQuota(b))).toThrowError(/d_bcount/)
  })
})

describe('fs_quota_statv', () => {
  it('decodes every field at its offset', () => {
    const b = Buffer.alloc(160)
    b.writeInt8(1, 0)
    b.writeUInt16LE(0x3b, 2)
    b.writeUInt32LE(77, 4)
    for (const [at, n] of [[8, 1], [32, 2], [56, 3]] as const) {
      u64(b, at, BigInt(100 + n))
      u64(b, at + 8, BigInt(200 + n))
      b.writeUInt32LE(300 + n, at + 16)
    }
    b.writeInt32LE(604800, 80)
    b.writeInt32LE(86400, 84)
    b.writeInt32LE(3600, 88)
    b.writeUInt16LE(5, 92)
    b.writeUInt16LE(6, 94)
    b.writeUInt16LE(7, 96)
    expect(S.readFsQuotaStatv(b)).toEqual({
      qs_version: 1, qs_flags: 0x3b, qs_incoredqs: 77,
      qs_uquota: {qfs_ino: 101n, qfs_nblks: 201n, qfs_nextents: 301},
      qs_gquota: {qfs_ino: 102n, qfs_nblks: 202n, qfs_nextents: 302},
      qs_pquota: {qfs_ino: 103n, qfs_nblks: 203n, qfs_nextents: 303},
      qs_btimelimit: 604800, qs_itimelimit: 86400, qs_rtbtimelimit: 3600,
      qs_bwarnlimit: 5, qs_iwarnlimit: 6, qs_rtbwarnlimit: 7,
    })
  })

  it('init zeroes the buffer and sets qs_version', () => {
    const b = S.initFsQuotaStatv(Buffer.alloc(160, 0xff), 1)
    expect(b[0]).toBe(1)
    expect(b.subarray(1).every((x) => x === 0)).toBe(true)
  })
})

describe('helpers', () => {
  it('bytesToKiB / bytesToBB round up', () => {
    expect(S.bytesToKiB(1, 'x')).toBe(1n)
    expect(S.bytesToKiB(2048, 'x')).toBe(2n)
    expect(S.bytesToBB(1, 'x')).toBe(1n)
    expect(S.bytesToBB(1024, 'x')).toBe(2n)
    expect(S.bytesToBB(1025, 'x')).toBe(3n)
  })

  it('isEmptyRecord ignores timers', () => {
    const r = S.dqblkToRecord(1, S.readIfDqblk(Buffer.alloc(72)))
    expect(S.isEmptyRecord(r)).toBe(true)
    expect(S.isEmptyRecord({...r, space: {...r.space, graceExpiresAt: 5}})).toBe(true)
    expect(S.isEmptyRecord({...r, inodes: {...r.inodes, used: 1}})).toBe(false)
  })

  it('safeNumber', () => {
    expect(S.safeNumber(2n ** 53n - 1n, 'f')).toBe(2 ** 53 - 1)
    expect(() => S.safeNumber(2n ** 53n, 'field x')).toThrowError(/field x is 9007199254740992/)
  })
})
