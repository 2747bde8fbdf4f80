// The vfsv0/vfsv1 ("v2 tree") quota file layout: constants, the header and the two entry codecs.
// Pure: buffers in, values out. quota-reference.md 4.1 is the specification; every offset below
// was checked against files written by quota-tools 4.06 (test/quotafile/fixtures/).
//
// The on-disk field names (dqb_*, dqi_*, dqdh_*) are the file format's own vocabulary and, like the
// quotactl names in src/sys/, stay inside this directory; above it records are core QuotaRecords
// (bytes for space, epoch seconds for grace expiry).
//
// Units in the file: limits in 1 KiB blocks, usage in bytes, grace expiry absolute epoch seconds,
// grace periods relative seconds. Everything little-endian.

import type {GraceInfo, QuotaRecord, QuotaType} from '../core/types.js'
import {exactU64W} from '../core/u64.js'
import {QuotaError} from '../errors.js'

export type TreeFormat = 'vfsv0' | 'vfsv1'
export const TREE_FORMATS: readonly TreeFormat[] = ['vfsv0', 'vfsv1']

export const QT_BLKSIZE = 1024
export const QT_BLKSIZE_BITS = 10
/** The root index block. */
export const QT_TREEOFF = 1
/** Index levels: 256 references per 1 KiB block, four levels cover 32-bit ids. */
export const QT_TREEDEPTH = 4
export const REFS_PER_BLOCK = QT_BLKSIZE / 4

/** dqh_magic per quota type (the project magic is the kernel's; quota-tools knows only user/group). */
export const V2_MAGIC: Readonly<Record<QuotaType, number>> = {user: 0xd9c01f11, group: 0xd9c01927, project: 0xd9c03f14}
export const V2_VERSION: Readonly<Record<TreeFormat, number>> = {vfsv0: 0, vfsv1: 1}

/** Grace periods of a new file: 7 days, as quota-tools writes them. */
export const DEFAULT_GRACE_SECONDS = 604_800

/** Header, block 0: dqh_magic, dqh_version, then struct v2_disk_dqinfo at byte 8. */
export const HEADER = {
  dqh_magic: 0,
  dqh_version: 4,
  dqi_bgrace: 8,
  dqi_igrace: 12,
  dqi_flags: 16,
  dqi_blocks: 20,
  dqi_free_blk: 24,
  dqi_free_entry: 28,
} as const

/** Data (leaf) block header: 16 bytes, then the entries. */
export const DQDH = {dqdh_next_free: 0, dqdh_prev_free: 4, dqdh_entries: 8} as const
export const DQDH_SIZE = 16

export const ENTRY_SIZE: Readonly<Record<TreeFormat, number>> = {vfsv0: 48, vfsv1: 72}
/** 21 entries per block for vfsv0, 14 for vfsv1. */
export const entriesPerBlock = (format: TreeFormat): number => Math.floor((QT_BLKSIZE - DQDH_SIZE) / ENTRY_SIZE[format])

/** Entry field offsets. vfsv1 puts the inode fields first and pads the id to 8 bytes. */
const V0 = {
  dqb_id: 0,
  dqb_ihardlimit: 4,
  dqb_isoftlimit: 8,
  dqb_curinodes: 12,
  dqb_bhardlimit: 16,
  dqb_bsoftlimit: 20,
  dqb_curspace: 24,
  dqb_btime: 32,
  dqb_itime: 40,
} as const
const V1 = {
  dqb_id: 0,
  dqb_ihardlimit: 8,
  dqb_isoftlimit: 16,
  dqb_curinodes: 24,
  dqb_bhardlimit: 32,
  dqb_bsoftlimit: 40,
  dqb_curspace: 48,
  dqb_btime: 56,
  dqb_itime: 64,
} as const

