// Byte layouts of the quotactl structs <-> core types. This is the one place where units change:
//   if_dqblk limits      1 KiB quota blocks   <-> bytes   (bytes -> KiB rounds UP: a limit is never
//                                                         silently lowered; the kernel stores KiB)
//   if_dqblk dqb_curspace  bytes
//   fs_disk_quota blocks 512-byte basic blocks <-> bytes  (bytes -> BB rounds UP, same reason)
//   dqb_btime/itime, XFS per-id timers: absolute epoch seconds (XFS: 40-bit with FS_DQ_BIGTIME)
//   dqi_*grace, qs_*timelimit, XFS id-0 timers: relative seconds
// 64-bit fields stay bigint here. They become numbers only when Number.isSafeInteger holds;
// otherwise decoding throws QuotaError('data') naming the field, never rounding silently.
// Offsets: quota-reference.md 1.4 (printed by compiling against the 6.1 uapi headers, x86_64).

import type {GraceInfo, QuotaRecord, QuotaType, QuotaUpdate} from '../core/types.js'
import {exactU64W, wordsLE} from '../core/u64.js'
import {QuotaError, usageError} from '../errors.js'
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
  IIF_BGRACE,
  IIF_IGRACE,
  QIF_BLIMITS,
  QIF_BTIME,
  QIF_DQBLKSIZE,
  QIF_ILIMITS,
  QIF_INODES,
  QIF_ITIME,
  QIF_SPACE,
  XFS_QTYPE_FLAG,
} from './constants.js'

// ---------------------------------------------------------------- sizes and offsets

export const IF_DQBLK_SIZE = 72
export const IF_NEXTDQBLK_SIZE = 72
export const IF_DQINFO_SIZE = 24
export const FS_DISK_QUOTA_SIZE = 112
export const FS_QUOTA_STATV_SIZE = 160

export const IF_DQBLK = {
  dqb_bhardlimit: 0,
  dqb_bsoftlimit: 8,
  dqb_curspace: 16,
  dqb_ihardlimit: 24,
  dqb_isoftlimit: 32,
  dqb_curinodes: 40,
  dqb_btime: 48,
  dqb_itime: 56,
  dqb_valid: 64,
  dqb_id: 68, // if_nextdqblk only: occupies if_dqblk's tail padding
} as const

export const IF_DQINFO = {dqi_bgrace: 0, dqi_igrace: 8, dqi_flags: 16, dqi_valid: 20} as const

export const FS_DISK_QUOTA = {
  d_version: 0,
  d_flags: 1,
  d_fieldmask: 2,
  d_id: 4,
  d_blk_hardlimit: 8,
  d_blk_softlimit: 16,
  d_ino_hardlimit: 24,
  d_ino_softlimit: 32,
  d_bcount: 40,
  d_icount: 48,
  d_itimer: 56,
  d_btimer: 60,
  d_iwarns: 64,
  d_bwarns: 66,
  d_itimer_hi: 68,
  d_btimer_hi: 69,
  d_rtbtimer_hi: 70,
  d_rtb_hardlimit: 72,
  d_rtb_softlimit: 80,
  d_rtbcount: 88,
  d_rtbtimer: 96,
  d_rtbwarns: 100,
} as const

export const FS_QUOTA_STATV = {
  qs_version: 0,
  qs_flags: 2,
  qs_incoredqs: 4,
  qs_uquota: 8,
  qs_gquota: 32,
  qs_pquota: 56,
  qs_btimelimit: 80,
  qs_itimelimit: 84,
  qs_rtbtimelimit: 88,
  qs_bwarnlimit: 92,
  qs_iwarnlimit: 94,
  qs_rtbwarnlimit: 96,
} as const

/** fs_qfilestatv: qfs_ino u64 @0, qfs_nblks u64 @8 (BB), qfs_nextents u32 @16, pad u32 @20. */
export const FS_QFILESTATV = {qfs_ino: 0, qfs_nblks: 8, qfs_nextents: 16} as const

// ---------------------------------------------------------------- raw structs (kernel names)

export interface IfDqblk {
  dqb_bhardlimit: bigint // KiB
  dqb_bsoftlimit: bigint // KiB
  dqb_curspace: bigint // bytes
  dqb_ihardlimit: bigint
  dqb_isoftlimit: bigint
  dqb_curinodes: bigint
  dqb_btime: bigint // epoch seconds
  dqb_itime: bigint // epoch seconds
  dqb_valid: number // QIF_*
}

export interface IfNextdqblk extends IfDqblk {
  dqb_id: number
}

export interface IfDqinfo {
  dqi_bgrace: bigint // seconds
  dqi_igrace: bigint // seconds
  dqi_flags: number // DQF_*
  dqi_valid: number // IIF_*
}

