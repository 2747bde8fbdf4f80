// setquota's per-id writers (src/sys/update-writers.ts) skip BigInt for speed; they must write
// exactly the bytes of the general path (writeIfDqblk(updateToDqblk(u)), writeFsDiskQuota(
// updateToXfs(u))) and throw the same errors, for every update a command can build.
import {describe, expect, it} from 'vitest'

import {prng} from '../prng.js'

import type {QuotaType, QuotaUpdate} from '../../src/core/types.js'
import {FS_DISK_QUOTA_SIZE, IF_DQBLK_SIZE, updateToDqblk, updateToXfs, writeFsDiskQuota, writeIfDqblk} from '../../src/sys/structs.js'
import {writeUpdateDqblk, writeUpdateXfs} from '../../src/sys/update-writers.js'


// Values at the edges: rounding to 1 KiB / 512 B blocks, the 2^31 and 2^32 bounds (s32 timers,
// u32 halves), the 40-bit timer range, 2^53, and values a command must refuse.
const EDGES = [
  0, 1, 511, 512, 513, 1023, 1024, 1025, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 39 - 1, 2 ** 39, 2 ** 40,
  2 ** 53 - 1, 2 ** 53, -1, 1.5, Number.NaN,
]

function value(next: () => number): number {
  if (next() < 0.4) return EDGES[Math.floor(next() * EDGES.length)]
  return Math.floor(next() * 2 ** Math.floor(next() * 54))
}

const FIELDS: (keyof QuotaUpdate)[] = ['softLimitBytes', 'hardLimitBytes', 'inodeSoftLimit', 'inodeHardLimit', 'usedBytes', 'inodesUsed', 'spaceGraceExpiresAt', 'inodeGraceExpiresAt']

function update(next: () => number, paired: boolean): QuotaUpdate {
  const u: QuotaUpdate = {}
  for (const f of FIELDS) if (next() < 0.5) u[f] = value(next)
  if (paired) {
    // Q_SETQUOTA takes each limit pair whole; a one-sided update reads the current record first
    if ((u.softLimitBytes === undefined) !== (u.hardLimitBytes === undefined)) u.hardLimitBytes = u.softLimitBytes ?? u.hardLimitBytes
    if ((u.inodeSoftLimit === undefined) !== (u.inodeHardLimit === undefined)) u.inodeHardLimit = u.inodeSoftLimit ?? u.inodeHardLimit
    if (u.softLimitBytes === undefined) u.hardLimitBytes = undefined
    if (u.inodeSoftLimit === undefined) u.inodeHardLimit = undefined
  }
  return u
}

/** The bytes written and the mask returned, or the error message. */
function outcome(f: () => Buffer | number, buf: Buffer): string {
  try {
    const r = f()
    return `${buf.toString('hex')} ${typeof r === 'number' ? r : ''}`
  } catch (e) {
    return `error: ${(e as Error).message}`
  }
}

describe('writeUpdateDqblk', () => {
  it('writes the bytes of writeIfDqblk(updateToDqblk()) for 20,000 random updates, errors included', () => {
    const next = prng(7)
    const fast = Buffer.alloc(IF_DQBLK_SIZE, 0xaa)
    const slow = Buffer.alloc(IF_DQBLK_SIZE, 0xaa)
    let errors = 0
    for (let i = 0; i < 20000; i++) {
      const u = update(next, true)
      let mask = 0
      const a = outcome(() => (mask = writeUpdateDqblk(fast, u)), fast)
      const b = outcome(() => writeIfDqblk(slow, updateToDqblk(u)), slow)
      if (b.startsWith('error')) errors++
      expect(a.startsWith('error') ? a : a.split(' ')[0], JSON.stringify(u)).toBe(b.startsWith('error') ? b : b.split(' ')[0])
      if (!a.startsWith('error')) expect(mask).toBe(fast.readUInt32LE(64))
    }
    expect(errors).toBeGreaterThan(1000) // the refusals were really exercised
    expect(errors).toBeLessThan(19000)
  })

  it('refuses a one-sided limit pair (that needs the current record)', () => {
    expect(() => writeUpdateDqblk(Buffer.alloc(IF_DQBLK_SIZE), {softLimitBytes: 1024})).toThrow(/one-sided/)
  })
})

describe('writeUpdateXfs', () => {
  const types: QuotaType[] = ['user', 'group', 'project']

  it('writes the bytes of writeFsDiskQuota(updateToXfs()) for 20,000 random updates, errors included', () => {
    const next = prng(11)
    const fast = Buffer.alloc(FS_DISK_QUOTA_SIZE, 0xaa)
    const slow = Buffer.alloc(FS_DISK_QUOTA_SIZE, 0xaa)
    let errors = 0
    let bigtime = 0
    for (let i = 0; i < 20000; i++) {
      const u = update(next, false)
      const type = types[i % 3]
      const id = Math.floor(next() * 2 ** 32)
      let mask = 0
      const a = outcome(() => (mask = writeUpdateXfs(fast, type, id, u)), fast)
      const b = outcome(() => writeFsDiskQuota(slow, updateToXfs(type, id, u)), slow)
      if (b.startsWith('error')) errors++
      else if (slow.readUInt16LE(2) & 0x8000) bigtime++
      expect(a.startsWith('error') ? a : a.split(' ')[0], JSON.stringify({type, id, u})).toBe(b.startsWith('error') ? b : b.split(' ')[0])
      if (!a.startsWith('error')) expect(mask).toBe(fast.readUInt16LE(2) & 0x7fff)
    }
    expect(errors).toBeGreaterThan(1000)
    expect(errors).toBeLessThan(19000)
    expect(bigtime).toBeGreaterThan(100) // 40-bit timers were written too
  })
})
