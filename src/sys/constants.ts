// Kernel names, spelled as in <linux/quota.h> and <linux/dqblk_xfs.h> so they can be grepped
// against the headers. Values checked against linux-libc-dev 6.1 (quota-reference.md 1.2-1.3).
// Nothing above src/sys sees these names.

import type {QuotaFormat, QuotaType} from '../core/types.js'

// --- quotactl sub-commands (VFS family, bit 23 set so QCMD() has bit 31 set) ---
export const Q_SYNC = 0x800001
export const Q_QUOTAON = 0x800002
export const Q_QUOTAOFF = 0x800003
export const Q_GETFMT = 0x800004
export const Q_GETINFO = 0x800005
export const Q_SETINFO = 0x800006
export const Q_GETQUOTA = 0x800007
export const Q_SETQUOTA = 0x800008
export const Q_GETNEXTQUOTA = 0x800009

// --- XFS family: ('X' << 8) + n ---
export const Q_XQUOTAON = 0x5801
export const Q_XQUOTAOFF = 0x5802
export const Q_XGETQUOTA = 0x5803
export const Q_XSETQLIM = 0x5804
export const Q_XGETQSTAT = 0x5805
export const Q_XQUOTARM = 0x5806
export const Q_XQUOTASYNC = 0x5807
export const Q_XGETQSTATV = 0x5808
export const Q_XGETNEXTQUOTA = 0x5809

export const SUBCMDSHIFT = 8
export const SUBCMDMASK = 0x00ff

// --- quota types ---
export const USRQUOTA = 0
export const GRPQUOTA = 1
export const PRJQUOTA = 2
export const MAXQUOTAS = 3

/**
 * The one QCMD encoder. Int32 bit operations on purpose: the VFS commands come out negative
 * (bit 31 set), which is exactly what an I32 FFI parameter must carry; arithmetic would give a
 * positive double above 2^31 instead.
 */
export function QCMD(cmd: number, type: number): number {
  return (cmd << SUBCMDSHIFT) | (type & SUBCMDMASK)
}

// --- quota format ids (Q_QUOTAON id, Q_GETFMT result) ---
export const QFMT_VFS_OLD = 1
export const QFMT_VFS_V0 = 2
export const QFMT_OCFS2 = 3
export const QFMT_VFS_V1 = 4
export const QFMT_SHMEM = 5 // tmpfs quota, Linux 6.6+

// --- if_dqblk.dqb_valid ---
export const QIF_BLIMITS = 1 << 0
export const QIF_SPACE = 1 << 1
export const QIF_ILIMITS = 1 << 2
export const QIF_INODES = 1 << 3
export const QIF_BTIME = 1 << 4
export const QIF_ITIME = 1 << 5
export const QIF_LIMITS = QIF_BLIMITS | QIF_ILIMITS
export const QIF_USAGE = QIF_SPACE | QIF_INODES
export const QIF_TIMES = QIF_BTIME | QIF_ITIME
export const QIF_ALL = QIF_LIMITS | QIF_USAGE | QIF_TIMES
export const QIF_DQBLKSIZE_BITS = 10
export const QIF_DQBLKSIZE = 1 << QIF_DQBLKSIZE_BITS // the 1 KiB "quota block" of limits

// --- if_dqinfo.dqi_valid / dqi_flags ---
export const IIF_BGRACE = 1
export const IIF_IGRACE = 2
export const IIF_FLAGS = 4
export const IIF_ALL = IIF_BGRACE | IIF_IGRACE | IIF_FLAGS
export const DQF_ROOT_SQUASH = 1 << 0
export const DQF_SYS_FILE = 1 << 16