/** fs_disk_quota with each timer already joined with its *_hi byte (40-bit, always a safe number). */
export interface FsDiskQuota {
  d_version: number
  d_flags: number // FS_*_QUOTA
  d_fieldmask: number // FS_DQ_*
  d_id: number
  d_blk_hardlimit: bigint // BB
  d_blk_softlimit: bigint // BB
  d_ino_hardlimit: bigint
  d_ino_softlimit: bigint
  d_bcount: bigint // BB
  d_icount: bigint
  d_itimer: number // seconds: absolute, or the grace period for id 0
  d_btimer: number
  d_iwarns: number
  d_bwarns: number
  d_rtb_hardlimit: bigint // BB
  d_rtb_softlimit: bigint // BB
  d_rtbcount: bigint // BB
  d_rtbtimer: number
  d_rtbwarns: number
}

export interface FsQfilestatv {
  qfs_ino: bigint
  qfs_nblks: bigint // BB
  qfs_nextents: number
}

export interface FsQuotaStatv {
  qs_version: number
  qs_flags: number // FS_QUOTA_*
  qs_incoredqs: number
  qs_uquota: FsQfilestatv
  qs_gquota: FsQfilestatv
  qs_pquota: FsQfilestatv
  qs_btimelimit: number // seconds, for the first active type
  qs_itimelimit: number
  qs_rtbtimelimit: number
  qs_bwarnlimit: number
  qs_iwarnlimit: number
  qs_rtbwarnlimit: number
}

// ---------------------------------------------------------------- byte codecs

export function checkSize(buf: Buffer, size: number, what: string): void {
  if (buf.length < size) throw new RangeError(`${what} needs ${size} bytes, got ${buf.length}`)
}

// The per-id structs (if_dqblk, if_nextdqblk, fs_disk_quota) go through a DataView: its u64
// accessors are V8 builtins, where Buffer's readBigUInt64LE/writeBigUInt64LE build each value
// from several intermediate BigInts (writing a struct: ~1.4 us -> ~0.2 us on the dev VM). One
// view per Buffer, kept as long as the Buffer lives.
const views = new WeakMap<Buffer, DataView>()

export function view(buf: Buffer): DataView {
  let dv = views.get(buf)
  if (!dv) {
    dv = new DataView(buf.buffer, buf.byteOffset, buf.length)
    views.set(buf, dv)
  }
  return dv
}

const U64_MAX = 2n ** 64n - 1n

/** DataView.setBigUint64 wraps silently; Buffer's writer throws RangeError, and so does this. */
function setU64(dv: DataView, offset: number, value: bigint): void {
  if (value < 0n || value > U64_MAX) throw new RangeError(`${value} does not fit an unsigned 64-bit field`)
  dv.setBigUint64(offset, value, true)
}

export function readIfDqblk(buf: Buffer): IfDqblk {
  checkSize(buf, IF_DQBLK_SIZE, 'if_dqblk')
  const o = IF_DQBLK
  const dv = view(buf)
  return {
    dqb_bhardlimit: dv.getBigUint64(o.dqb_bhardlimit, true),
    dqb_bsoftlimit: dv.getBigUint64(o.dqb_bsoftlimit, true),
    dqb_curspace: dv.getBigUint64(o.dqb_curspace, true),
    dqb_ihardlimit: dv.getBigUint64(o.dqb_ihardlimit, true),
    dqb_isoftlimit: dv.getBigUint64(o.dqb_isoftlimit, true),
    dqb_curinodes: dv.getBigUint64(o.dqb_curinodes, true),
    dqb_btime: dv.getBigUint64(o.dqb_btime, true),
    dqb_itime: dv.getBigUint64(o.dqb_itime, true),
    dqb_valid: buf.readUInt32LE(o.dqb_valid),
  }
}

export function readIfNextdqblk(buf: Buffer): IfNextdqblk {
  // spelled out rather than {...readIfDqblk(buf), dqb_id}: this runs once per id of a report
  checkSize(buf, IF_NEXTDQBLK_SIZE, 'if_nextdqblk')
  const o = IF_DQBLK
  const dv = view(buf)
  return {
    dqb_bhardlimit: dv.getBigUint64(o.dqb_bhardlimit, true),
    dqb_bsoftlimit: dv.getBigUint64(o.dqb_bsoftlimit, true),
    dqb_curspace: dv.getBigUint64(o.dqb_curspace, true),
    dqb_ihardlimit: dv.getBigUint64(o.dqb_ihardlimit, true),
    dqb_isoftlimit: dv.getBigUint64(o.dqb_isoftlimit, true),
    dqb_curinodes: dv.getBigUint64(o.dqb_curinodes, true),
    dqb_btime: dv.getBigUint64(o.dqb_btime, true),
    dqb_itime: dv.getBigUint64(o.dqb_itime, true),
    dqb_valid: buf.readUInt32LE(o.dqb_valid),
    dqb_id: buf.readUInt32LE(o.dqb_id),
  }
}

