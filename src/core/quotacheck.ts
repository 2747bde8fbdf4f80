// quotacheck's decisions, pure: how scanned usage compares with what the kernel (or a quota file)
// records, what --fix sends to correct it, and what a rebuilt quota file holds. The scan itself is
// src/scan/, the file format src/quotafile/, the orchestration src/quotacheck/.

import {overSoft, inodeSide, spaceSideKiB} from './limits.js'
import type {GraceInfo, QuotaRecord, QuotaUpdate} from './types.js'

/** Usage of one id as the scan counted it. */
export interface ScannedUsage {
  inodes: number
  bytes: number
}

/** One id whose recorded usage differs from the scan. */
export interface Drift {
  id: number
  recorded: {usedBytes: number; inodes: number}
  scanned: {usedBytes: number; inodes: number}
}

/**
 * Every id whose recorded space or inode count differs from the scan, in id order. An id the scan
 * found but nothing records counts as recorded 0; an id recorded with usage but not found, as
 * scanned 0. Limits play no part.
 */
export function compareUsage(scanned: ReadonlyMap<number, ScannedUsage>, recorded: Iterable<QuotaRecord>): Drift[] {
  const drift: Drift[] = []
  const seen = new Set<number>()
  for (const rec of recorded) {
    seen.add(rec.id)
    const s = scanned.get(rec.id) ?? {inodes: 0, bytes: 0}
    if (s.bytes !== rec.space.usedBytes || s.inodes !== rec.inodes.used) {
      drift.push({id: rec.id, recorded: {usedBytes: rec.space.usedBytes, inodes: rec.inodes.used}, scanned: {usedBytes: s.bytes, inodes: s.inodes}})
    }
  }
  for (const [id, s] of scanned) {
    if (seen.has(id) || (s.bytes === 0 && s.inodes === 0)) continue
    drift.push({id, recorded: {usedBytes: 0, inodes: 0}, scanned: {usedBytes: s.bytes, inodes: s.inodes}})
  }
  return drift.sort((a, b) => a.id - b.id)
}

/**
 * What --fix sends for one drifting id: the usage fields that differ (Q_SETQUOTA QIF_SPACE /
 * QIF_INODES). Setting usage makes the kernel re-evaluate that side's grace timer, restarting a
 * running one for an id still over its soft limit (quota-reference 1.6); a running timer is
 * therefore sent back unchanged with it. A side with no timer is left to the kernel, which starts
 * one only if the id is now over its soft limit.
 */
export function fixUpdate(current: QuotaRecord, d: Drift): QuotaUpdate {
  const u: QuotaUpdate = {}
  if (d.scanned.usedBytes !== current.space.usedBytes) {
    u.usedBytes = d.scanned.usedBytes
    const after = spaceSideKiB({...current.space, usedBytes: d.scanned.usedBytes})
    if (current.space.graceExpiresAt !== 0 && overSoft(after)) u.spaceGraceExpiresAt = current.space.graceExpiresAt
  }
  if (d.scanned.inodes !== current.inodes.used) {
    u.inodesUsed = d.scanned.inodes
    const after = inodeSide({...current.inodes, used: d.scanned.inodes})
    if (current.inodes.graceExpiresAt !== 0 && overSoft(after)) u.inodeGraceExpiresAt = current.inodes.graceExpiresAt
  }
  return u
}

export interface RebuildInput {
  scanned: ReadonlyMap<number, ScannedUsage>
  /** the old file's records (limits and timers are kept from them), or none for -c */
  old: readonly QuotaRecord[] | null
  /** grace periods for the new file: the old file's, or the default */
  grace: GraceInfo
  nowEpoch: number
}

/**
 * The records of a rebuilt quota file, as linuxquota's quotacheck makes them: usage from the scan;
 * limits from the old file; an old grace timer only where that side has a soft limit; then each
 * timer settled against the new usage: over the soft limit keeps a running timer or starts one
 * (now + grace period), otherwise none. Ids with neither usage nor limits are left out (the writer
 * would skip them anyway). In id order.
 */
export function rebuildRecords({scanned, old, grace, nowEpoch}: RebuildInput): QuotaRecord[] {
  const byId = new Map<number, QuotaRecord>()
  for (const rec of old ?? []) {
    byId.set(rec.id, {
      id: rec.id,
      space: {usedBytes: 0, softLimitBytes: rec.space.softLimitBytes, hardLimitBytes: rec.space.hardLimitBytes, graceExpiresAt: rec.space.softLimitBytes ? rec.space.graceExpiresAt : 0},
      inodes: {used: 0, softLimit: rec.inodes.softLimit, hardLimit: rec.inodes.hardLimit, graceExpiresAt: rec.inodes.softLimit ? rec.inodes.graceExpiresAt : 0},
    })
  }
  for (const [id, s] of scanned) {
    let rec = byId.get(id)
    if (!rec) {
      rec = {id, space: {usedBytes: 0, softLimitBytes: 0, hardLimitBytes: 0, graceExpiresAt: 0}, inodes: {used: 0, softLimit: 0, hardLimit: 0, graceExpiresAt: 0}}
      byId.set(id, rec)
    }
    rec.space.usedBytes = s.bytes
    rec.inodes.used = s.inodes
  }
  const out: QuotaRecord[] = []
  for (const rec of byId.values()) {
    const space = spaceSideKiB(rec.space)
    rec.space.graceExpiresAt = overSoft(space) ? rec.space.graceExpiresAt || nowEpoch + grace.blockGraceSeconds : 0
    rec.inodes.graceExpiresAt = overSoft(inodeSide(rec.inodes)) ? rec.inodes.graceExpiresAt || nowEpoch + grace.inodeGraceSeconds : 0
    const empty = !rec.space.usedBytes && !rec.space.softLimitBytes && !rec.space.hardLimitBytes && !rec.inodes.used && !rec.inodes.softLimit && !rec.inodes.hardLimit
    if (!empty) out.push(rec)
  }
  return out.sort((a, b) => a.id - b.id)
}
