// Remounting a filesystem read-only and back (quotacheck --remount-ro), with mount(2).
//
// A legacy MS_REMOUNT also resets the per-mount flags (nosuid, nodev, noexec, atime) to what the
// call passes, so the flags in effect are read from the mount's options and passed again;
// filesystem options are left alone (empty data: the kernel changes none of them).

import type {Filesystem} from '../core/types.js'
import {QuotaError} from '../errors.js'
import {errnoName, errnoText} from './errno.js'
import {mount} from './libc.js'

// <linux/mount.h>
export const MS_RDONLY = 1
export const MS_NOSUID = 2
export const MS_NODEV = 4
export const MS_NOEXEC = 8
export const MS_SYNCHRONOUS = 16
export const MS_REMOUNT = 32
export const MS_MANDLOCK = 64
export const MS_DIRSYNC = 128
export const MS_NOATIME = 1024
export const MS_NODIRATIME = 2048
export const MS_RELATIME = 1 << 21
export const MS_STRICTATIME = 1 << 24
export const MS_LAZYTIME = 1 << 25

const OPTION_FLAGS: Readonly<Record<string, number>> = {
  nosuid: MS_NOSUID,
  nodev: MS_NODEV,
  noexec: MS_NOEXEC,
  sync: MS_SYNCHRONOUS,
  dirsync: MS_DIRSYNC,
  noatime: MS_NOATIME,
  nodiratime: MS_NODIRATIME,
  relatime: MS_RELATIME,
  strictatime: MS_STRICTATIME,
  lazytime: MS_LAZYTIME,
}

/** The MS_* flags that keep a mount's current per-mount and generic options across a remount. */
export function keptFlags(options: readonly string[]): number {
  let flags = 0
  for (const o of options) flags |= OPTION_FLAGS[o] ?? 0
  return flags
}

function remount(fs: Filesystem, readOnly: boolean): void {
  const flags = MS_REMOUNT | keptFlags(fs.options) | (readOnly ? MS_RDONLY : 0)
  const r = mount(fs.device, fs.mountpoint, fs.fstype, flags, '')
  if (r.value < 0) {
    const name = errnoName(r.errno)
    throw new QuotaError(name === 'EPERM' ? 'permission' : 'failed', `cannot remount ${readOnly ? 'read-only' : 'read-write'}: ${errnoText(r.errno)}`, {
      errno: name,
      mount: fs.mountpoint,
      hint: name === 'EBUSY' ? 'files are open for writing on it; stop the writers, or check without --remount-ro' : undefined,
    })
  }
}

export const remountReadOnly = (fs: Filesystem): void => remount(fs, true)
export const remountReadWrite = (fs: Filesystem): void => remount(fs, false)