/** Writes the whole 72 bytes (padding zeroed). */
export function writeIfDqblk(buf: Buffer, v: IfDqblk): Buffer {
  checkSize(buf, IF_DQBLK_SIZE, 'if_dqblk')
  const o = IF_DQBLK
  const dv = view(buf)
  buf.fill(0, 0, IF_DQBLK_SIZE)
  setU64(dv, o.dqb_bhardlimit, v.dqb_bhardlimit)
  setU64(dv, o.dqb_bsoftlimit, v.dqb_bsoftlimit)
  setU64(dv, o.dqb_curspace, v.dqb_curspace)
  setU64(dv, o.dqb_ihardlimit, v.dqb_ihardlimit)
  setU64(dv, o.dqb_isoftlimit, v.dqb_isoftlimit)
  setU64(dv, o.dqb_curinodes, v.dqb_curinodes)
  setU64(dv, o.dqb_btime, v.dqb_btime)
  setU64(dv, o.dqb_itime, v.dqb_itime)
  buf.writeUInt32LE(v.dqb_valid >>> 0, o.dqb_valid)
  return buf
}

export function readIfDqinfo(buf: Buffer): IfDqinfo {
  checkSize(buf, IF_DQINFO_SIZE, 'if_dqinfo')
  return {
    dqi_bgrace: buf.readBigUInt64LE(IF_DQINFO.dqi_bgrace),
    dqi_igrace: buf.readBigUInt64LE(IF_DQINFO.dqi_igrace),
    dqi_flags: buf.readUInt32LE(IF_DQINFO.dqi_flags),
    dqi_valid: buf.readUInt32LE(IF_DQINFO.dqi_valid),
  }
}

export function writeIfDqinfo(buf: Buffer, v: IfDqinfo): Buffer {
  checkSize(buf, IF_DQINFO_SIZE, 'if_dqinfo')
  buf.fill(0, 0, IF_DQINFO_SIZE)
  buf.writeBigUInt64LE(v.dqi_bgrace, IF_DQINFO.dqi_bgrace)
  buf.writeBigUInt64LE(v.dqi_igrace, IF_DQINFO.dqi_igrace)
  buf.writeUInt32LE(v.dqi_flags >>> 0, IF_DQINFO.dqi_flags)
  buf.writeUInt32LE(v.dqi_valid >>> 0, IF_DQINFO.dqi_valid)
  return buf
}

const TWO32 = 2 ** 32

/** Joins a timer with its *_hi byte: with FS_DQ_BIGTIME the value is (u32)lo + (s8)hi * 2^32. */
function readTimer(buf: Buffer, lo: number, hi: number, bigtime: boolean): number {
  return bigtime ? buf.readUInt32LE(lo) + buf.readInt8(hi) * TWO32 : buf.readInt32LE(lo)
}

const fitsS32 = (t: number) => t >= -(2 ** 31) && t < 2 ** 31
export const TIMER_MAX = 2 ** 39 - 1 // 40-bit signed: the kernel (and quota-tools) reject anything wider
const TIMER_MIN = -(2 ** 39)

/** A 40-bit timer in the FS_DQ_BIGTIME layout: low 32 bits, the high byte in its own field. */
export function writeTimer(buf: Buffer, lo: number, hi: number, t: number): void {
  buf.writeInt32LE(Number(BigInt.asIntN(32, BigInt(t))), lo)
  buf.writeInt8(Math.floor(t / TWO32), hi)
}

