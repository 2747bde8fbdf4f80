// The per-id decoders (structs.ts nextDqblkRecord, fsDiskQuotaRecord) skip BigInt for speed; they
// must give exactly what the BigInt codec gives (dqblkToRecord(readIfNextdqblk), xfsToRecord(
// readFsDiskQuota)), errors included, for every buffer the kernel could write.
import {describe, expect, it} from 'vitest'

import {prng} from '../prng.js'

import {FS_DQ_BIGTIME} from '../../src/sys/constants.js'
import {
  FS_DISK_QUOTA,
  FS_DISK_QUOTA_SIZE,
  IF_DQBLK,
  IF_NEXTDQBLK_SIZE,
  dqblkToRecord,
  fsDiskQuotaRecord,
  nextDqblkRecord,
  readFsDiskQuota,
  readIfNextdqblk,
  xfsToRecord,
} from '../../src/sys/structs.js'


// u64 values around the edges the fast path must get right: 0, 2^32 boundaries, 2^53 and the
// scaled limits (2^53 / 512, / 1024), and all ones
const EDGES = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 43n - 1n, 2n ** 43n, 2n ** 44n - 1n, 2n ** 44n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n]

function u64(next: () => number): bigint {
  const r = next()
  if (r < 0.5) return EDGES[Math.floor(next() * EDGES.length)]
  const bits = BigInt(Math.floor(next() * 65))
  return BigInt(Math.floor(next() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(next() * 2 ** 32)) & (2n ** bits - 1n)
}

/** The same call's outcome: the value, or the error message. */
function outcome(f: () => unknown): unknown {
  try {
    return f()
  } catch (e) {
    return `error: ${(e as Error).message}`
  }
}

describe('nextDqblkRecord', () => {
  it('equals dqblkToRecord(readIfNextdqblk()) on 20,000 random buffers', () => {
    const next = prng(1)
    const buf = Buffer.alloc(IF_NEXTDQBLK_SIZE)
    const o = IF_DQBLK
    const u64Fields = [o.dqb_bhardlimit, o.dqb_bsoftlimit, o.dqb_curspace, o.dqb_ihardlimit, o.dqb_isoftlimit, o.dqb_curinodes, o.dqb_btime, o.dqb_itime]
    let errors = 0
    for (let i = 0; i < 20000; i++) {
      for (const off of u64Fields) buf.writeBigUInt64LE(u64(next), off)
      buf.writeUInt32LE(Math.floor(next() * 2 ** 32), o.dqb_id)
      const slow = outcome(() => {
        const d = readIfNextdqblk(buf)
        return dqblkToRecord(d.dqb_id, d)
      })
      if (typeof slow === 'string') errors++
      expect(outcome(() => nextDqblkRecord(buf))).toEqual(slow)
    }
    expect(errors).toBeGreaterThan(1000) // the error path was exercised too
  })
})

describe('record decoders and their word view', () => {
  it('decode a reused buffer afresh after every write, and a buffer that does not start 4-byte aligned', () => {
    const next = prng(3)
    const aligned = Buffer.alloc(IF_NEXTDQBLK_SIZE)
    const odd = Buffer.alloc(IF_NEXTDQBLK_SIZE + 1).subarray(1) // wordsLE copies: never kept
    for (let i = 0; i < 200; i++) {
      // each buffer twice in a row: the second decode must see the new contents
      for (const buf of [aligned, aligned, odd, odd]) {
        buf.forEach((_, j) => (buf[j] = Math.floor(next() * 256)))
        for (let off = 0; off < 64; off += 8) buf.writeUInt32LE(0, off + 4) // exact values: no error path
        const d = readIfNextdqblk(buf)
        expect(nextDqblkRecord(buf)).toEqual(dqblkToRecord(d.dqb_id, d))
      }
    }
  })
})

describe('fsDiskQuotaRecord', () => {
  it('equals xfsToRecord(readFsDiskQuota()) on 20,000 random buffers, with and without bigtime', () => {
    const next = prng(2)
    const buf = Buffer.alloc(FS_DISK_QUOTA_SIZE)
    const o = FS_DISK_QUOTA
    const u64Fields = [o.d_blk_hardlimit, o.d_blk_softlimit, o.d_ino_hardlimit, o.d_ino_softlimit, o.d_bcount, o.d_icount, o.d_rtb_hardlimit, o.d_rtb_softlimit, o.d_rtbcount]
    let errors = 0
    for (let i = 0; i < 20000; i++) {
      next() < 0.1 ? buf.fill(0) : buf.forEach((_, j) => (buf[j] = Math.floor(next() * 256)))
      for (const off of u64Fields) buf.writeBigUInt64LE(u64(next), off)
      const mask = buf.readUInt16LE(o.d_fieldmask)
      buf.writeUInt16LE(next() < 0.5 ? mask | FS_DQ_BIGTIME : mask & ~FS_DQ_BIGTIME, o.d_fieldmask)
      const slow = outcome(() => xfsToRecord(readFsDiskQuota(buf)))
      if (typeof slow === 'string') errors++
      expect(outcome(() => fsDiskQuotaRecord(buf))).toEqual(slow)
    }
    expect(errors).toBeGreaterThan(1000)
  })
})
