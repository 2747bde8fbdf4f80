// Project ids of inodes: FS_IOC_FSGETXATTR (struct fsxattr, <linux/fs.h>), the only interface
// ext4 and XFS offer for reading an inode's project id. It needs an open file descriptor, so it
// works for regular files and directories only: a symlink cannot be opened (O_PATH descriptors
// refuse ioctls), and opening a device, FIFO or socket would have side effects. The kernel gives
// those inodes their directory's project id when they are created under a PROJINHERIT directory,
// which is what the scanner assumes for them (docs: quotacheck(8) NOTES).
//
// Cost (dev VM, Node 20, ffi-rs 1.3.7; loaded machine, so upper bounds): open + close ~3-10 us
// through Node, the ioctl through ffi-rs ~10 us without errno capture (libc.ts), so ~15-25 us per
// inode. The scanner calls this only when project quota is being checked.

import {closeSync, constants as fsc, openSync} from 'node:fs'

import {errnoName} from './errno.js'
import {ioctl} from './libc.js'

/** _IOR('X', 31, struct fsxattr) */
export const FS_IOC_FSGETXATTR = 0x801c581f
export const FSXATTR_SIZE = 28
/** struct fsxattr: fsx_xflags u32 @0, fsx_extsize u32 @4, fsx_nextents u32 @8, fsx_projid u32 @12, fsx_cowextsize u32 @16, fsx_pad[8] @20 */
export const FSXATTR = {fsx_xflags: 0, fsx_extsize: 4, fsx_nextents: 8, fsx_projid: 12, fsx_cowextsize: 16} as const
/** fsx_xflags: new inodes in this directory inherit its project id */
export const FS_XFLAG_PROJINHERIT = 0x200

export interface FsxattrResult {
  projid: number
  xflags: number
}

export class ProjectIdError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`${path}: cannot read the project id (${code})`)
    this.name = 'ProjectIdError'
  }
}

const buf = Buffer.alloc(FSXATTR_SIZE)
const OPEN_FLAGS = fsc.O_RDONLY | fsc.O_NONBLOCK | fsc.O_NOFOLLOW | fsc.O_NOCTTY

/** FS_IOC_FSGETXATTR on an open descriptor, or the errno it failed with. */
export function fsxattrOfFd(fd: number): FsxattrResult | {errno: number} {
  buf.fill(0)
  const r = ioctl(fd, FS_IOC_FSGETXATTR, buf)
  if (r.value < 0) return {errno: r.errno}
  return {projid: buf.readUInt32LE(FSXATTR.fsx_projid), xflags: buf.readUInt32LE(FSXATTR.fsx_xflags)}
}

const ENOTTY = 25
const EOPNOTSUPP = 95

/**
 * The project id of a regular file or directory (given by path; symlinks are not followed).
 * Filesystems without the ioctl (ENOTTY/EOPNOTSUPP: tmpfs before 6.6, ...) have no project ids:
 * 0. Other failures throw ProjectIdError with the errno name.
 */
export function projectIdOf(path: string): number {
  let fd: number
  try {
    fd = openSync(path, OPEN_FLAGS)
  } catch (e) {
    throw new ProjectIdError(path, (e as NodeJS.ErrnoException).code ?? 'EIO')
  }
  try {
    const r = fsxattrOfFd(fd)
    if ('errno' in r) {
      if (r.errno === ENOTTY || r.errno === EOPNOTSUPP) return 0
      throw new ProjectIdError(path, errnoName(r.errno))
    }
    return r.projid
  } finally {
    closeSync(fd)
  }
}