/** One entry as stored (limits in KiB, usage in bytes, times in epoch seconds). */
export interface DiskDqblk {
  dqb_id: number
  dqb_ihardlimit: bigint
  dqb_isoftlimit: bigint
  dqb_curinodes: bigint
  dqb_bhardlimit: bigint // KiB
  dqb_bsoftlimit: bigint // KiB
  dqb_curspace: bigint // bytes
  dqb_btime: bigint
  dqb_itime: bigint
}

export interface QuotaFileHeader {
  type: QuotaType
  format: TreeFormat
  grace: GraceInfo
  /** dqi_flags, kept as found (no on-disk flag is defined for v2 files; quota-tools keeps them) */
  flags: number
  /** dqi_blocks: the file's size in 1 KiB blocks as the header records it */
  blocks: number
  freeBlock: number
  freeEntry: number
}

const U32_MAX = 0xffff_ffffn

export function readEntry(buf: Buffer, at: number, format: TreeFormat): DiskDqblk {
  if (format === 'vfsv0') {
    return {
      dqb_id: buf.readUInt32LE(at + V0.dqb_id),
      dqb_ihardlimit: BigInt(buf.readUInt32LE(at + V0.dqb_ihardlimit)),
      dqb_isoftlimit: BigInt(buf.readUInt32LE(at + V0.dqb_isoftlimit)),
      dqb_curinodes: BigInt(buf.readUInt32LE(at + V0.dqb_curinodes)),
      dqb_bhardlimit: BigInt(buf.readUInt32LE(at + V0.dqb_bhardlimit)),
      dqb_bsoftlimit: BigInt(buf.readUInt32LE(at + V0.dqb_bsoftlimit)),
      dqb_curspace: buf.readBigUInt64LE(at + V0.dqb_curspace),
      dqb_btime: buf.readBigUInt64LE(at + V0.dqb_btime),
      dqb_itime: buf.readBigUInt64LE(at + V0.dqb_itime),
    }
  }
  return {
    dqb_id: buf.readUInt32LE(at + V1.dqb_id),
    dqb_ihardlimit: buf.readBigUInt64LE(at + V1.dqb_ihardlimit),
    dqb_isoftlimit: buf.readBigUInt64LE(at + V1.dqb_isoftlimit),
    dqb_curinodes: buf.readBigUInt64LE(at + V1.dqb_curinodes),
    dqb_bhardlimit: buf.readBigUInt64LE(at + V1.dqb_bhardlimit),
    dqb_bsoftlimit: buf.readBigUInt64LE(at + V1.dqb_bsoftlimit),
    dqb_curspace: buf.readBigUInt64LE(at + V1.dqb_curspace),
    dqb_btime: buf.readBigUInt64LE(at + V1.dqb_btime),
    dqb_itime: buf.readBigUInt64LE(at + V1.dqb_itime),
  }
}

/** Writes the whole entry (vfsv1's pad zeroed). Values must already fit (recordToDisk checks). */
export function writeEntry(buf: Buffer, at: number, format: TreeFormat, d: DiskDqblk): void {
  buf.fill(0, at, at + ENTRY_SIZE[format])
  if (format === 'vfsv0') {
    buf.writeUInt32LE(d.dqb_id >>> 0, at + V0.dqb_id)
    buf.writeUInt32LE(Number(d.dqb_ihardlimit), at + V0.dqb_ihardlimit)
    buf.writeUInt32LE(Number(d.dqb_isoftlimit), at + V0.dqb_isoftlimit)
    buf.writeUInt32LE(Number(d.dqb_curinodes), at + V0.dqb_curinodes)
    buf.writeUInt32LE(Number(d.dqb_bhardlimit), at + V0.dqb_bhardlimit)
    buf.writeUInt32LE(Number(d.dqb_bsoftlimit), at + V0.dqb_bsoftlimit)
    buf.writeBigUInt64LE(d.dqb_curspace, at + V0.dqb_curspace)
    buf.writeBigUInt64LE(d.dqb_btime, at + V0.dqb_btime)
    buf.writeBigUInt64LE(d.dqb_itime, at + V0.dqb_itime)
    return
  }
  buf.writeUInt32LE(d.dqb_id >>> 0, at + V1.dqb_id)
  buf.writeBigUInt64LE(d.dqb_ihardlimit, at + V1.dqb_ihardlimit)
  buf.writeBigUInt64LE(d.dqb_isoftlimit, at + V1.dqb_isoftlimit)
  buf.writeBigUInt64LE(d.dqb_curinodes, at + V1.dqb_curinodes)
  buf.writeBigUInt64LE(d.dqb_bhardlimit, at + V1.dqb_bhardlimit)
  buf.writeBigUInt64LE(d.dqb_bsoftlimit, at + V1.dqb_bsoftlimit)
  buf.writeBigUInt64LE(d.dqb_curspace, at + V1.dqb_curspace)
  buf.writeBigUInt64LE(d.dqb_btime, at + V1.dqb_btime)
  buf.writeBigUInt64LE(d.dqb_itime, at + V1.dqb_itime)
}

