// The JSON output contract (architecture.md, "Output contract"), built in one place so every
// command speaks the same shape: byte and inode counts as integers, null for "no limit" (the
// kernel's 0), grace expiry as ISO 8601 plus epoch seconds, and per-filesystem blocks that carry
// mountpoint, device, fstype and format. Shapes are pinned by the JSON Schemas in schemas/.

import type {Filesystem, QuotaType, QuotaTypeState} from './types.js'

/** Bump only with a breaking change to any command's JSON; documented in docs/json.md. */
export const SCHEMA_VERSION = 1

export const limitOrNull = (limit: number): number | null => (limit === 0 ? null : limit)

export interface GraceJson {
  expiresAt: string | null // ISO 8601
  expiresAtEpoch: number | null
}

/** No timer running: shared (and frozen), since reports build two of these per id. */
const NO_GRACE: GraceJson = Object.freeze({expiresAt: null, expiresAtEpoch: null})

export function graceJson(epochSeconds: number): GraceJson {
  return epochSeconds === 0 ? NO_GRACE : {expiresAt: new Date(epochSeconds * 1000).toISOString(), expiresAtEpoch: epochSeconds}
}

export interface FilesystemRefJson {
  mountpoint: string
  device: string
  fstype: string
}

export const filesystemRefJson = (fs: Filesystem): FilesystemRefJson => ({
  mountpoint: fs.mountpoint,
  device: fs.device,
  fstype: fs.fstype,
})

export interface QuotaTypeStateJson {
  accounting: boolean
  enforcement: boolean
  format: string
  systemFile: boolean
  blockGraceSeconds: number | null
  inodeGraceSeconds: number | null
}

export const quotaTypeStateJson = (st: QuotaTypeState): QuotaTypeStateJson => ({
  accounting: st.accounting,
  enforcement: st.enforcement,
  format: st.format,
  systemFile: st.systemFile,
  blockGraceSeconds: st.grace?.blockGraceSeconds ?? null,
  inodeGraceSeconds: st.grace?.inodeGraceSeconds ?? null,
})

/** The header every per-filesystem-and-type report block starts with. */
export interface ReportBlockHeaderJson extends FilesystemRefJson {
  type: QuotaType
  format: string
  blockGraceSeconds: number | null
  inodeGraceSeconds: number | null
}

export function reportBlockHeaderJson(fs: Filesystem, type: QuotaType): ReportBlockHeaderJson {
  const st = fs.quotas[type]
  return {
    ...filesystemRefJson(fs),
    type,
    format: st?.format ?? 'unknown',
    blockGraceSeconds: st?.grace?.blockGraceSeconds ?? null,
    inodeGraceSeconds: st?.grace?.inodeGraceSeconds ?? null,
  }
}
