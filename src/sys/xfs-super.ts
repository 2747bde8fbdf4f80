// The few XFS superblock fields quotacheck needs, read from the block device (root only).
//
// Why: XFS's own quotacheck (at mount) charges every inode except the quota inodes to its owner,
// including the realtime bitmap and summary inodes that every mkfs.xfs creates: two inodes owned
// by uid 0, gid 0, project 0 that no directory walk can see. On filesystems with the metadir
// feature (Linux 6.13+), metadata inodes are skipped and nothing needs adding.
//
// Superblock (big-endian, sector 0; xfs_format.h struct xfs_dsb): sb_magicnum u32 @0 "XFSB",
// sb_blocksize u32 @4, sb_rblocks u64 @16, sb_rextents u64 @24, sb_rootino u64 @56,
// sb_rbmino u64 @64, sb_rsumino u64 @72, sb_rbmblocks u32 @92, sb_versionnum u16 @100,
// sb_features_incompat u32 @216 (v5 only).

import {closeSync, openSync, readSync} from 'node:fs'

export const XFS_SB_MAGIC = 0x58465342 // 'XFSB'
const XFS_SB_VERSION_NUMBITS = 0x000f
const XFS_SB_VERSION_5 = 5
const XFS_SB_FEAT_INCOMPAT_METADIR = 1 << 7

export interface XfsSuper {
  blocksize: number
  rblocks: bigint
  rextents: bigint
  rootino: bigint
  rbmino: bigint
  rsumino: bigint
  rbmblocks: number
  metadir: boolean
}

export function parseXfsSuper(buf: Buffer): XfsSuper | null {
  if (buf.length < 224 || buf.readUInt32BE(0) !== XFS_SB_MAGIC) return null
  const version = buf.readUInt16BE(100) & XFS_SB_VERSION_NUMBITS
  return {
    blocksize: buf.readUInt32BE(4),
    rblocks: buf.readBigUInt64BE(16),
    rextents: buf.readBigUInt64BE(24),
    rootino: buf.readBigUInt64BE(56),
    rbmino: buf.readBigUInt64BE(64),
    rsumino: buf.readBigUInt64BE(72),
    rbmblocks: buf.readUInt32BE(92),
    metadir: version === XFS_SB_VERSION_5 && (buf.readUInt32BE(216) & XFS_SB_FEAT_INCOMPAT_METADIR) !== 0,
  }
}

/** The superblock of the XFS filesystem on `device`, or null when it cannot be read or is not XFS. */
export function readXfsSuper(device: string): XfsSuper | null {
  let fd: number
  try {
    fd = openSync(device, 'r')
  } catch {
    return null
  }
  try {
    const buf = Buffer.alloc(512)
    return readSync(fd, buf, 0, 512, 0) === 512 ? parseXfsSuper(buf) : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/**
 * What XFS charges to id 0 for inodes a scan cannot see: the realtime bitmap and summary inodes
 * (null entries are absent: NULLFSINO). Their blocks: none without a realtime device; with one,
 * the bitmap's sb_rbmblocks and the summary's size as xfs_mkfs computes it.
 */
export function hiddenXfsUsage(sb: XfsSuper): {inodes: number; bytes: number} {
  if (sb.metadir) return {inodes: 0, bytes: 0}
  const NULLFSINO = 0xffff_ffff_ffff_ffffn
  const inodes = [sb.rbmino, sb.rsumino].filter((ino) => ino !== 0n && ino !== NULLFSINO).length
  if (sb.rblocks === 0n || sb.rextents === 0n) return {inodes, bytes: 0}
  const levels = BigInt(sb.rextents.toString(2).length) // log2(rextents) + 1
  const summaryBytes = 4n * levels * BigInt(sb.rbmblocks)
  const bs = BigInt(sb.blocksize)
  const summaryBlocks = (summaryBytes + bs - 1n) / bs
  return {inodes, bytes: Number((BigInt(sb.rbmblocks) + summaryBlocks) * bs)}
}
