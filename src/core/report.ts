// The repquota report model: what `quotakit repquota` returns and `--json` prints. One block per
// filesystem and quota type, entries in id order. Built from records the command fetched and a
// name lookup it supplies, so this stays pure. Renderers (src/output/repquota-*.ts) read only
// this model; statuses are computed here, once, by core/limits.ts.

import {graceJson, limitOrNull, type ReportBlockHeaderJson, reportBlockHeaderJson} from './json.js'
import {hasLimits, hasUsage, inodeStatus, type Status, spaceStatus} from './limits.js'
import type {Filesystem, QuotaRecord, QuotaType} from './types.js'

export interface ReportSpace {
  usedBytes: number
  softLimitBytes: number | null // null = no limit
  hardLimitBytes: number | null
  graceExpiresAt: string | null // ISO 8601; null = no timer running
  graceExpiresAtEpoch: number | null
  status: Status
}

export interface ReportInodes {
  used: number
  softLimit: number | null
  hardLimit: number | null
  graceExpiresAt: string | null
  graceExpiresAtEpoch: number | null
  status: Status
}

export interface ReportEntry {
  id: number
  name: string | null // null when unresolved, or with -n
  space: ReportSpace
  inodes: ReportInodes
}

export interface ReportBlock extends ReportBlockHeaderJson {
  /** accounting/enforcement as the kernel reports them (XFS -v prints them) */
  accounting: boolean
  enforcement: boolean
  /** hidden system-file quota (ext4 quota feature, XFS) rather than aquota.* files */
  systemFile: boolean
  entries: ReportEntry[]
}

export interface RepquotaResult {
  schemaVersion: number
  reports: ReportBlock[]
}

/**
 * Which ids a report lists:
 *   default       ids with some usage (linuxquota skips all-zero usage)
 *   withLimits    also ids with limits but no usage (ours; linuxquota needs -v, which lists everything)
 *   verbose (-v)  every id the kernel returned
 * `--only` bypasses selection: the command fetches exactly those ids and they are always listed.
 */
export interface Selection {
  verbose: boolean
  withLimits: boolean
}

export function selectRecord(rec: QuotaRecord, sel: Selection): boolean {
  return sel.verbose || hasUsage(rec) || (sel.withLimits && hasLimits(rec))
}

/** The record of an id the kernel holds nothing for (XFS answers ENOENT): zeros, no limits. */
export const noQuotaRecord = (id: number): QuotaRecord => ({
  id,
  space: {usedBytes: 0, softLimitBytes: 0, hardLimitBytes: 0, graceExpiresAt: 0},
  inodes: {used: 0, softLimit: 0, hardLimit: 0, graceExpiresAt: 0},
})

export function reportEntry(rec: QuotaRecord, name: string | null, nowEpoch: number): ReportEntry {
  const spaceGrace = graceJson(rec.space.graceExpiresAt)
  const inodeGrace = graceJson(rec.inodes.graceExpiresAt)
  return {
    id: rec.id,
    name,
    space: {
      usedBytes: rec.space.usedBytes,
      softLimitBytes: limitOrNull(rec.space.softLimitBytes),
      hardLimitBytes: limitOrNull(rec.space.hardLimitBytes),
      graceExpiresAt: spaceGrace.expiresAt,
      graceExpiresAtEpoch: spaceGrace.expiresAtEpoch,
      status: spaceStatus(rec, nowEpoch),
    },
    inodes: {
      used: rec.inodes.used,
      softLimit: limitOrNull(rec.inodes.softLimit),
      hardLimit: limitOrNull(rec.inodes.hardLimit),
      graceExpiresAt: inodeGrace.expiresAt,
      graceExpiresAtEpoch: inodeGrace.expiresAtEpoch,
      status: inodeStatus(rec, nowEpoch),
    },
  }
}

export interface BlockInput {
  fs: Filesystem
  type: QuotaType
  records: Iterable<QuotaRecord>
  /** name for an id, null when unknown (or when names are off: -n) */
  nameOf: (id: number) => string | null
  nowEpoch: number
  /** null: the records are exactly the ids asked for (--only): keep all, in the given order */
  selection: Selection | null
}

/**
 * One report block. Ordering: id order (linuxquota orders by the passwd/group database when it
 * caches names; see docs/compat.md). With `--only` the ids keep the order they were asked in.
 */
export function buildReportBlock({fs, type, records, nameOf, nowEpoch, selection}: BlockInput): ReportBlock {
  const st = fs.quotas[type]
  // One pass, each record turned into its entry at once, so the records of a kernel walk die young
  // instead of all staying alive until the last one is fetched (100k ids: young-GC copying).
  const entries: ReportEntry[] = []
  let inOrder = true // kernel enumeration and the file reader already give id order: no sort then
  for (const r of records) {
    if (selection && !selectRecord(r, selection)) continue
    if (inOrder && entries.length > 0 && entries[entries.length - 1].id > r.id) inOrder = false
    entries.push(reportEntry(r, nameOf(r.id), nowEpoch))
  }
  if (selection && !inOrder) entries.sort((a, b) => a.id - b.id)
  return {
    ...reportBlockHeaderJson(fs, type),
    accounting: st?.accounting ?? false,
    enforcement: st?.enforcement ?? false,
    systemFile: st?.systemFile ?? false,
    entries,
  }
}

/** The name linuxquota prints: the resolved name, or `#id`. */
export const displayName = (entry: Pick<ReportEntry, 'id' | 'name'>): string => entry.name ?? `#${entry.id}`
