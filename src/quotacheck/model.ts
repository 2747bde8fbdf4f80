// The result model of `quotakit quotacheck` (its --json output; schemas/quotacheck.schema.json).

import type {QuotaType} from '../core/types.js'

export type QuotacheckMode = 'check' | 'fix' | 'create'

/**
 * Per filesystem and type:
 *   consistent  the scan equals the recorded usage
 *   drift       it does not (check mode)
 *   fixed       --fix: the kernel now holds the scanned usage
 *   written     a quota file was written (-c, or --fix with quota off)
 *   failed      see error
 */
export type TypeStatus = 'consistent' | 'drift' | 'fixed' | 'written' | 'failed'

export interface ErrorJson {
  kind: string
  message: string
  errno: string | null
  hint: string | null
  exitCode: number
}

export interface UsageJson {
  usedBytes: number
  inodes: number
}

export interface DriftJson {
  id: number
  name: string | null
  /** what the kernel (or the quota file) records */
  recorded: UsageJson
  /** what the scan counted */
  scanned: UsageJson
  /** scanned - recorded */
  deltaBytes: number
  deltaInodes: number
  /** --fix only: whether the kernel took the scanned usage */
  fix: {status: 'applied' | 'failed'; error: ErrorJson | null} | null
}

export interface QuotaFileJson {
  path: string
  format: 'vfsv0' | 'vfsv1'
  entries: number
  bytes: number
  /** where the previous file was kept (-b) */
  backup: string | null
  /** limits and grace times were carried over from the previous file */
  keptLimits: boolean
  /** quota was on: it was turned off for the rename and on again (-f) */
  quotaRestarted: boolean
}

export interface TypeCheckJson {
  type: QuotaType
  /** the quota format the usage is recorded in */
  format: string
  /** where the recorded usage came from: the kernel (quota on) or the quota file (quota off) */
  source: 'kernel' | 'file' | null
  status: TypeStatus
  /** ids with usage in the scan or the record */
  ids: number
  drift: DriftJson[]
  file: QuotaFileJson | null
  error: ErrorJson | null
}

export interface ScanJson {
  /** walk: the directory tree was walked; inode-table: ext2/3/4 inode tables were read from the device */
  method: 'walk' | 'inode-table'
  /** why an ext2/3/4 filesystem was walked rather than read from its inode tables (null otherwise) */
  fallback: string | null
  files: number
  directories: number
  bytes: number
  /** directory entries that were further links to an inode already counted */
  extraLinks: number
  /** entries that disappeared while the scan ran */
  vanished: number
  /** mountpoints (other filesystems) below the root, not entered */
  skippedMounts: number
  durationMs: number
  filesPerSecond: number
  threads: number
  remountedReadOnly: boolean
  /** inodes the kernel charges to id 0 that a walk cannot see, added to id 0 (XFS realtime bitmap and summary) */
  hiddenInodes: number
  /** paths that could not be read (the first few); a scan with any is incomplete */
  issues: Array<{path: string; code: string; op: string}>
}

export interface FilesystemCheckJson {
  mountpoint: string
  device: string
  fstype: string
  scan: ScanJson | null
  types: TypeCheckJson[]
  error: ErrorJson | null
}

export interface QuotacheckResult {
  schemaVersion: number
  mode: QuotacheckMode
  filesystems: FilesystemCheckJson[]
}
