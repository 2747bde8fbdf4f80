// The domain vocabulary shared by every command. Pure types: no I/O, no kernel names.
// Units are in the names: bytes for space, plain counts for inodes, epoch seconds for absolute
// grace expiry, seconds for grace periods. A limit of 0 means "no limit", as in the kernel;
// the JSON model turns that 0 into null (see src/core/json.ts).

export type QuotaType = 'user' | 'group' | 'project'
export const QUOTA_TYPES: readonly QuotaType[] = ['user', 'group', 'project']

/** Quota formats, named as linuxquota names them (`-F`). */
export type QuotaFormat = 'vfsold' | 'vfsv0' | 'vfsv1' | 'ocfs2' | 'xfs' | 'unknown'

export interface SpaceUsage {
  usedBytes: number
  softLimitBytes: number // 0 = no limit
  hardLimitBytes: number // 0 = no limit
  graceExpiresAt: number // epoch seconds; 0 = no timer running
}

export interface InodeUsage {
  used: number
  softLimit: number // 0 = no limit
  hardLimit: number // 0 = no limit
  graceExpiresAt: number // epoch seconds; 0 = no timer running
}

/** One id's quota record on one filesystem for one type, as the kernel reports it. */
export interface QuotaRecord {
  id: number
  space: SpaceUsage
  inodes: InodeUsage
}

/**
 * A partial update: only the fields present are sent to the kernel (valid mask / fieldmask).
 * Space limits are sent as a pair in the VFS API (QIF_BLIMITS), so a backend that is given one
 * side only reads the other back first; that read-modify-write lives in the backend.
 */
export interface QuotaUpdate {
  softLimitBytes?: number
  hardLimitBytes?: number
  inodeSoftLimit?: number
  inodeHardLimit?: number
  usedBytes?: number
  inodesUsed?: number
  spaceGraceExpiresAt?: number // epoch seconds, 0 = clear the timer
  inodeGraceExpiresAt?: number
}

export interface GraceInfo {
  blockGraceSeconds: number
  inodeGraceSeconds: number
}

/** What the kernel says about one quota type on one filesystem. */
export interface QuotaTypeState {
  accounting: boolean
  enforcement: boolean
  format: QuotaFormat
  /** Quota kept in hidden system inodes (ext4 `quota` feature, XFS) rather than aquota.* files. */
  systemFile: boolean
  grace: GraceInfo | null
}

export interface Filesystem {
  mountpoint: string
  device: string // mount source as in mountinfo, e.g. /dev/vdb
  fstype: string
  devMajor: number
  devMinor: number
  options: string[] // per-mount and superblock options merged
  quotas: Partial<Record<QuotaType, QuotaTypeState>>
}

/** A resolved identity: the id, and its name when NSS / projid knows one. */
export interface Identity {
  type: QuotaType
  id: number
  name: string | null
}
