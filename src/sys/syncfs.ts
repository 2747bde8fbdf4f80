// Writing a filesystem's dirty data and metadata out (syncfs(2)) before quotacheck reads its
// inode tables from the block device: ext4 only settles delayed allocations (and so i_blocks)
// at writeback, and until then the usage is in memory only, where a stat (the walk) sees it and
// the device does not.

import {closeSync, openSync, constants as fsc} from 'node:fs'

import type {Filesystem} from '../core/types.js'
import {QuotaError} from '../errors.js'
import {errnoName, errnoText} from './errno.js'
import {syncfs} from './libc.js'

export function syncFilesystem(fs: Filesystem): void {
  let fd: number
  try {
    fd = openSync(fs.mountpoint, fsc.O_RDONLY | fsc.O_DIRECTORY)
  } catch (e) {
    throw new QuotaError('failed', `cannot open the mountpoint to sync it: ${(e as Error).message}`, {mount: fs.mountpoint, errno: (e as NodeJS.ErrnoException).code})
  }
  try {
    const r = syncfs(fd)
    if (r.value < 0) throw new QuotaError('failed', `cannot sync the filesystem: ${errnoText(r.errno)}`, {mount: fs.mountpoint, errno: errnoName(r.errno)})
  } finally {
    closeSync(fd)
  }
}
