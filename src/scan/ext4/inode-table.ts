// Counting one block group's inodes from its raw inode table (struct ext4_inode; Documentation/
// filesystems/ext4/inodes.rst), as the kernel's quota charges them:
//   - an inode counts when its bit is set in the group's inode bitmap (allocated: what the kernel
//     charged at creation and uncharges only when it frees the inode, so a file deleted while
//     still open counts, as it does for the kernel) and its mode is not 0;
//   - not the reserved inodes below s_first_ino except the root (2), nor the filesystem's own
//     inodes (journal, hidden quota files, orphan file), nor extended-attribute inodes
//     (EXT4_EA_INODE_FL: the kernel charges their space to the file that owns the attribute);
//   - uid and gid: the low 16 bits plus the high 16 bits from osd2; project id (i_projid, 0x9C)
//     only with the project feature and when i_extra_isize covers it, else 0 (ext4_iget);
//   - space: i_blocks x 512 (the kernel's inode_get_bytes), i_blocks_high included with huge_file,
//     and i_blocks in filesystem blocks for EXT4_HUGE_FILE_FL inodes (ext4_inode_blocks).
// Fields are read through 16- and 32-bit views of the table (a little-endian host is required:
// the caller checks), which keeps the per-inode cost to a few indexed loads.

import type {InodeAccumulator} from './accumulator.js'
import type {Ext4Super} from './superblock.js'

const S_IFMT = 0xf000
const S_IFDIR = 0x4000
const EXT4_HUGE_FILE_FL = 0x40000
const EXT4_EA_INODE_FL = 0x200000
const ROOT_INO = 2
/** i_projid is at 0x9C: i_extra_isize must reach 0x9C + 4 - 128 */
const PROJID_EXTRA = 0x9c + 4 - 128

export interface TableSlice {
  /** the raw inodes, `count` of them, starting at a 4-byte-aligned offset */
  table: Buffer
  /** the group's inode bitmap (bit i: the group's inode i) */
  bitmap: Buffer
  /** index within the group of the first inode in `table` */
  firstIndex: number
  count: number
  /** inode number of the group's first inode (group * inodes_per_group + 1) */
  groupFirstIno: number
}

/** Adds the allocated inodes of one slice of a group's inode table to `acc`. */
export function countInodes(sb: Ext4Super, slice: TableSlice, acc: InodeAccumulator, skip: ReadonlySet<number>): void {
  const {table, bitmap, firstIndex, count, groupFirstIno} = slice
  if (table.byteOffset % 4 !== 0) throw new Error('inode table slice is not 4-byte aligned')
  const u16 = new Uint16Array(table.buffer, table.byteOffset, (count * sb.inodeSize) >> 1)
  const u32 = new Uint32Array(table.buffer, table.byteOffset, (count * sb.inodeSize) >> 2)
  const h16 = sb.inodeSize >> 1
  const h32 = sb.inodeSize >> 2
  const large = sb.inodeSize > 128
  const projects = acc.project !== null && sb.project && large
  const maxExtra = sb.inodeSize - 128
  const hugeFile = sb.hugeFile
  const blockShift = 2 ** (Math.log2(sb.blockSize) - 9)
  const firstIno = sb.firstIno
  const user = acc.user
  const group = acc.group
  const project = acc.project
  let files = 0
  let dirs = 0
  let total = 0
  let extraLinks = 0
  for (let i = 0; i < count; i++) {
    const index = firstIndex + i
    const bits = bitmap[index >> 3]
    if (bits === 0 && (index & 7) === 0 && i + 8 <= count) {
      i += 7 // eight free inodes in a row
      continue
    }
    if ((bits & (1 << (index & 7))) === 0) continue
    const a = i * h16
    const mode = u16[a]
    if (mode === 0) continue
    const ino = groupFirstIno + index
    if ((ino < firstIno && ino !== ROOT_INO) || skip.has(ino)) continue
    const w = i * h32
    const flags = u32[w + 8] // 0x20
    if (flags & EXT4_EA_INODE_FL) continue
    const uid = u16[a + 1] | (u16[a + 0x3c] << 16) // 0x02, 0x78
    const gid = u16[a + 0x0c] | (u16[a + 0x3d] << 16) // 0x18, 0x7A
    let blocks = u32[w + 7] // 0x1C
    if (hugeFile) {
      blocks += u16[a + 0x3a] * 4294967296 // 0x74
      if (flags & EXT4_HUGE_FILE_FL) blocks *= blockShift
    }
    const bytes = blocks * 512
    user.add(uid >>> 0, bytes)
    group.add(gid >>> 0, bytes)
    if (project !== null) {
      let projid = 0
      if (projects) {
        const extra = u16[a + 0x40] // 0x80
        if (extra >= PROJID_EXTRA && extra <= maxExtra) projid = u32[w + 0x27] // 0x9C
      }
      project.add(projid, bytes)
    }
    if ((mode & S_IFMT) === S_IFDIR) {
      dirs++
    } else {
      files++
      const links = u16[a + 0x0d] // 0x1A
      if (links > 1) extraLinks += links - 1
    }
    total += bytes
  }
  acc.files += files
  acc.dirs += dirs
  acc.bytes += total
  acc.extraLinks += extraLinks
}
