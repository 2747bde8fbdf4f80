// The ext2/3/4 superblock fields an inode-table scan needs, parsed from the 1024 bytes at byte
// offset 1024 of the device (struct ext4_super_block, little-endian; Documentation/filesystems/
// ext4/super.rst). Anything this reader does not understand is refused with a reason, so that the
// caller can fall back to walking the directory tree.

export const EXT4_SUPER_OFFSET = 1024
export const EXT4_SUPER_SIZE = 1024
const EXT4_MAGIC = 0xef53

const INCOMPAT_FILETYPE = 0x2
const INCOMPAT_RECOVER = 0x4
const INCOMPAT_JOURNAL_DEV = 0x8
const INCOMPAT_META_BG = 0x10
const INCOMPAT_EXTENTS = 0x40
const INCOMPAT_64BIT = 0x80
const INCOMPAT_MMP = 0x100
const INCOMPAT_FLEX_BG = 0x200
const INCOMPAT_EA_INODE = 0x400
const INCOMPAT_DIRDATA = 0x1000
const INCOMPAT_CSUM_SEED = 0x2000
const INCOMPAT_LARGEDIR = 0x4000
const INCOMPAT_INLINE_DATA = 0x8000
const INCOMPAT_ENCRYPT = 0x10000
const INCOMPAT_CASEFOLD = 0x20000
/** Incompatible features that do not change where inode tables are or what an inode holds for quota. */
const KNOWN_INCOMPAT =
  INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG | INCOMPAT_EA_INODE |
  INCOMPAT_DIRDATA | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA | INCOMPAT_ENCRYPT | INCOMPAT_CASEFOLD

const RO_COMPAT_SPARSE_SUPER = 0x1
const RO_COMPAT_HUGE_FILE = 0x8
const RO_COMPAT_GDT_CSUM = 0x10
const RO_COMPAT_METADATA_CSUM = 0x400
const RO_COMPAT_PROJECT = 0x2000
const COMPAT_SPARSE_SUPER2 = 0x200

export interface Ext4Super {
  inodesCount: number
  blocksCount: number
  firstDataBlock: number
  blockSize: number
  blocksPerGroup: number
  inodesPerGroup: number
  inodeSize: number
  firstIno: number
  groupCount: number
  /** bytes per group descriptor: 32, or s_desc_size with 64bit */
  descSize: number
  is64bit: boolean
  metaBg: boolean
  firstMetaBg: number
  sparseSuper: boolean
  sparseSuper2: boolean
  /** sparse_super2: the two groups holding backup superblocks */
  backupBgs: [number, number]
  /** i_blocks_high counts, and EXT4_HUGE_FILE_FL inodes count i_blocks in filesystem blocks */
  hugeFile: boolean
  /** uninit_bg or metadata_csum: bg_flags and bg_itable_unused are meaningful */
  groupDescCsum: boolean
  /** inodes carry a project id (i_projid) */
  project: boolean
  /** inodes that are the filesystem's own (journal, quota, orphan file), never charged */
  internalInodes: number[]
}

export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string}

const refuse = (reason: string): {ok: false; reason: string} => ({ok: false, reason})

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0

/** Parses and checks the superblock; `buf` holds the 1024 bytes from EXT4_SUPER_OFFSET. */
export function parseExt4Super(buf: Buffer): Parsed<Ext4Super> {
  if (buf.length < EXT4_SUPER_SIZE) return refuse('short superblock')
  if (buf.readUInt16LE(0x38) !== EXT4_MAGIC) return refuse('no ext2/3/4 superblock (bad magic)')
  const incompat = buf.readUInt32LE(0x60)
  const roCompat = buf.readUInt32LE(0x64)
  const compat = buf.readUInt32LE(0x5c)
  if (incompat & INCOMPAT_JOURNAL_DEV) return refuse('an external journal device, not a filesystem')
  const unknown = incompat & ~KNOWN_INCOMPAT
  if (unknown !== 0) return refuse(`unknown incompatible features 0x${unknown.toString(16)}`)

  const logBlockSize = buf.readUInt32LE(0x18)
  if (logBlockSize > 6) return refuse(`bad block size (log ${logBlockSize})`)
  const blockSize = 1024 << logBlockSize
  const revLevel = buf.readUInt32LE(0x4c)
  const inodeSize = revLevel === 0 ? 128 : buf.readUInt16LE(0x58)
  const firstIno = revLevel === 0 ? 11 : buf.readUInt32LE(0x54)
  if (!isPowerOfTwo(inodeSize) || inodeSize < 128 || inodeSize > blockSize) return refuse(`bad inode size ${inodeSize}`)
  const inodesCount = buf.readUInt32LE(0x00)
  const is64bit = (incompat & INCOMPAT_64BIT) !== 0
  const blocksCount = buf.readUInt32LE(0x04) + (is64bit ? buf.readUInt32LE(0x150) * 2 ** 32 : 0)
  const firstDataBlock = buf.readUInt32LE(0x14)
  const blocksPerGroup = buf.readUInt32LE(0x20)
  const inodesPerGroup = buf.readUInt32LE(0x28)
  if (blocksPerGroup === 0 || blocksPerGroup > 8 * blockSize) return refuse(`bad blocks per group ${blocksPerGroup}`)
  if (inodesPerGroup === 0 || inodesPerGroup > 8 * blockSize) return refuse(`bad inodes per group ${inodesPerGroup}`)
  if (firstDataBlock >= blocksCount) return refuse('bad first data block')
  if (firstIno < 3 || firstIno > inodesCount) return refuse(`bad first inode ${firstIno}`)
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup)
  // The kernel refuses to mount when these disagree (ext4_fill_super: "inodes count not valid").
  if (groupCount * inodesPerGroup !== inodesCount) return refuse(`inodes count ${inodesCount} is not ${groupCount} groups x ${inodesPerGroup}`)

  let descSize = 32
  if (is64bit) {
    descSize = buf.readUInt16LE(0xfe)
    if (descSize < 64 || descSize > 1024 || !isPowerOfTwo(descSize)) return refuse(`bad group descriptor size ${descSize}`)
  }
  const internalInodes = [buf.readUInt32LE(0xe0), buf.readUInt32LE(0x240), buf.readUInt32LE(0x244), buf.readUInt32LE(0x26c), buf.readUInt32LE(0x280)].filter((ino) => ino !== 0)
  return {
    ok: true,
    value: {
      inodesCount,
      blocksCount,
      firstDataBlock,
      blockSize,
      blocksPerGroup,
      inodesPerGroup,
      inodeSize,
      firstIno,
      groupCount,
      descSize,
      is64bit,
      metaBg: (incompat & INCOMPAT_META_BG) !== 0,
      firstMetaBg: buf.readUInt32LE(0x104),
      sparseSuper: (roCompat & RO_COMPAT_SPARSE_SUPER) !== 0,
      sparseSuper2: (compat & COMPAT_SPARSE_SUPER2) !== 0,
      backupBgs: [buf.readUInt32LE(0x24c), buf.readUInt32LE(0x250)],
      hugeFile: (roCompat & RO_COMPAT_HUGE_FILE) !== 0,
      groupDescCsum: (roCompat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM)) !== 0,
      project: (roCompat & RO_COMPAT_PROJECT) !== 0,
      internalInodes,
    },
  }
}
