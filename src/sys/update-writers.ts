// A QuotaUpdate written straight into the bytes of if_dqblk (Q_SETQUOTA) or fs_disk_quota
// (Q_XSETQLIM), from numbers. setquota -b writes one struct per id, and the general path
// (updateToDqblk/updateToXfs into BigInt fields, then writeIfDqblk/writeFsDiskQuota) allocated a
// dozen BigInts per id: under the lab's TCG that was ~30 us of an XFS id's ~120 us. Same bytes
// and the same errors (structs.ts's own checks, wholeNumber and timer, in the same order):
// test/sys/update-writers.test.ts compares both paths on random updates. Limits are safe
// integers, so every value here is exact in a double: bytes / 1024 and bytes / 512 only shift
// the exponent, and Math.ceil rounds up as the BigInt ceilDiv does.
//
// Stores go through the buffer's DataView and zeroing through TypedArray#fill: V8 builtins. The
// first few thousand ids of a batch run before V8 optimises this code, and there Buffer's
// writeUInt32LE and fill (JavaScript with argument checks) cost ~3 us a struct on the dev VM.

import {QuotaError} from '../errors.js'
import type {QuotaType, QuotaUpdate} from '../core/types.js'
import {
  BBSIZE,
  FS_DQ_BCOUNT,
  FS_DQ_BHARD,
  FS_DQ_BIGTIME,
  FS_DQ_BSOFT,
  FS_DQ_BTIMER,
  FS_DQ_ICOUNT,
  FS_DQ_IHARD,
  FS_DQ_ISOFT,
  FS_DQ_ITIMER,
  FS_DQUOT_VERSION,
  QIF_BLIMITS,
  QIF_BTIME,
  QIF_DQBLKSIZE,
  QIF_ILIMITS,
  QIF_INODES,
  QIF_ITIME,
  QIF_SPACE,
  XFS_QTYPE_FLAG,
} from './constants.js'
import {FS_DISK_QUOTA, FS_DISK_QUOTA_SIZE, IF_DQBLK, IF_DQBLK_SIZE, TIMER_MAX, checkSize, needsCurrentRecord, timer, view, wholeNumber, writeTimer} from './structs.js'

const TWO32 = 2 ** 32

/** A non-negative safe integer as a little-endian u64. */
function putU64(dv: DataView, at: number, n: number): void {
  const lo = n % TWO32
  dv.setUint32(at, lo, true)
  dv.setUint32(at + 4, (n - lo) / TWO32, true)
}

/** Zero the struct's bytes: Uint8Array's own fill (Buffer#fill wraps it in argument checks). */
const zero = (buf: Buffer, size: number): void => void Uint8Array.prototype.fill.call(buf, 0, 0, size)

/**
 * if_dqblk for an update that gives both sides of each limit pair it touches (QIF_BLIMITS and
 * QIF_ILIMITS carry soft and hard together; a one-sided update needs the current record and goes
 * through updateToDqblk). Returns dqb_valid: 0 means there is nothing to send.
 */
export function writeUpdateDqblk(buf: Buffer, u: QuotaUpdate): number {
  checkSize(buf, IF_DQBLK_SIZE, 'if_dqblk')
  const o = IF_DQBLK
  if (needsCurrentRecord(u)) {
    throw new Error('writeUpdateDqblk: a one-sided limit update needs the current record (updateToDqblk)')
  }
  zero(buf, IF_DQBLK_SIZE)
  const dv = view(buf)
  let valid = 0
  if (u.softLimitBytes !== undefined && u.hardLimitBytes !== undefined) {
    putU64(dv, o.dqb_bsoftlimit, Math.ceil(wholeNumber(u.softLimitBytes, 'softLimitBytes') / QIF_DQBLKSIZE))
    putU64(dv, o.dqb_bhardlimit, Math.ceil(wholeNumber(u.hardLimitBytes, 'hardLimitBytes') / QIF_DQBLKSIZE))
    valid |= QIF_BLIMITS
  }
  if (u.inodeSoftLimit !== undefined && u.inodeHardLimit !== undefined) {
    putU64(dv, o.dqb_isoftlimit, wholeNumber(u.inodeSoftLimit, 'inodeSoftLimit'))
    putU64(dv, o.dqb_ihardlimit, wholeNumber(u.inodeHardLimit, 'inodeHardLimit'))
    valid |= QIF_ILIMITS
  }
  if (u.usedBytes !== undefined) {
    putU64(dv, o.dqb_curspace, wholeNumber(u.usedBytes, 'usedBytes'))
    valid |= QIF_SPACE
  }
  if (u.inodesUsed !== undefined) {
    putU64(dv, o.dqb_curinodes, wholeNumber(u.inodesUsed, 'inodesUsed'))
    valid |= QIF_INODES
  }
  if (u.spaceGraceExpiresAt !== undefined) {
    putU64(dv, o.dqb_btime, wholeNumber(u.spaceGraceExpiresAt, 'spaceGraceExpiresAt'))
    valid |= QIF_BTIME
  }
  if (u.inodeGraceExpiresAt !== undefined) {
    putU64(dv, o.dqb_itime, wholeNumber(u.inodeGraceExpiresAt, 'inodeGraceExpiresAt'))
    valid |= QIF_ITIME
  }
  dv.setUint32(o.dqb_valid, valid, true)
  return valid
}

