// A QuotaUpdate written straight into the bytes of if_dqblk (Q_SETQUOTA) or fs_disk_quota
// (Q_XSETQLIM), from numbers. setquota -b writes one struct per id, and the general path
// (updateToDqblk/updateToXfs into BigInt fields, then writeIfDqblk/writeFsDiskQuota) allocated a
// dozen BigInts per id: under the lab's TCG that was ~30 us of an XFS id's ~120 us. Same bytes
// and the same errors (structs.ts's own checks, wholeNumber and timer, in the same order):
// test/sys/update-writers.test.ts compares both paths on random updates. Limits are safe
// integers, so every value here is exact in a double: bytes / 1024 and bytes / 512 only shift
// the exponent, and Math.ceil rounds up as the BigInt ceilDiv does.

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
import {FS_DISK_QUOTA, FS_DISK_QUOTA_SIZE, IF_DQBLK, IF_DQBLK_SIZE, TIMER_MAX, checkSize, needsCurrentRecord, timer, wholeNumber, writeTimer} from './structs.js'

const TWO32 = 2 ** 32

/** A non-negative safe integer as a little-endian u64. */
function putU64(buf: Buffer, at: number, n: number): void {
  const lo = n % TWO32
  buf.writeUInt32LE(lo, at)
  buf.writeUInt32LE((n - lo) / TWO32, at + 4)
}

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
  buf.fill(0, 0, IF_DQBLK_SIZE)
  let valid = 0
  if (u.softLimitBytes !== undefined && u.hardLimitBytes !== undefined) {
    putU64(buf, o.dqb_bsoftlimit, Math.ceil(wholeNumber(u.softLimitBytes, 'softLimitBytes') / QIF_DQBLKSIZE))
    putU64(buf, o.dqb_bhardlimit, Math.ceil(wholeNumber(u.hardLimitBytes, 'hardLimitBytes') / QIF_DQBLKSIZE))
    valid |= QIF_BLIMITS
  }
  if (u.inodeSoftLimit !== undefined && u.inodeHardLimit !== undefined) {
    putU64(buf, o.dqb_isoftlimit, wholeNumber(u.inodeSoftLimit, 'inodeSoftLimit'))
    putU64(buf, o.dqb_ihardlimit, wholeNumber(u.inodeHardLimit, 'inodeHardLimit'))
    valid |= QIF_ILIMITS
  }
  if (u.usedBytes !== undefined) {
    putU64(buf, o.dqb_curspace, wholeNumber(u.usedBytes, 'usedBytes'))
    valid |= QIF_SPACE
  }
  if (u.inodesUsed !== undefined) {
    putU64(buf, o.dqb_curinodes, wholeNumber(u.inodesUsed, 'inodesUsed'))
    valid |= QIF_INODES
  }
  if (u.spaceGraceExpiresAt !== undefined) {
    putU64(buf, o.dqb_btime, wholeNumber(u.spaceGraceExpiresAt, 'spaceGraceExpiresAt'))
    valid |= QIF_BTIME
  }
  if (u.inodeGraceExpiresAt !== undefined) {
    putU64(buf, o.dqb_itime, wholeNumber(u.inodeGraceExpiresAt, 'inodeGraceExpiresAt'))
    valid |= QIF_ITIME
  }
  buf.writeUInt32LE(valid, o.dqb_valid)
  return valid
}

/** writeFsDiskQuota's range check, made after both timers passed timer() (its order: inode, space). */
function checkTimerRange(t: number): void {
  if (t > TIMER_MAX) throw new QuotaError('data', `grace timer ${t} is outside the 40-bit range XFS stores`)
}

/** A timer in the layout the fieldmask announces: plain s32, or 40 bits (structs.ts writeTimer). */
function putTimer(buf: Buffer, lo: number, hi: number, t: number, big: boolean): void {
  if (big) writeTimer(buf, lo, hi, t)
  else buf.writeInt32LE(t, lo)
}

/** fs_disk_quota for Q_XSETQLIM, as updateToXfs + writeFsDiskQuota. Returns d_fieldmask: 0 means nothing to send. */
export function writeUpdateXfs(buf: Buffer, type: QuotaType, id: number, u: QuotaUpdate): number {
  checkSize(buf, FS_DISK_QUOTA_SIZE, 'fs_disk_quota')
  const o = FS_DISK_QUOTA
  buf.fill(0, 0, FS_DISK_QUOTA_SIZE)
  let mask = 0
  if (u.softLimitBytes !== undefined) {
    putU64(buf, o.d_blk_softlimit, Math.ceil(wholeNumber(u.softLimitBytes, 'softLimitBytes') / BBSIZE))
    mask |= FS_DQ_BSOFT
  }
  if (u.hardLimitBytes !== undefined) {
    putU64(buf, o.d_blk_hardlimit, Math.ceil(wholeNumber(u.hardLimitBytes, 'hardLimitBytes') / BBSIZE))
    mask |= FS_DQ_BHARD
  }
  if (u.inodeSoftLimit !== undefined) {
    putU64(buf, o.d_ino_softlimit, wholeNumber(u.inodeSoftLimit, 'inodeSoftLimit'))
    mask |= FS_DQ_ISOFT
  }
  if (u.inodeHardLimit !== undefined) {
    putU64(buf, o.d_ino_hardlimit, wholeNumber(u.inodeHardLimit, 'inodeHardLimit'))
    mask |= FS_DQ_IHARD
  }
  if (u.usedBytes !== undefined) {
    putU64(buf, o.d_bcount, Math.ceil(wholeNumber(u.usedBytes, 'usedBytes') / BBSIZE))
    mask |= FS_DQ_BCOUNT
  }
  if (u.inodesUsed !== undefined) {
    putU64(buf, o.d_icount, wholeNumber(u.inodesUsed, 'inodesUsed'))
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
  buf.writeInt8(FS_DQUOT_VERSION, o.d_version)
  buf.writeInt8(XFS_QTYPE_FLAG[type], o.d_flags)
  buf.writeUInt16LE(big ? mask | FS_DQ_BIGTIME : mask, o.d_fieldmask)
  buf.writeUInt32LE(id >>> 0, o.d_id)
  putTimer(buf, o.d_itimer, o.d_itimer_hi, itimer, big)
  putTimer(buf, o.d_btimer, o.d_btimer_hi, btimer, big)
  return mask
}