export function readFsDiskQuota(buf: Buffer): FsDiskQuota {
  checkSize(buf, FS_DISK_QUOTA_SIZE, 'fs_disk_quota')
  const o = FS_DISK_QUOTA
  const d_fieldmask = buf.readUInt16LE(o.d_fieldmask)
  const big = (d_fieldmask & FS_DQ_BIGTIME) !== 0
  const dv = view(buf)
  return {
    d_version: buf.readInt8(o.d_version),
    d_flags: buf.readInt8(o.d_flags),
    d_fieldmask,
    d_id: buf.readUInt32LE(o.d_id),
    d_blk_hardlimit: dv.getBigUint64(o.d_blk_hardlimit, true),
    d_blk_softlimit: dv.getBigUint64(o.d_blk_softlimit, true),
    d_ino_hardlimit: dv.getBigUint64(o.d_ino_hardlimit, true),
    d_ino_softlimit: dv.getBigUint64(o.d_ino_softlimit, true),
    d_bcount: dv.getBigUint64(o.d_bcount, true),
    d_icount: dv.getBigUint64(o.d_icount, true),
    d_itimer: readTimer(buf, o.d_itimer, o.d_itimer_hi, big),
    d_btimer: readTimer(buf, o.d_btimer, o.d_btimer_hi, big),
    d_iwarns: buf.readUInt16LE(o.d_iwarns),
    d_bwarns: buf.readUInt16LE(o.d_bwarns),
    d_rtb_hardlimit: dv.getBigUint64(o.d_rtb_hardlimit, true),
    d_rtb_softlimit: dv.getBigUint64(o.d_rtb_softlimit, true),
    d_rtbcount: dv.getBigUint64(o.d_rtbcount, true),
    d_rtbtimer: readTimer(buf, o.d_rtbtimer, o.d_rtbtimer_hi, big),
    d_rtbwarns: buf.readUInt16LE(o.d_rtbwarns),
  }
}

/**
 * Writes all 112 bytes. FS_DQ_BIGTIME is added to the fieldmask only when a timer does not fit
 * an s32 (as the kernel does), so kernels that predate bigtime see the plain layout.
 */
export function writeFsDiskQuota(buf: Buffer, v: FsDiskQuota): Buffer {
  checkSize(buf, FS_DISK_QUOTA_SIZE, 'fs_disk_quota')
  const o = FS_DISK_QUOTA
  const timers = [v.d_itimer, v.d_btimer, v.d_rtbtimer]
  for (const t of timers) {
    if (!Number.isInteger(t) || t < TIMER_MIN || t > TIMER_MAX) {
      throw new QuotaError('data', `grace timer ${t} is outside the 40-bit range XFS stores`)
    }
  }
  const big = (v.d_fieldmask & FS_DQ_BIGTIME) !== 0 || !timers.every(fitsS32)
  const dv = view(buf)
  buf.fill(0, 0, FS_DISK_QUOTA_SIZE)
  buf.writeInt8(v.d_version, o.d_version)
  buf.writeInt8(v.d_flags, o.d_flags)
  buf.writeUInt16LE((big ? v.d_fieldmask | FS_DQ_BIGTIME : v.d_fieldmask & ~FS_DQ_BIGTIME) & 0xffff, o.d_fieldmask)
  buf.writeUInt32LE(v.d_id >>> 0, o.d_id)
  setU64(dv, o.d_blk_hardlimit, v.d_blk_hardlimit)
  setU64(dv, o.d_blk_softlimit, v.d_blk_softlimit)
  setU64(dv, o.d_ino_hardlimit, v.d_ino_hardlimit)
  setU64(dv, o.d_ino_softlimit, v.d_ino_softlimit)
  setU64(dv, o.d_bcount, v.d_bcount)
  setU64(dv, o.d_icount, v.d_icount)
  if (big) {
    writeTimer(buf, o.d_itimer, o.d_itimer_hi, v.d_itimer)
    writeTimer(buf, o.d_btimer, o.d_btimer_hi, v.d_btimer)
    writeTimer(buf, o.d_rtbtimer, o.d_rtbtimer_hi, v.d_rtbtimer)
  } else {
    buf.writeInt32LE(v.d_itimer, o.d_itimer)
    buf.writeInt32LE(v.d_btimer, o.d_btimer)
    buf.writeInt32LE(v.d_rtbtimer, o.d_rtbtimer)
  }
  buf.writeUInt16LE(v.d_iwarns, o.d_iwarns)
  buf.writeUInt16LE(v.d_bwarns, o.d_bwarns)
  setU64(dv, o.d_rtb_hardlimit, v.d_rtb_hardlimit)
  setU64(dv, o.d_rtb_softlimit, v.d_rtb_softlimit)
  setU64(dv, o.d_rtbcount, v.d_rtbcount)
  buf.writeUInt16LE(v.d_rtbwarns, o.d_rtbwarns)
  return buf
}

function readQfilestatv(buf: Buffer, at: number): FsQfilestatv {
  return {
    qfs_ino: buf.readBigUInt64LE(at + FS_QFILESTATV.qfs_ino),
    qfs_nblks: buf.readBigUInt64LE(at + FS_QFILESTATV.qfs_nblks),
    qfs_nextents: buf.readUInt32LE(at + FS_QFILESTATV.qfs_nextents),
  }
}