/** A slot is free when every byte is zero (which is why a writer never stores an all-zero entry). */
export function slotIsEmpty(buf: Buffer, at: number, format: TreeFormat): boolean {
  const end = at + ENTRY_SIZE[format]
  for (let i = at; i < end; i++) if (buf[i] !== 0) return false
  return true
}

export function readHeader(buf: Buffer): Omit<QuotaFileHeader, 'type' | 'format'> & {magic: number; version: number} {
  return {
    magic: buf.readUInt32LE(HEADER.dqh_magic),
    version: buf.readUInt32LE(HEADER.dqh_version),
    grace: {blockGraceSeconds: buf.readUInt32LE(HEADER.dqi_bgrace), inodeGraceSeconds: buf.readUInt32LE(HEADER.dqi_igrace)},
    flags: buf.readUInt32LE(HEADER.dqi_flags),
    blocks: buf.readUInt32LE(HEADER.dqi_blocks),
    freeBlock: buf.readUInt32LE(HEADER.dqi_free_blk),
    freeEntry: buf.readUInt32LE(HEADER.dqi_free_entry),
  }
}

export function writeHeader(buf: Buffer, h: QuotaFileHeader): void {
  buf.fill(0, 0, QT_BLKSIZE)
  buf.writeUInt32LE(V2_MAGIC[h.type], HEADER.dqh_magic)
  buf.writeUInt32LE(V2_VERSION[h.format], HEADER.dqh_version)
  buf.writeUInt32LE(h.grace.blockGraceSeconds >>> 0, HEADER.dqi_bgrace)
  buf.writeUInt32LE(h.grace.inodeGraceSeconds >>> 0, HEADER.dqi_igrace)
  buf.writeUInt32LE(h.flags >>> 0, HEADER.dqi_flags)
  buf.writeUInt32LE(h.blocks >>> 0, HEADER.dqi_blocks)
  buf.writeUInt32LE(h.freeBlock >>> 0, HEADER.dqi_free_blk)
  buf.writeUInt32LE(h.freeEntry >>> 0, HEADER.dqi_free_entry)
}

/** Which byte of the id selects the child at `depth` (0 = root): most significant first. */
export const indexAt = (id: number, depth: number): number => (id >>> ((QT_TREEDEPTH - 1 - depth) * 8)) & 0xff

// ------------------------------------------------------------------ entries <-> records

const KIB = 1024n

/** The stored escape for an id whose entry would be all zeros: itime = 1 (quota-reference 4.1). */
const isEscapedEmpty = (d: DiskDqblk): boolean =>
  d.dqb_id === 0 &&
  d.dqb_ihardlimit === 0n &&
  d.dqb_isoftlimit === 0n &&
  d.dqb_curinodes === 0n &&
  d.dqb_bhardlimit === 0n &&
  d.dqb_bsoftlimit === 0n &&
  d.dqb_curspace === 0n &&
  d.dqb_btime === 0n &&
  d.dqb_itime === 1n

