// The cooldown memory of `warnquota --cooldown`: who was mailed when, and how bad things were then.
// linuxquota has no such memory (every cron run mails every offender); with a cooldown an unchanged
// offender is mailed at most once per period, and at once when their state gets worse on some
// filesystem (soft -> grace expired -> hard) or they offend on a filesystem they did not before.
// Pure: the state file's I/O is in state-file.ts.

import {type Status, worseStatus} from '../core/limits.js'
import type {QuotaType} from '../core/types.js'
import {type Offender, offenderKey} from './offenders.js'

/** How bad one filesystem is for an offender: at the soft limit exactly counts as `soft`. */
export type Severity = Exclude<Status, 'ok'>

const RANK: Readonly<Record<Severity, number>> = {soft: 1, expired: 2, hard: 3}

export interface StateEntry {
  /** epoch seconds of the last mail that went out */
  lastMailedAt: number
  /** device -> severity when that mail went out */
  filesystems: Record<string, Severity>
}

export interface CooldownState {
  schemaVersion: 1
  /** `user:1000` -> entry */
  offenders: Record<string, StateEntry>
}

export const emptyState = (): CooldownState => ({schemaVersion: 1, offenders: {}})

/** The severity per device of an offender now (the worse of its space and inode status). */
export function severities(offender: Offender): Record<string, Severity> {
  const out: Record<string, Severity> = {}
  for (const o of offender.offences) {
    const status = worseStatus(o.spaceStatus, o.inodeStatus)
    const severity: Severity = status === 'ok' ? 'soft' : status
    const prev = out[o.fs.device]
    out[o.fs.device] = prev === undefined || RANK[severity] > RANK[prev] ? severity : prev
  }
  return out
}

export type Decision =
  | {mail: true; reason: 'new' | 'worse' | 'due'}
  | {mail: false; reason: 'cooldown'; nextAt: number}

export function decide(prev: StateEntry | undefined, now: Record<string, Severity>, nowEpoch: number, cooldownSeconds: number): Decision {
  if (!prev) return {mail: true, reason: 'new'}
  const worse = Object.entries(now).some(([device, severity]) => {
    const before = prev.filesystems[device]
    return before === undefined || RANK[severity] > RANK[before]
  })
  if (worse) return {mail: true, reason: 'worse'}
  const nextAt = prev.lastMailedAt + cooldownSeconds
  return nowEpoch >= nextAt ? {mail: true, reason: 'due'} : {mail: false, reason: 'cooldown', nextAt}
}

/**
 * The state to save after a run: mailed offenders get a fresh entry; offenders that were not mailed
 * (cooldown, failure) keep their old one; ids of a scanned type that no longer offend are dropped,
 * so they are mailed at once if they offend again. Types this run did not look at are kept.
 */
export function nextState(
  prev: CooldownState,
  scannedTypes: readonly QuotaType[],
  current: ReadonlyMap<string, Record<string, Severity>>,
  mailed: ReadonlySet<string>,
  nowEpoch: number,
): CooldownState {
  const offenders: Record<string, StateEntry> = {}
  for (const [key, entry] of Object.entries(prev.offenders)) {
    const type = key.split(':')[0] as QuotaType
    if (!scannedTypes.includes(type) || current.has(key)) offenders[key] = entry
  }
  for (const key of mailed) {
    const filesystems = current.get(key)
    if (filesystems) offenders[key] = {lastMailedAt: nowEpoch, filesystems}
  }
  return {schemaVersion: 1, offenders}
}

export {offenderKey}

const SEVERITIES = new Set(['soft', 'expired', 'hard'])

/** Checks a parsed state file; returns what is wrong with it, or null when it is usable. */
export function stateProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object'
  const obj = data as Record<string, unknown>
  if (obj.schemaVersion !== 1) return `unknown schemaVersion ${JSON.stringify(obj.schemaVersion)}`
  const offenders = obj.offenders
  if (typeof offenders !== 'object' || offenders === null || Array.isArray(offenders)) return '"offenders" is not an object'
  for (const [key, entry] of Object.entries(offenders)) {
    if (!/^(user|group|project):\d+$/.test(key)) return `bad key ${JSON.stringify(key)}`
    const e = entry as Partial<StateEntry> | null
    if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.lastMailedAt)) return `${key}: bad lastMailedAt`
    if (typeof e.filesystems !== 'object' || e.filesystems === null) return `${key}: bad filesystems`
    for (const s of Object.values(e.filesystems)) if (!SEVERITIES.has(s as string)) return `${key}: bad severity ${JSON.stringify(s)}`
  }
  return null
}