export function readFsQuotaStatv(buf: Buffer): FsQuotaStatv {
  checkSize(buf, FS_QUOTA_STATV_SIZE, 'fs_quota_statv')
  const o = FS_QUOTA_STATV
  return {
    qs_version: buf.readInt8(o.qs_version),
    qs_flags: buf.readUInt16LE(o.qs_flags),
    qs_incoredqs: buf.readUInt32LE(o.qs_incoredqs),
    qs_uquota: readQfilestatv(buf, o.qs_uquota),
    qs_gquota: readQfilestatv(buf, o.qs_gquota),
    qs_pquota: readQfilestatv(buf, o.qs_pquota),
    qs_btimelimit: buf.readInt32LE(o.qs_btimelimit),
    qs_itimelimit: buf.readInt32LE(o.qs_itimelimit),
    qs_rtbtimelimit: buf.readInt32LE(o.qs_rtbtimelimit),
    qs_bwarnlimit: buf.readUInt16LE(o.qs_bwarnlimit),
    qs_iwarnlimit: buf.readUInt16LE(o.qs_iwarnlimit),
    qs_rtbwarnlimit: buf.readUInt16LE(o.qs_rtbwarnlimit),
  }
}

/** Prepares a Q_XGETQSTATV buffer: zeroed, qs_version = 1 (the kernel rejects other versions). */
export function initFsQuotaStatv(buf: Buffer, version: number): Buffer {
  checkSize(buf, FS_QUOTA_STATV_SIZE, 'fs_quota_statv')
  buf.fill(0, 0, FS_QUOTA_STATV_SIZE)
  buf.writeInt8(version, FS_QUOTA_STATV.qs_version)
  return buf
}

// ---------------------------------------------------------------- unit conversion

/** A kernel u64 (or scaled product) as an exact JS number, or a 'data' error naming the field. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = -MAX_SAFE

export function safeNumber(v: bigint, field: string, id?: number): number {
  // the same test as Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v, without the
  // round trip's allocation (this runs eight times per id of a report)
  if (v > MAX_SAFE || v < MIN_SAFE) {
    const who = id === undefined ? '' : ` of id ${id}`
    throw new QuotaError('data', `${field}${who} is ${v}, beyond the exact range of a JavaScript number (2^53-1)`, {id})
  }
  return Number(v)
}

/** A caller's number as a u64, rejecting what the kernel could not mean (fractions, negatives). */
/** A count, size or limit a caller gave: a whole number from 0 to 2^53-1 (exact in a double). */
export function wholeNumber(v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw usageError(`${field} must be a whole number from 0 to 2^53-1, got ${v}`)
  return v
}

const u64 = (v: number, field: string): bigint => BigInt(wholeNumber(v, field))

const KIB = BigInt(QIF_DQBLKSIZE)
const BB = BigInt(BBSIZE)
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

/** Bytes -> 1 KiB quota blocks, rounded up (setquota does the same: 1 byte more than 1 KiB is 2 KiB). */
export const bytesToKiB = (bytes: number, field: string): bigint => ceilDiv(u64(bytes, field), KIB)
/** Bytes -> 512-byte basic blocks, rounded up. */
export const bytesToBB = (bytes: number, field: string): bigint => ceilDiv(u64(bytes, field), BB)

export function dqblkToRecord(id: number, d: IfDqblk): QuotaRecord {
  return {
    id,
    space: {
      usedBytes: safeNumber(d.dqb_curspace, 'space used (dqb_curspace)', id),
      softLimitBytes: safeNumber(d.dqb_bsoftlimit * KIB, 'space soft limit (dqb_bsoftlimit)', id),
      hardLimitBytes: safeNumber(d.dqb_bhardlimit * KIB, 'space hard limit (dqb_bhardlimit)', id),
      graceExpiresAt: safeNumber(d.dqb_btime, 'space grace expiry (dqb_btime)', id),
    },
    inodes: {
      used: safeNumber(d.dqb_curinodes, 'inodes used (dqb_curinodes)', id),
      softLimit: safeNumber(d.dqb_isoftlimit, 'inode soft limit (dqb_isoftlimit)', id),
      hardLimit: safeNumber(d.dqb_ihardlimit, 'inode hard limit (dqb_ihardlimit)', id),
      graceExpiresAt: safeNumber(d.dqb_itime, 'inode grace expiry (dqb_itime)', id),
    },
  }
}

// ---- per-id decoders: the kernel's buffer straight to a QuotaRecord
//
// The report loops call Q_GETNEXTQUOTA / Q_XGETNEXTQUOTA once per id. These give the same records
// as dqblkToRecord(readIfNextdqblk()) and xfsToRecord(readFsDiskQuota()) (test/sys/record-decoders
// checks that on random buffers) without a BigInt per 64-bit field: under the lab's TCG, before
// V8 optimises the loop, those BigInts were a fifth of repquota's per-id time.

