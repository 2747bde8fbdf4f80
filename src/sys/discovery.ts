// Which quota types are on, per mounted filesystem, as the kernel says. Never throws for a single
// mount: a filesystem the kernel will not describe is listed with empty `quotas`.
//
// Cost is kept low for `quotakit filesystems`: pseudo filesystems are skipped without a syscall,
// one Q_XGETQSTATV answers "nothing is on" (ENOSYS) for the common quota-less mount, and bind
// mounts of one superblock are probed once.

import type {Filesystem, GraceInfo, QuotaType, QuotaTypeState} from '../core/types.js'
import {QUOTA_TYPES} from '../core/types.js'
import {DQF_SYS_FILE, FS_QUOTA_ACCT, FS_QUOTA_ENFD, formatName} from './constants.js'
import {hasErrno} from './errno.js'
import {ensureNative} from './libc.js'
import {type MountEntry, readMountinfo, visibleMounts} from './mounts.js'
import {type QuotaTarget, qGetFmt, qGetInfo, qXGetQStatV} from './quotactl.js'
import {dqinfoToGrace, type FsQuotaStatv} from './structs.js'

type Quotas = Filesystem['quotas']

/** Filesystem types whose kernel driver implements quotactl. */
const QUOTA_FSTYPES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'reiserfs', 'jfs', 'ocfs2', 'gfs2', 'f2fs', 'bcachefs'])

/** Worth a syscall: a quota-capable type, or any mount whose options ask for quota (tmpfs usrquota). */
export function mayHaveQuota(fstype: string, options: string[]): boolean {
  if (QUOTA_FSTYPES.has(fstype)) return true
  return options.some((o) => o !== 'noquota' && (o.includes('quota') || o.includes('qnoenforce')))
}

export function toFilesystem(m: MountEntry): Filesystem {
  return {
    mountpoint: m.mountpoint,
    device: m.source,
    fstype: m.fstype,
    devMajor: m.devMajor,
    devMinor: m.devMinor,
    options: m.options,
    quotas: {},
  }
}

function statvGrace(s: FsQuotaStatv): GraceInfo {
  return {blockGraceSeconds: s.qs_btimelimit, inodeGraceSeconds: s.qs_itimelimit}
}

/** Q_GETINFO per type; statv's time limits (reported for the first active type only) as fallback. */
function graceOf(t: QuotaTarget, type: QuotaType, statv: FsQuotaStatv | null): {grace: GraceInfo | null; flags: number} {
  try {
    const info = qGetInfo(t, type)
    return {grace: dqinfoToGrace(info), flags: info.dqi_flags}
  } catch {
    return {grace: statv ? statvGrace(statv) : null, flags: 0}
  }
}

function probeXfs(t: QuotaTarget): Quotas {
  let statv: FsQuotaStatv
  try {
    statv = qXGetQStatV(t)
  } catch {
    return {} // ENOSYS: mounted without quota
  }
  const out: Quotas = {}
  for (const type of QUOTA_TYPES) {
    if (!(statv.qs_flags & FS_QUOTA_ACCT[type])) continue
    out[type] = {
      accounting: true,
      enforcement: (statv.qs_flags & FS_QUOTA_ENFD[type]) !== 0,
      format: 'xfs',
      systemFile: true,
      grace: graceOf(t, type, statv).grace,
    }
  }
  return out
}

function vfsState(t: QuotaTarget, type: QuotaType, enforcement: boolean, statv: FsQuotaStatv | null): QuotaTypeState | null {
  let qfmt: number
  try {
    qfmt = qGetFmt(t, type)
  } catch {
    return null // ESRCH: this type is off
  }
  const {grace, flags} = graceOf(t, type, statv)
  return {accounting: true, enforcement, format: formatName(qfmt), systemFile: (flags & DQF_SYS_FILE) !== 0, grace}
}

/**
 * dquot-based filesystems (ext4, tmpfs, ...). Q_XGETQSTATV tells accounting from enforcement,
 * which matters for ext4's hidden quota (accounting always on, limits only after quotaon). Kernels
 * without it fall back to Q_GETFMT per type, where "on" means accounting and enforcement.
 */
function probeVfs(t: QuotaTarget): Quotas {
  let statv: FsQuotaStatv | null = null
  try {
    statv = qXGetQStatV(t)
  } catch (e) {
    if (hasErrno(e, 'ENOSYS', 'ENOTBLK', 'EOPNOTSUPP', 'ENODEV', 'ENOENT', 'EACCES', 'EPERM')) return {}
    // EINVAL and friends: an older kernel without the XFS-style state call for this fs.
  }
  const out: Quotas = {}
  for (const type of QUOTA_TYPES) {
    if (statv && !(statv.qs_flags & FS_QUOTA_ACCT[type])) continue
    const enforcement = statv ? (statv.qs_flags & FS_QUOTA_ENFD[type]) !== 0 : true
    const st = vfsState(t, type, enforcement, statv)
    if (st) out[type] = st
  }
  return out
}

export function probe(t: QuotaTarget, fstype: string): Quotas {
  try {
    return fstype === 'xfs' ? probeXfs(t) : probeVfs(t)
  } catch {
    return {} // e.g. the mountpoint cannot be opened for quotactl_fd
  }
}

/** Every visible mount with its quota state. */
export function discover(mounts: MountEntry[] = readMountinfo()): Filesystem[] {
  const bySuperblock = new Map<string, Quotas>()
  return visibleMounts(mounts).map((m) => {
    const fs = toFilesystem(m)
    if (!mayHaveQuota(m.fstype, m.options)) return fs
    const key = `${m.devMajor}:${m.devMinor}`
    let quotas = bySuperblock.get(key)
    if (!quotas) {
      ensureNative() // a broken FFI install must fail loudly, not look like "no quota anywhere"
      quotas = probe(fs, m.fstype)
      bySuperblock.set(key, quotas)
    }
    fs.quotas = structuredClone(quotas)
    return fs
  })
}