// --- fs_disk_quota.d_fieldmask ---
export const FS_DQ_ISOFT = 1 << 0
export const FS_DQ_IHARD = 1 << 1
export const FS_DQ_BSOFT = 1 << 2
export const FS_DQ_BHARD = 1 << 3
export const FS_DQ_RTBSOFT = 1 << 4
export const FS_DQ_RTBHARD = 1 << 5
export const FS_DQ_LIMIT_MASK = 0x3f
export const FS_DQ_BTIMER = 1 << 6
export const FS_DQ_ITIMER = 1 << 7
export const FS_DQ_RTBTIMER = 1 << 8
export const FS_DQ_TIMER_MASK = 0x1c0
export const FS_DQ_BWARNS = 1 << 9
export const FS_DQ_IWARNS = 1 << 10
export const FS_DQ_RTBWARNS = 1 << 11
export const FS_DQ_WARNS_MASK = 0xe00
export const FS_DQ_BCOUNT = 1 << 12
export const FS_DQ_ICOUNT = 1 << 13
export const FS_DQ_RTBCOUNT = 1 << 14
export const FS_DQ_ACCT_MASK = 0x7000
export const FS_DQ_BIGTIME = 1 << 15

// --- fs_disk_quota.d_flags / Q_XQUOTARM argument (project is 2, group is 4) ---
export const FS_USER_QUOTA = 1
export const FS_PROJ_QUOTA = 2
export const FS_GROUP_QUOTA = 4

// --- Q_XQUOTAON/OFF argument and qs_flags ---
export const FS_QUOTA_UDQ_ACCT = 1 << 0
export const FS_QUOTA_UDQ_ENFD = 1 << 1
export const FS_QUOTA_GDQ_ACCT = 1 << 2
export const FS_QUOTA_GDQ_ENFD = 1 << 3
export const FS_QUOTA_PDQ_ACCT = 1 << 4
export const FS_QUOTA_PDQ_ENFD = 1 << 5

export const FS_DQUOT_VERSION = 1
export const FS_QSTAT_VERSION = 1
export const FS_QSTATV_VERSION1 = 1

/** XFS "basic block": every block field of the Q_X* structs counts these. */
export const BBSIZE = 512

// --- quotactl_fd has no glibc wrapper (2.36): syscall(2) with this number, the same on every arch ---
export const SYS_quotactl_fd = 443

// open(2) flags for the quotactl_fd handle. O_PATH is not in fs.constants; 0o10000000 is its value
// on x86_64, arm64, riscv and every asm-generic arch (only alpha/parisc/sparc differ).
export const O_PATH = 0o10000000

// --- mappings from domain names (the only place both vocabularies meet, with structs.ts) ---

export const QTYPE: Readonly<Record<QuotaType, number>> = {user: USRQUOTA, group: GRPQUOTA, project: PRJQUOTA}

export const XFS_QTYPE_FLAG: Readonly<Record<QuotaType, number>> = {
  user: FS_USER_QUOTA,
  group: FS_GROUP_QUOTA,
  project: FS_PROJ_QUOTA,
}

export const FS_QUOTA_ACCT: Readonly<Record<QuotaType, number>> = {
  user: FS_QUOTA_UDQ_ACCT,
  group: FS_QUOTA_GDQ_ACCT,
  project: FS_QUOTA_PDQ_ACCT,
}

export const FS_QUOTA_ENFD: Readonly<Record<QuotaType, number>> = {
  user: FS_QUOTA_UDQ_ENFD,
  group: FS_QUOTA_GDQ_ENFD,
  project: FS_QUOTA_PDQ_ENFD,
}

/** Q_GETFMT id -> linuxquota's format name. tmpfs (QFMT_SHMEM) has no name in QuotaFormat yet. */
export function formatName(qfmt: number): QuotaFormat {
  switch (qfmt) {
    case QFMT_VFS_OLD:
      return 'vfsold'
    case QFMT_VFS_V0:
      return 'vfsv0'
    case QFMT_OCFS2:
      return 'ocfs2'
    case QFMT_VFS_V1:
      return 'vfsv1'
    default:
      return 'unknown'
  }
}

export const QFMT_OF: Readonly<Record<'vfsold' | 'vfsv0' | 'vfsv1', number>> = {
  vfsold: QFMT_VFS_OLD,
  vfsv0: QFMT_VFS_V0,
  vfsv1: QFMT_VFS_V1,
}
