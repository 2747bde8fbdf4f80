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

/**
 * What linuxquota -v prints after a vfsv0/vfsv1 file's rows (its `Statistics:`): the header's block
 * count, the data blocks the tree reaches and the entries in them. Known only when the records were
 * read from the file (the kernel interface does not expose the tree); not part of the JSON model.
 */
export interface QuotaTreeStats {
  blocks: number
  dataBlocks: number
  entries: number
}

export interface BlockInput {
  fs: Filesystem
  type: QuotaType
  records: Iterable<QuotaRecord>
  /** the quota file's tree statistics, when the records came from the file */
  tree?: QuotaTreeStats
  /** name for an id, null when unknown (or when names are off: -n) */
  nameOf: (id: number) => string | null
  nowEpoch: number
  /** null: the records are exactly the ids asked for (--only): keep all, in the given order */
  selection: Selection | null
}

/** What a block whose entries are not made yet keeps: its selected records and how to finish them. */
export interface PendingRows {
  records: QuotaRecord[]
  nameOf: (id: number) => string | null
  nowEpoch: number
}

const pending = new WeakMap<ReportBlock, PendingRows>()
const trees = new WeakMap<ReportBlock, QuotaTreeStats>()

/** The quota file's tree statistics of a block read from the file; undefined when the kernel gave its records. */
export const treeStatsOf = (block: ReportBlock): QuotaTreeStats | undefined => trees.get(block)

/**
 * The selected records of a block whose entries have not been made, in report order; undefined once
 * they have (or were set). Renderers that only need each row's text go from these straight to
 * their cells (output/repquota-cells.ts forEachCells), with the same statuses reportEntry gives.
 */
export const pendingRows = (block: ReportBlock): PendingRows | undefined => pending.get(block)

/**
 * One report block. Ordering: id order (linuxquota orders by the passwd/group database when it
 * caches names; see docs/compat.md). With `--only` the ids keep the order they were asked in.
 *
 * The entries are made when first read (JSON), or one at a time by forEachEntry (xml); the default
 * and csv layouts make none (output/repquota-cells.ts forEachCells). 100k entries alive at once,
 * with their records, were what the young-generation GC spent its time copying (host, 100k ids: a
 * quarter of the report's time). Until then the block keeps the selected records, and names are
 * looked up as rows are made.
 */
export function buildReportBlock({fs, type, records, tree, nameOf, nowEpoch, selection}: BlockInput): ReportBlock {
  const st = fs.quotas[type]
  // one pass over the records (100k ids: no intermediate copy before the filter)
  const chosen: QuotaRecord[] = []
  let inOrder = true // kernel enumeration and the file reader already give id order: no sort then
  const choose = (r: QuotaRecord) => {
    if (selection && !selectRecord(r, selection)) return
    if (inOrder && chosen.length > 0 && chosen[chosen.length - 1].id > r.id) inOrder = false
    chosen.push(r)
  }
  // An array by index: for-of's iterator steps cost more than the test itself before V8 optimises.
  if (Array.isArray(records)) for (let k = 0; k < records.length; k++) choose(records[k])
  else for (const r of records) choose(r)
  if (selection && !inOrder) chosen.sort((a, b) => a.id - b.id)
  let entries: ReportEntry[] | undefined
  const block: ReportBlock = {
    ...reportBlockHeaderJson(fs, type),
    accounting: st?.accounting ?? false,
    enforcement: st?.enforcement ?? false,
    systemFile: st?.systemFile ?? false,
    get entries(): ReportEntry[] {
      if (!entries) {
        entries = []
        forEachEntry(block, (e) => entries!.push(e))
        pending.delete(block)
      }
      return entries
    },
    set entries(value: ReportEntry[]) {
      entries = value
      pending.delete(block)
    },
  }
  pending.set(block, {records: chosen, nameOf, nowEpoch})
  if (tree) trees.set(block, tree)
  return block
}

/** Each entry of a block in order; made one at a time and not kept when the block has not made them yet. */
export function forEachEntry(block: ReportBlock, visit: (entry: ReportEntry) => void): void {
  const p = pending.get(block)
  if (!p) {
    for (const e of block.entries) visit(e)
    return
  }
  const {records, nameOf, nowEpoch} = p
  for (let k = 0; k < records.length; k++) visit(reportEntry(records[k], nameOf(records[k].id), nowEpoch))
}

/** The name linuxquota prints: the resolved name, or `#id`. */
export const displayName = (entry: Pick<ReportEntry, 'id' | 'name'>): string => entry.name ?? `#${entry.id}`