// The kernel's answer buffers are reused for every call (quotactl.ts): their words are made once
// when they are a view (always, on little-endian hosts).
let wordsBuf: Buffer | undefined
let wordsView: Uint32Array = new Uint32Array(0)
function wordsOf(buf: Buffer): Uint32Array {
  if (buf === wordsBuf) return wordsView
  const words = wordsLE(buf)
  if (words.buffer === buf.buffer) {
    wordsBuf = buf
    wordsView = words
  }
  return words
}

/** A u64 field times `scale` (1, 512 or 1024) as an exact number; beyond 2^53-1, safeNumber's error. */
function u64At(words: Uint32Array, buf: Buffer, offset: number, scale: number, field: string, id: number): number {
  const exact = exactU64W(words, offset)
  // scaling an exact value by a power of two stays exact while it is a safe integer
  const value = exact * scale
  if (exact >= 0 && value <= Number.MAX_SAFE_INTEGER) return value
  return safeNumber(view(buf).getBigUint64(offset, true) * BigInt(scale), field, id)
}

/** if_nextdqblk (Q_GETNEXTQUOTA's answer) as the record of its dqb_id. */
export function nextDqblkRecord(buf: Buffer): QuotaRecord {
  checkSize(buf, IF_NEXTDQBLK_SIZE, 'if_nextdqblk')
  const o = IF_DQBLK
  const w = wordsOf(buf)
  const id = w[o.dqb_id >>> 2]
  return {
    id,
    space: {
      usedBytes: u64At(w, buf, o.dqb_curspace, 1, 'space used (dqb_curspace)', id),
      softLimitBytes: u64At(w, buf, o.dqb_bsoftlimit, QIF_DQBLKSIZE, 'space soft limit (dqb_bsoftlimit)', id),
      hardLimitBytes: u64At(w, buf, o.dqb_bhardlimit, QIF_DQBLKSIZE, 'space hard limit (dqb_bhardlimit)', id),
      graceExpiresAt: u64At(w, buf, o.dqb_btime, 1, 'space grace expiry (dqb_btime)', id),
    },
    inodes: {
      used: u64At(w, buf, o.dqb_curinodes, 1, 'inodes used (dqb_curinodes)', id),
      softLimit: u64At(w, buf, o.dqb_isoftlimit, 1, 'inode soft limit (dqb_isoftlimit)', id),
      hardLimit: u64At(w, buf, o.dqb_ihardlimit, 1, 'inode hard limit (dqb_ihardlimit)', id),
      graceExpiresAt: u64At(w, buf, o.dqb_itime, 1, 'inode grace expiry (dqb_itime)', id),
    },
  }
}

/** A timer of a record decoder: the signed 32-bit field, or with bigtime its low 32 bits plus the high byte. */
const timerAt = (w: Uint32Array, buf: Buffer, lo: number, hi: number, bigtime: boolean): number =>
  bigtime ? w[lo >>> 2] + buf.readInt8(hi) * TWO32 : w[lo >>> 2] | 0

/** fs_disk_quota (Q_XGETNEXTQUOTA's answer) as the record of its d_id. */
export function fsDiskQuotaRecord(buf: Buffer): QuotaRecord {
  checkSize(buf, FS_DISK_QUOTA_SIZE, 'fs_disk_quota')
  const o = FS_DISK_QUOTA
  const w = wordsOf(buf)
  const big = (buf.readUInt16LE(o.d_fieldmask) & FS_DQ_BIGTIME) !== 0
  const id = w[o.d_id >>> 2]
  return {
    id,
    space: {
      usedBytes: u64At(w, buf, o.d_bcount, BBSIZE, 'space used (d_bcount)', id),
      softLimitBytes: u64At(w, buf, o.d_blk_softlimit, BBSIZE, 'space soft limit (d_blk_softlimit)', id),
      hardLimitBytes: u64At(w, buf, o.d_blk_hardlimit, BBSIZE, 'space hard limit (d_blk_hardlimit)', id),
      graceExpiresAt: timerAt(w, buf, o.d_btimer, o.d_btimer_hi, big),
    },
    inodes: {
      used: u64At(w, buf, o.d_icount, 1, 'inodes used (d_icount)', id),
      softLimit: u64At(w, buf, o.d_ino_softlimit, 1, 'inode soft limit (d_ino_softlimit)', id),
      hardLimit: u64At(w, buf, o.d_ino_hardlimit, 1, 'inode hard limit (d_ino_hardlimit)', id),
      graceExpiresAt: timerAt(w, buf, o.d_itimer, o.d_itimer_hi, big),
    },
  }
}

/** True when the record says nothing: no usage, no limits (the fallback enumeration skips these). */
export function isEmptyRecord(r: QuotaRecord): boolean {
  const s = r.space
  const i = r.inodes
  return !s.usedBytes && !s.softLimitBytes && !s.hardLimitBytes && !i.used && !i.softLimit && !i.hardLimit
}