/** writeFsDiskQuota's range check, made after both timers passed timer() (its order: inode, space). */
function checkTimerRange(t: number): void {
  if (t > TIMER_MAX) throw new QuotaError('data', `grace timer ${t} is outside the 40-bit range XFS stores`)
}

/** A timer in the layout the fieldmask announces: plain s32, or 40 bits (structs.ts writeTimer). */
function putTimer(buf: Buffer, dv: DataView, lo: number, hi: number, t: number, big: boolean): void {
  if (big) writeTimer(buf, lo, hi, t)
  else dv.setInt32(lo, t, true)
}

/** fs_disk_quota for Q_XSETQLIM, as updateToXfs + writeFsDiskQuota. Returns d_fieldmask: 0 means nothing to send. */
export function writeUpdateXfs(buf: Buffer, type: QuotaType, id: number, u: QuotaUpdate): number {
  checkSize(buf, FS_DISK_QUOTA_SIZE, 'fs_disk_quota')
  const o = FS_DISK_QUOTA
  zero(buf, FS_DISK_QUOTA_SIZE)
  const dv = view(buf)
  let mask = 0
  if (u.softLimitBytes !== undefined) {
    putU64(dv, o.d_blk_softlimit, Math.ceil(wholeNumber(u.softLimitBytes, 'softLimitBytes') / BBSIZE))
    mask |= FS_DQ_BSOFT
  }
  if (u.hardLimitBytes !== undefined) {
    putU64(dv, o.d_blk_hardlimit, Math.ceil(wholeNumber(u.hardLimitBytes, 'hardLimitBytes') / BBSIZE))
    mask |= FS_DQ_BHARD
  }
  if (u.inodeSoftLimit !== undefined) {
    putU64(dv, o.d_ino_softlimit, wholeNumber(u.inodeSoftLimit, 'inodeSoftLimit'))
    mask |= FS_DQ_ISOFT
  }
  if (u.inodeHardLimit !== undefined) {
    putU64(dv, o.d_ino_hardlimit, wholeNumber(u.inodeHardLimit, 'inodeHardLimit'))
    mask |= FS_DQ_IHARD
  }
  if (u.usedBytes !== undefined) {
    putU64(dv, o.d_bcount, Math.ceil(wholeNumber(u.usedBytes, 'usedBytes') / BBSIZE))
    mask |= FS_DQ_BCOUNT
  }
  if (u.inodesUsed !== undefined) {
    putU64(dv, o.d_icount, wholeNumber(u.inodesUsed, 'inodesUsed'))
    mask |= FS_DQ_ICOUNT
  }
  let btimer = 0
  let itimer = 0
  if (u.spaceGraceExpiresAt !== undefined) {
    btimer = timer(u.spaceGraceExpiresAt, 'spaceGraceExpiresAt')
    mask |= FS_DQ_BTIMER
  }
  if (u.inodeGraceExpiresAt !== undefined) {
    itimer = timer(u.inodeGraceExpiresAt, 'inodeGraceExpiresAt')
    mask |= FS_DQ_ITIMER
  }
  checkTimerRange(itimer)
  checkTimerRange(btimer)
  // As the kernel does: the bigtime layout only when a timer does not fit an s32.
  const big = btimer >= 2 ** 31 || itimer >= 2 ** 31
  dv.setInt8(o.d_version, FS_DQUOT_VERSION)
  dv.setInt8(o.d_flags, XFS_QTYPE_FLAG[type])
  dv.setUint16(o.d_fieldmask, big ? mask | FS_DQ_BIGTIME : mask, true)
  dv.setUint32(o.d_id, id >>> 0, true)
  putTimer(buf, dv, o.d_itimer, o.d_itimer_hi, itimer, big)
  putTimer(buf, dv, o.d_btimer, o.d_btimer_hi, btimer, big)
  return mask
}