/** A u64 from the file as an exact number, or null when it is beyond 2^53 - 1. */
function exact(v: bigint): number | null {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null
}

/**
 * Stored entry -> core record. Returns the name of the first field that cannot be an exact
 * JavaScript number instead (the reader turns that into an error with the byte offset).
 */
export function diskToRecord(d: DiskDqblk): QuotaRecord | string {
  const itime = isEscapedEmpty(d) ? 0n : d.dqb_itime
  const fields: Array<[string, bigint]> = [
    ['dqb_curspace', d.dqb_curspace],
    ['dqb_bsoftlimit', d.dqb_bsoftlimit * KIB],
    ['dqb_bhardlimit', d.dqb_bhardlimit * KIB],
    ['dqb_btime', d.dqb_btime],
    ['dqb_curinodes', d.dqb_curinodes],
    ['dqb_isoftlimit', d.dqb_isoftlimit],
    ['dqb_ihardlimit', d.dqb_ihardlimit],
    ['dqb_itime', itime],
  ]
  const n: number[] = []
  for (const [name, v] of fields) {
    const x = exact(v)
    if (x === null) return name
    n.push(x)
  }
  return {
    id: d.dqb_id,
    space: {usedBytes: n[0], softLimitBytes: n[1], hardLimitBytes: n[2], graceExpiresAt: n[3]},
    inodes: {used: n[4], softLimit: n[5], hardLimit: n[6], graceExpiresAt: n[7]},
  }
}

/** Above this many KiB a limit in bytes is beyond 2^53 - 1. */
const MAX_EXACT_KIB = 2 ** 43

/** A stored limit in KiB as exact bytes, or -1. */
const kibToBytes = (kib: number): number => (kib < 0 || kib >= MAX_EXACT_KIB ? -1 : kib * 1024)

/**
 * diskToRecord(readEntry(buf, at, format)) without the BigInts: the reader decodes every entry of
 * the file, and at 100k ids the BigInt round trip was most of its time. Same results, same first
 * failing field name (test/quotafile/format-record.test.ts holds the two together).
 */
export function entryRecord(words: Uint32Array, at: number, format: TreeFormat): QuotaRecord | string {
  // `words` is the file as wordsLE words; entries start 4-byte aligned (16-byte block header,
  // 48- or 72-byte entries), so every field is whole words
  let id: number, ihard: number, isoft: number, inodes: number, bhardKiB: number, bsoftKiB: number
  let o: typeof V0 | typeof V1
  const k = at >>> 2
  if (format === 'vfsv0') {
    o = V0
    id = words[k]
    ihard = words[k + V0.dqb_ihardlimit / 4]
    isoft = words[k + V0.dqb_isoftlimit / 4]
    inodes = words[k + V0.dqb_curinodes / 4]
    bhardKiB = words[k + V0.dqb_bhardlimit / 4]
    bsoftKiB = words[k + V0.dqb_bsoftlimit / 4]
  } else {
    o = V1
    id = words[k]
    ihard = exactU64W(words, at + V1.dqb_ihardlimit)
    isoft = exactU64W(words, at + V1.dqb_isoftlimit)
    inodes = exactU64W(words, at + V1.dqb_curinodes)
    bhardKiB = exactU64W(words, at + V1.dqb_bhardlimit)
    bsoftKiB = exactU64W(words, at + V1.dqb_bsoftlimit)
  }
  const used = exactU64W(words, at + o.dqb_curspace)
  const btime = exactU64W(words, at + o.dqb_btime)
  let itime = exactU64W(words, at + o.dqb_itime)
  const bsoft = kibToBytes(bsoftKiB)
  const bhard = kibToBytes(bhardKiB)
  // the all-zero escape (isEscapedEmpty): id 0 with nothing but itime = 1
  if (itime === 1 && id === 0 && !ihard && !isoft && !inodes && !bhardKiB && !bsoftKiB && !used && !btime) itime = 0
  // the order diskToRecord reports the first bad field in
  if (used < 0) return 'dqb_curspace'
  if (bsoft < 0) return 'dqb_bsoftlimit'
  if (bhard < 0) return 'dqb_bhardlimit'
  if (btime < 0) return 'dqb_btime'
  if (inodes < 0) return 'dqb_curinodes'
  if (isoft < 0) return 'dqb_isoftlimit'
  if (ihard < 0) return 'dqb_ihardlimit'
  if (itime < 0) return 'dqb_itime'
  return {
    id,
    space: {usedBytes: used, softLimitBytes: bsoft, hardLimitBytes: bhard, graceExpiresAt: btime},
    inodes: {used: inodes, softLimit: isoft, hardLimit: ihard, graceExpiresAt: itime},
  }
}