/** Exactly one of a soft/hard pair given: the other must come from the current record. */
const oneSided = (a: unknown, b: unknown): boolean => (a === undefined) !== (b === undefined)

/** The update gives one side of a soft/hard pair: Q_SETQUOTA needs the other from the current record. */
export const needsCurrentRecord = (u: QuotaUpdate): boolean =>
  oneSided(u.softLimitBytes, u.hardLimitBytes) || oneSided(u.inodeSoftLimit, u.inodeHardLimit)

/**
 * QuotaUpdate -> if_dqblk with dqb_valid naming exactly the fields to apply. QIF_BLIMITS and
 * QIF_ILIMITS carry soft and hard together: when the update gives one side, `current` (the
 * record as read from the kernel) supplies the other, verbatim in KiB so it is not re-rounded.
 */
export function updateToDqblk(u: QuotaUpdate, current?: IfDqblk): IfDqblk {
  const d: IfDqblk = {
    dqb_bhardlimit: 0n,
    dqb_bsoftlimit: 0n,
    dqb_curspace: 0n,
    dqb_ihardlimit: 0n,
    dqb_isoftlimit: 0n,
    dqb_curinodes: 0n,
    dqb_btime: 0n,
    dqb_itime: 0n,
    dqb_valid: 0,
  }
  if (needsCurrentRecord(u) && !current) {
    throw new Error('updateToDqblk: a one-sided limit update needs the current record')
  }
  if (u.softLimitBytes !== undefined || u.hardLimitBytes !== undefined) {
    d.dqb_bsoftlimit = u.softLimitBytes === undefined ? current!.dqb_bsoftlimit : bytesToKiB(u.softLimitBytes, 'softLimitBytes')
    d.dqb_bhardlimit = u.hardLimitBytes === undefined ? current!.dqb_bhardlimit : bytesToKiB(u.hardLimitBytes, 'hardLimitBytes')
    d.dqb_valid |= QIF_BLIMITS
  }
  if (u.inodeSoftLimit !== undefined || u.inodeHardLimit !== undefined) {
    d.dqb_isoftlimit = u.inodeSoftLimit === undefined ? current!.dqb_isoftlimit : u64(u.inodeSoftLimit, 'inodeSoftLimit')
    d.dqb_ihardlimit = u.inodeHardLimit === undefined ? current!.dqb_ihardlimit : u64(u.inodeHardLimit, 'inodeHardLimit')
    d.dqb_valid |= QIF_ILIMITS
  }
  if (u.usedBytes !== undefined) {
    d.dqb_curspace = u64(u.usedBytes, 'usedBytes')
    d.dqb_valid |= QIF_SPACE
  }
  if (u.inodesUsed !== undefined) {
    d.dqb_curinodes = u64(u.inodesUsed, 'inodesUsed')
    d.dqb_valid |= QIF_INODES
  }
  if (u.spaceGraceExpiresAt !== undefined) {
    d.dqb_btime = u64(u.spaceGraceExpiresAt, 'spaceGraceExpiresAt')
    d.dqb_valid |= QIF_BTIME
  }
  if (u.inodeGraceExpiresAt !== undefined) {
    d.dqb_itime = u64(u.inodeGraceExpiresAt, 'inodeGraceExpiresAt')
    d.dqb_valid |= QIF_ITIME
  }
  return d
}

export function dqinfoToGrace(d: IfDqinfo): GraceInfo {
  return {
    blockGraceSeconds: safeNumber(d.dqi_bgrace, 'block grace period (dqi_bgrace)'),
    inodeGraceSeconds: safeNumber(d.dqi_igrace, 'inode grace period (dqi_igrace)'),
  }
}

export function graceToDqinfo(g: Partial<GraceInfo>): IfDqinfo {
  const d: IfDqinfo = {dqi_bgrace: 0n, dqi_igrace: 0n, dqi_flags: 0, dqi_valid: 0}
  if (g.blockGraceSeconds !== undefined) {
    d.dqi_bgrace = u64(g.blockGraceSeconds, 'blockGraceSeconds')
    d.dqi_valid |= IIF_BGRACE
  }
  if (g.inodeGraceSeconds !== undefined) {
    d.dqi_igrace = u64(g.inodeGraceSeconds, 'inodeGraceSeconds')
    d.dqi_valid |= IIF_IGRACE
  }
  return d
}

