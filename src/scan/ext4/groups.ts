// Block group descriptors: where each group's inode table and inode bitmap are, and how much of
// the table is in use (struct ext4_group_desc; Documentation/filesystems/ext4/group_descr.rst).
//
// The descriptor table follows the superblock (block first_data_block + 1). With meta_bg, groups
// from s_first_meta_bg * (descriptors per block) on keep their descriptors in the first block of
// each meta group (the run of groups one descriptor block describes), after that group's backup
// superblock if it has one.

import type {Ext4Super, Parsed} from './superblock.js'

const BG_INODE_UNINIT = 0x1

export interface GroupDesc {
  inodeBitmap: number
  inodeTable: number
  /** inodes at the start of the table that may be in use (the rest are known unused) */
  usedInodes: number
}

/** Whether group `g` holds a backup superblock (and so, with meta_bg, where its descriptors go). */
export function groupHasSuper(sb: Ext4Super, g: number): boolean {
  if (g === 0) return true
  if (sb.sparseSuper2) return g === sb.backupBgs[0] || g === sb.backupBgs[1]
  if (g <= 1 || !sb.sparseSuper) return true
  if (g % 2 === 0) return false
  for (const base of [3, 5, 7]) {
    let p = base
    while (p < g) p *= base
    if (p === g) return true
  }
  return false
}

export const descriptorsPerBlock = (sb: Ext4Super): number => sb.blockSize / sb.descSize

export const descriptorBlockCount = (sb: Ext4Super): number => Math.ceil(sb.groupCount / descriptorsPerBlock(sb))

/** The block holding the `index`th block of group descriptors. */
export function descriptorBlock(sb: Ext4Super, index: number): number {
  if (!sb.metaBg || index < sb.firstMetaBg) return sb.firstDataBlock + 1 + index
  const group = index * descriptorsPerBlock(sb)
  return sb.firstDataBlock + group * sb.blocksPerGroup + (groupHasSuper(sb, group) ? 1 : 0)
}

/**
 * Parses the descriptors of groups [first, first + count) from `buf` (their bytes, back to back)
 * and checks that each table and bitmap lies inside the filesystem.
 */
export function parseGroupDescs(sb: Ext4Super, buf: Buffer, first: number, count: number): Parsed<GroupDesc[]> {
  const out: GroupDesc[] = []
  const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / sb.blockSize)
  for (let i = 0; i < count; i++) {
    const g = first + i
    const o = i * sb.descSize
    const hi = (at: number): number => (sb.is64bit ? buf.readUInt32LE(o + at) * 2 ** 32 : 0)
    const inodeBitmap = buf.readUInt32LE(o + 0x04) + hi(0x24)
    const inodeTable = buf.readUInt32LE(o + 0x08) + hi(0x28)
    let usedInodes = sb.inodesPerGroup
    if (sb.groupDescCsum) {
      const flags = buf.readUInt16LE(o + 0x12)
      const unused = buf.readUInt16LE(o + 0x1c) + (sb.is64bit ? buf.readUInt16LE(o + 0x32) * 65536 : 0)
      if (flags & BG_INODE_UNINIT) usedInodes = 0
      else if (unused > sb.inodesPerGroup) return {ok: false, reason: `group ${g}: ${unused} unused inodes of ${sb.inodesPerGroup}`}
      else usedInodes = sb.inodesPerGroup - unused
    }
    if (usedInodes > 0) {
      if (inodeTable < sb.firstDataBlock || inodeTable + tableBlocks > sb.blocksCount) return {ok: false, reason: `group ${g}: inode table at block ${inodeTable} is outside the filesystem`}
      if (inodeBitmap < sb.firstDataBlock || inodeBitmap >= sb.blocksCount) return {ok: false, reason: `group ${g}: inode bitmap at block ${inodeBitmap} is outside the filesystem`}
    }
    out.push({inodeBitmap, inodeTable, usedInodes})
  }
  return {ok: true, value: out}
}