/** True when an id has nothing a quota file keeps: no limits and no usage (grace times alone do not count). */
export const isEmptyForFile = (r: QuotaRecord): boolean =>
  !r.space.usedBytes && !r.space.softLimitBytes && !r.space.hardLimitBytes && !r.inodes.used && !r.inodes.softLimit && !r.inodes.hardLimit

function u64(v: number, what: string, id: number): bigint {
  if (!Number.isSafeInteger(v) || v < 0) throw new QuotaError('data', `${what} of id ${id} must be a whole number from 0 to 2^53-1, got ${v}`, {id})
  return BigInt(v)
}

/** Limits are whole KiB in the file; a byte amount in between rounds up, never to "no limit". */
const kib = (bytes: number, what: string, id: number): bigint => (u64(bytes, what, id) + KIB - 1n) / KIB

/**
 * Core record -> stored entry, checking that every value fits the format: vfsv0 keeps limits,
 * inode counts in 32 bits (4294967295 KiB = 4 TiB - 1 KiB of space limit). A record that would be
 * all zeros gets the itime = 1 escape.
 */
export function recordToDisk(r: QuotaRecord, format: TreeFormat): DiskDqblk {
  const id = r.id
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_fffe) throw new QuotaError('data', `id ${id} is out of range (0..4294967294)`, {id})
  const d: DiskDqblk = {
    dqb_id: id,
    dqb_ihardlimit: u64(r.inodes.hardLimit, 'inode hard limit', id),
    dqb_isoftlimit: u64(r.inodes.softLimit, 'inode soft limit', id),
    dqb_curinodes: u64(r.inodes.used, 'inodes used', id),
    dqb_bhardlimit: kib(r.space.hardLimitBytes, 'space hard limit', id),
    dqb_bsoftlimit: kib(r.space.softLimitBytes, 'space soft limit', id),
    dqb_curspace: u64(r.space.usedBytes, 'space used', id),
    dqb_btime: u64(r.space.graceExpiresAt, 'space grace expiry', id),
    dqb_itime: u64(r.inodes.graceExpiresAt, 'inode grace expiry', id),
  }
  if (format === 'vfsv0') {
    const narrow: Array<[string, bigint]> = [
      ['inode hard limit', d.dqb_ihardlimit],
      ['inode soft limit', d.dqb_isoftlimit],
      ['inodes used', d.dqb_curinodes],
      ['space hard limit (KiB)', d.dqb_bhardlimit],
      ['space soft limit (KiB)', d.dqb_bsoftlimit],
    ]
    for (const [what, v] of narrow) {
      if (v > U32_MAX) {
        throw new QuotaError('data', `${what} of id ${id} is ${v}, above the vfsv0 maximum of 4294967295`, {
          id,
          hint: 'vfsv1 stores 64-bit limits: use -F vfsv1',
        })
      }
    }
  }
  const allZero =
    d.dqb_id === 0 &&
    !d.dqb_ihardlimit &&
    !d.dqb_isoftlimit &&
    !d.dqb_curinodes &&
    !d.dqb_bhardlimit &&
    !d.dqb_bsoftlimit &&
    !d.dqb_curspace &&
    !d.dqb_btime &&
    !d.dqb_itime
  if (allZero) d.dqb_itime = 1n
  return d
}