export function xfsToRecord(d: FsDiskQuota): QuotaRecord {
  const id = d.d_id
  return {
    id,
    space: {
      usedBytes: safeNumber(d.d_bcount * BB, 'space used (d_bcount)', id),
      softLimitBytes: safeNumber(d.d_blk_softlimit * BB, 'space soft limit (d_blk_softlimit)', id),
      hardLimitBytes: safeNumber(d.d_blk_hardlimit * BB, 'space hard limit (d_blk_hardlimit)', id),
      graceExpiresAt: d.d_btimer,
    },
    inodes: {
      used: safeNumber(d.d_icount, 'inodes used (d_icount)', id),
      softLimit: safeNumber(d.d_ino_softlimit, 'inode soft limit (d_ino_softlimit)', id),
      hardLimit: safeNumber(d.d_ino_hardlimit, 'inode hard limit (d_ino_hardlimit)', id),
      graceExpiresAt: d.d_itimer,
    },
  }
}

function emptyFsDiskQuota(type: QuotaType, id: number): FsDiskQuota {
  return {
    d_version: FS_DQUOT_VERSION,
    d_flags: XFS_QTYPE_FLAG[type],
    d_fieldmask: 0,
    d_id: id,
    d_blk_hardlimit: 0n,
    d_blk_softlimit: 0n,
    d_ino_hardlimit: 0n,
    d_ino_softlimit: 0n,
    d_bcount: 0n,
    d_icount: 0n,
    d_itimer: 0,
    d_btimer: 0,
    d_iwarns: 0,
    d_bwarns: 0,
    d_rtb_hardlimit: 0n,
    d_rtb_softlimit: 0n,
    d_rtbcount: 0n,
    d_rtbtimer: 0,
    d_rtbwarns: 0,
  }
}

export const timer = (v: number, field: string): number => {
  if (!Number.isSafeInteger(v) || v < 0) throw usageError(`${field} must be whole epoch seconds, got ${v}`)
  return v
}

/**
 * QuotaUpdate -> fs_disk_quota for Q_XSETQLIM. XFS takes each limit separately (d_fieldmask), so
 * no read-modify-write is needed. Usage fields are encoded (FS_DQ_BCOUNT/ICOUNT) for completeness;
 * XFS itself rejects them with EINVAL.
 */
export function updateToXfs(type: QuotaType, id: number, u: QuotaUpdate): FsDiskQuota {
  const d = emptyFsDiskQuota(type, id)
  if (u.softLimitBytes !== undefined) {
    d.d_blk_softlimit = bytesToBB(u.softLimitBytes, 'softLimitBytes')
    d.d_fieldmask |= FS_DQ_BSOFT
  }
  if (u.hardLimitBytes !== undefined) {
    d.d_blk_hardlimit = bytesToBB(u.hardLimitBytes, 'hardLimitBytes')
    d.d_fieldmask |= FS_DQ_BHARD
  }
  if (u.inodeSoftLimit !== undefined) {
    d.d_ino_softlimit = u64(u.inodeSoftLimit, 'inodeSoftLimit')
    d.d_fieldmask |= FS_DQ_ISOFT
  }
  if (u.inodeHardLimit !== undefined) {
    d.d_ino_hardlimit = u64(u.inodeHardLimit, 'inodeHardLimit')
    d.d_fieldmask |= FS_DQ_IHARD
  }
  if (u.usedBytes !== undefined) {
    d.d_bcount = bytesToBB(u.usedBytes, 'usedBytes')
    d.d_fieldmask |= FS_DQ_BCOUNT
  }
  if (u.inodesUsed !== undefined) {
    d.d_icount = u64(u.inodesUsed, 'inodesUsed')
    d.d_fieldmask |= FS_DQ_ICOUNT
  }
  if (u.spaceGraceExpiresAt !== undefined) {
    d.d_btimer = timer(u.spaceGraceExpiresAt, 'spaceGraceExpiresAt')
    d.d_fieldmask |= FS_DQ_BTIMER
  }
  if (u.inodeGraceExpiresAt !== undefined) {
    d.d_itimer = timer(u.inodeGraceExpiresAt, 'inodeGraceExpiresAt')
    d.d_fieldmask |= FS_DQ_ITIMER
  }
  return d
}

/** XFS keeps the default grace periods in the id-0 dquot: Q_XSETQLIM id 0 with the timer bits. */
export function graceToXfs(type: QuotaType, g: Partial<GraceInfo>): FsDiskQuota {
  const d = emptyFsDiskQuota(type, 0)
  if (g.blockGraceSeconds !== undefined) {
    d.d_btimer = timer(g.blockGraceSeconds, 'blockGraceSeconds')
    d.d_fieldmask |= FS_DQ_BTIMER
  }
  if (g.inodeGraceSeconds !== undefined) {
    d.d_itimer = timer(g.inodeGraceSeconds, 'inodeGraceSeconds')
    d.d_fieldmask |= FS_DQ_ITIMER
  }
  return d
}
