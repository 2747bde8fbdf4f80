// `warnquota --from-report FILE`: offenders from a saved `quotakit repquota --json` (of this host
// or another), so one host can mail for many. The file is checked for the fields warnquota needs;
// anything else in it is not looked at. Pure: parsed JSON in, observations out.

import type {QuotaRecord, QuotaType} from '../core/types.js'
import {QuotaError} from '../errors.js'
import type {Observation} from './offenders.js'

const dataError = (file: string, what: string) =>
  new QuotaError('data', `${file}: ${what}`, {hint: 'give the output of `quotakit repquota --json` (schemas/repquota.schema.json)'})

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const limit = (v: unknown): number | undefined => (v === null ? 0 : count(v) ? v : undefined)
const epoch = (v: unknown): number | undefined => (v === null ? 0 : Number.isSafeInteger(v) ? (v as number) : undefined)

function record(entry: Record<string, unknown>, where: string, file: string): QuotaRecord {
  const space = entry.space
  const inodes = entry.inodes
  if (!isObject(space) || !isObject(inodes)) throw dataError(file, `${where}: no space or inodes object`)
  const r = {
    id: entry.id as number,
    space: {
      usedBytes: count(space.usedBytes) ? space.usedBytes : undefined,
      softLimitBytes: limit(space.softLimitBytes),
      hardLimitBytes: limit(space.hardLimitBytes),
      graceExpiresAt: epoch(space.graceExpiresAtEpoch),
    },
    inodes: {
      used: count(inodes.used) ? inodes.used : undefined,
      softLimit: limit(inodes.softLimit),
      hardLimit: limit(inodes.hardLimit),
      graceExpiresAt: epoch(inodes.graceExpiresAtEpoch),
    },
  }
  for (const [side, fields] of Object.entries({space: r.space, inodes: r.inodes})) {
    for (const [field, value] of Object.entries(fields)) if (value === undefined) throw dataError(file, `${where}: bad ${side}.${field}`)
  }
  return r as QuotaRecord
}

export interface ReportFilter {
  types: readonly QuotaType[]
  /** mountpoints or devices; empty = every filesystem in the report */
  mounts: readonly string[]
}

/**
 * The observations of a saved repquota report, for the quota types and mounts asked for. Consumes
 * `data`: each entry is dropped from it once read, so memory does not hold the report twice.
 */
export function* observationsFromReport(data: unknown, filter: ReportFilter, file: string): Generator<Observation> {
  if (!isObject(data) || !Array.isArray(data.reports)) throw dataError(file, 'not a repquota --json report (no "reports" array)')
  if (data.schemaVersion !== 1) throw dataError(file, `unsupported schemaVersion ${JSON.stringify(data.schemaVersion)}`)
  const reports: unknown[] = data.reports
  for (let r = 0; r < reports.length; r++) {
    const report = reports[r]
    if (!isObject(report)) throw dataError(file, `reports[${r}] is not an object`)
    const {type, mountpoint, device, fstype, entries} = report
    if (type !== 'user' && type !== 'group' && type !== 'project') throw dataError(file, `reports[${r}]: bad type ${JSON.stringify(type)}`)
    if (typeof mountpoint !== 'string' || typeof device !== 'string' || typeof fstype !== 'string' || !Array.isArray(entries)) {
      throw dataError(file, `reports[${r}]: needs mountpoint, device, fstype and entries`)
    }
    if (!filter.types.includes(type)) continue
    if (filter.mounts.length > 0 && !filter.mounts.some((m) => m === device || m.replace(/(.)\/+$/, '$1') === mountpoint)) continue
    const fs = {mountpoint, device, fstype}
    for (let e = 0; e < entries.length; e++) {
      const entry: unknown = entries[e]
      const where = `reports[${r}].entries[${e}]`
      if (!isObject(entry) || !count(entry.id)) throw dataError(file, `${where}: no id`)
      if (entry.name !== null && typeof entry.name !== 'string') throw dataError(file, `${where}: bad name`)
      const observation: Observation = {type, id: entry.id, name: entry.name as string | null, fs, record: record(entry, where, file)}
      // Let the parsed entry go as soon as it is read: a report of 100 000 ids is large.
      entries[e] = null
      yield observation
    }
  }
}
