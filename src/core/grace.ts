// Grace periods and per-id grace timers (`quotakit grace ...`). Pure: "now" is always a parameter,
// records come from the caller, and every over-limit question goes to core/limits.ts.
//
//   graceTimers       which ids are in grace on one filesystem and type, soonest expiry first,
//                     and which of them the kernel now enforces
//   zeroGrace         what a grace PERIOD of 0 means on each format (grace set)
//   planReset         what `grace reset` does to one id's side (the notification-only policy)
//   judgeReadBack     what the kernel kept after a timer write or a limits re-apply
//   resetMethods      which write to try, given what the kernel was seen to honour
//
// Kernel facts behind this (quota-reference 1.6, ecosystem 1.4, and measured in the lab on 6.1):
// - VFS (ext4 vfsv0/vfsv1): Q_SETQUOTA with limits restarts a running timer (now + grace) on
//   >= 4.15; <= 4.14 clears it (re-armed by the next write). A QIF_BTIME/QIF_ITIME value is kept
//   verbatim on >= 5.10 and silently ignored on <= 4.9.
// - XFS: a written timer is kept (rounded up to 4 s when the dquot goes to disk with bigtime);
//   re-applying limits never restarts a running timer; writing 0 to an over-soft id's timer
//   stores the minimum expiry (epoch 4), so the soft limit is enforced at once.
// - A grace period of 0: vfsv0/vfsv1 enforce the soft limit at once; XFS does too until the next
//   mount, where it falls back to its 7-day default; vfsold stores 0 as "7 days".

import {QuotaError} from '../errors.js'
import {parseDurationSeconds} from './durations.js'
import {graceJson, limitOrNull} from './json.js'
import {graceColumnApplies, graceExpired, inodeSide, type LimitSide, overSoft, sideStatus, spaceSideKiB, type Status} from './limits.js'
import type {GraceInfo, QuotaFormat, QuotaRecord} from './types.js'

/** The two sides of a record that carry a grace timer. */
export type Resource = 'space' | 'inodes'
export const RESOURCES: readonly Resource[] = ['space', 'inodes']

/** One side of a record as core/limits.ts sees it (space in KiB, as the kernel compares it). */
export const sideOf = (rec: QuotaRecord, resource: Resource): LimitSide =>
  resource === 'space' ? spaceSideKiB(rec.space) : inodeSide(rec.inodes)

export const expiryOf = (rec: QuotaRecord, resource: Resource): number =>
  resource === 'space' ? rec.space.graceExpiresAt : rec.inodes.graceExpiresAt

export const gracePeriodOf = (grace: GraceInfo, resource: Resource): number =>
  resource === 'space' ? grace.blockGraceSeconds : grace.inodeGraceSeconds

// ---------------------------------------------------------------- parsing

/** Grace periods are 32-bit seconds in the quota files and in XFS's id-0 timers. */
export const MAX_GRACE_SECONDS = 0x7fff_ffff

/** `7d`, `12h`, `90` (seconds), `1d 2h` -> seconds, at most MAX_GRACE_SECONDS; usage error otherwise. */
export function parseGracePeriod(text: string, what: string): number {
  const seconds = parseDurationSeconds(text, what)
  if (seconds > MAX_GRACE_SECONDS) {
    throw new QuotaError('usage', `${what} '${text}' is too long (at most ${MAX_GRACE_SECONDS} seconds)`, {hint: 'e.g. 7d, 12h, 2w'})
  }
  return seconds
}

/** A per-id timer as typed: a time from now, or `unset` (no timer). */
export type TimerArg = {seconds: number} | 'unset'

export const parseTimerArg = (text: string, what: string): TimerArg =>
  text.trim().toLowerCase() === 'unset' ? 'unset' : {seconds: parseGracePeriod(text, what)}

/** The absolute expiry the kernel stores for a timer argument (0 = no timer). */
export const timerTarget = (arg: TimerArg, nowEpoch: number): number => (arg === 'unset' ? 0 : nowEpoch + arg.seconds)

// ---------------------------------------------------------------- grace show

/**
 *   running      over the soft limit, timer set and still in the future
 *   expired      the timer has run out: the soft limit now acts as a hard limit
 *   not-started  over the soft limit but no timer (0): the next allocation starts a full grace
 */
export type TimerState = 'running' | 'expired' | 'not-started'

export interface GraceTimer {
  id: number
  resource: Resource
  state: TimerState
  /** the side's status from core/limits.ts (ok | soft | expired | hard) */
  status: Status
  /** epoch seconds; 0 when not started */
  expiresAt: number
  /** seconds until expiry; 0 once expired; null when not started */
  secondsLeft: number | null
  /** the kernel refuses allocation past the soft limit now */
  enforced: boolean
}

/**
 * A side is in grace when it is over its soft limit, or when it is at it and a timer is set
 * (exactly where repquota fills its grace column), so `grace show` lists the same timers that
 * repquota prints.
 */
export const inGrace = (side: LimitSide): boolean => overSoft(side) || (graceColumnApplies(side) && side.graceExpiresAt !== 0)

export interface EnforcementContext {
  /** the filesystem enforces this quota type (quotaon / XFS enforcement flag) */
  enforcement: boolean
  /** XFS never enforces limits on id 0 (root, gid 0, project 0) */
  exemptIds: readonly number[]
}

export function timerState(side: LimitSide, nowEpoch: number): TimerState {
  if (side.graceExpiresAt === 0) return 'not-started'
  return graceExpired(side, nowEpoch) ? 'expired' : 'running'
}

export function graceTimer(rec: QuotaRecord, resource: Resource, nowEpoch: number, ctx: EnforcementContext): GraceTimer | null {
  const side = sideOf(rec, resource)
  if (!inGrace(side)) return null
  const state = timerState(side, nowEpoch)
  return {
    id: rec.id,
    resource,
    state,
    status: sideStatus(side, nowEpoch),
    expiresAt: side.graceExpiresAt,
    secondsLeft: state === 'not-started' ? null : Math.max(0, side.graceExpiresAt - nowEpoch),
    enforced: state === 'expired' && ctx.enforcement && !ctx.exemptIds.includes(rec.id),
  }
}

/** Soonest expiry first (expired ones lead), timers not started last; then id, space before inodes. */
export function compareTimers(a: GraceTimer, b: GraceTimer): number {
  const key = (t: GraceTimer) => (t.expiresAt === 0 ? Number.POSITIVE_INFINITY : t.expiresAt)
  return key(a) - key(b) || a.id - b.id || RESOURCES.indexOf(a.resource) - RESOURCES.indexOf(b.resource)
}

/** Every side in grace among `records`, soonest first. */
export function graceTimers(records: Iterable<QuotaRecord>, nowEpoch: number, ctx: EnforcementContext): GraceTimer[] {
  const timers: GraceTimer[] = []
  for (const rec of records) {
    for (const resource of RESOURCES) {
      const t = graceTimer(rec, resource, nowEpoch, ctx)
      if (t) timers.push(t)
    }
  }
  return timers.sort(compareTimers)
}

/** XFS exempts id 0 from enforcement (xfs_quota(8)); the VFS formats enforce every id. */
export const exemptIdsFor = (fstype: string): readonly number[] => (fstype === 'xfs' ? [0] : [])

/** The JSON of one timer: the side's numbers with their units in the names (JSON contract). */
export type GraceTimerJson = {
  id: number
  name: string | null
  state: TimerState
  status: Status
  graceExpiresAt: string | null
  graceExpiresAtEpoch: number | null
  secondsLeft: number | null
  enforced: boolean
} & (
  | {resource: 'space'; usedBytes: number; softLimitBytes: number | null; hardLimitBytes: number | null}
  | {resource: 'inodes'; used: number; softLimit: number | null; hardLimit: number | null}
)

export function graceTimerJson(t: GraceTimer, rec: QuotaRecord, name: string | null): GraceTimerJson {
  const g = graceJson(t.expiresAt)
  const common = {
    id: t.id,
    name,
    state: t.state,
    status: t.status,
    graceExpiresAt: g.expiresAt,
    graceExpiresAtEpoch: g.expiresAtEpoch,
    secondsLeft: t.secondsLeft,
    enforced: t.enforced,
  }
  return t.resource === 'space'
    ? {
        ...common,
        resource: 'space',
        usedBytes: rec.space.usedBytes,
        softLimitBytes: limitOrNull(rec.space.softLimitBytes),
        hardLimitBytes: limitOrNull(rec.space.hardLimitBytes),
      }
    : {...common, resource: 'inodes', used: rec.inodes.used, softLimit: limitOrNull(rec.inodes.softLimit), hardLimit: limitOrNull(rec.inodes.hardLimit)}
}

// ---------------------------------------------------------------- grace set: a period of 0

/**
 *   immediate              no grace at all: the soft limit acts as a hard limit (vfsv0, vfsv1,
 *                          ocfs2 and anything unknown, to be safe)
 *   immediate-until-mount  XFS: immediate now; the next mount replaces 0 with the 7-day default
 *   default                vfsold: 0 in the file means the 7-day default
 */
export type ZeroGraceMeaning = 'immediate' | 'immediate-until-mount' | 'default'

export function zeroGraceMeaning(format: QuotaFormat): ZeroGraceMeaning {
  if (format === 'vfsold') return 'default'
  if (format === 'xfs') return 'immediate-until-mount'
  return 'immediate'
}

/** Setting 0 needs --force unless the format reads 0 as its default. */
export const zeroGraceNeedsForce = (format: QuotaFormat): boolean => zeroGraceMeaning(format) !== 'default'

/** What a grace period of 0 does on `format`, in one sentence for stderr and the docs. */
export function zeroGraceText(format: QuotaFormat): string {
  switch (zeroGraceMeaning(format)) {
    case 'immediate':
      return `on ${format} a grace period of 0 means no grace: a write past the soft limit fails at once (EDQUOT), so the soft limit acts as a hard limit`
    case 'immediate-until-mount':
      return 'on XFS a grace period of 0 means no grace: the soft limit acts as a hard limit at once, until the next mount replaces 0 with the 7-day default'
    case 'default':
      return `on ${format} a grace period of 0 means the kernel's 7-day default`
  }
}

// ---------------------------------------------------------------- timers written back

/**
 * How precisely a filesystem stores a per-id timer: XFS with bigtime keeps expiries in 4-second
 * units on disk (rounded up), so a timer read back after the dquot was reloaded may be up to 3 s
 * later than written. Everything else stores whole seconds.
 */
export const timerGranularitySeconds = (fstype: string): number => (fstype === 'xfs' ? 4 : 1)

/**
 * XFS cannot hold "no timer" for an id over its soft limit: a written 0 is stored as the minimum
 * expiry (the soft limit is enforced at once), and a cleared timer is restarted on the next
 * limit check. The VFS formats keep 0 ("not started").
 */
export const unsetEnforcesAtOnce = (fstype: string, side: LimitSide): boolean => fstype === 'xfs' && overSoft(side)

/**
 * What the kernel did with a write, judged from the timer read back:
 *   kept       the expiry written is the one stored (within the filesystem's granularity)
 *   restarted  a limits re-apply restarted the timer: now + grace, or later
 *   cleared    a limits re-apply cleared the timer (<= 4.14): the next write starts a full grace
 *   dropped    a timer was written for a side not over its soft limit: the kernel keeps none
 *   ignored    nothing of the above: the kernel did not take the write
 */
export type ReadBack = 'kept' | 'restarted' | 'cleared' | 'dropped' | 'ignored'

export type ResetMethod = 'expiry' | 'limits'

export interface ReadBackInput {
  method: ResetMethod
  /** the expiry written (method expiry) or the earliest a restart can give (method limits) */
  target: number
  /** the timer read back after the write */
  after: LimitSide
  granularitySeconds: number
}

export function judgeReadBack({method, target, after, granularitySeconds}: ReadBackInput): ReadBack {
  const t = after.graceExpiresAt
  if (method === 'expiry') {
    if (t >= target && t < target + granularitySeconds) return 'kept'
    if (t === 0 && target !== 0 && !overSoft(after)) return 'dropped'
    return 'ignored'
  }
  if (t === 0) return overSoft(after) ? 'cleared' : 'dropped'
  return t >= target ? 'restarted' : 'ignored'
}

/** A read-back outcome that leaves the soft limit warning-only for at least another grace period. */
export const resetHonoured = (r: ReadBack): boolean => r === 'kept' || r === 'restarted' || r === 'cleared'

// ---------------------------------------------------------------- grace reset

/**
 *   reset        restart this side's timer: the id is over its soft limit and a timer runs (or
 *                has run out)
 *   skip         nothing to do, for `reason`
 */
export type ResetPlan =
  | {action: 'reset'; target: number}
  | {action: 'skip'; reason: ResetSkipReason}

/**
 *   not-over-soft   under (or at) its soft limit, or no soft limit: no timer to restart
 *   not-started     over the soft limit but no timer runs: the next write starts a full grace
 *   runs-longer     the timer already ends at or after now + grace (e.g. set with set-user)
 *   no-grace        the grace period is 0: a restarted timer would run out at once
 */
export type ResetSkipReason = 'not-over-soft' | 'not-started' | 'runs-longer' | 'no-grace'

export function planReset(rec: QuotaRecord, resource: Resource, grace: GraceInfo, nowEpoch: number): ResetPlan {
  const side = sideOf(rec, resource)
  if (!overSoft(side)) return {action: 'skip', reason: 'not-over-soft'}
  if (side.graceExpiresAt === 0) return {action: 'skip', reason: 'not-started'}
  const period = gracePeriodOf(grace, resource)
  if (period === 0) return {action: 'skip', reason: 'no-grace'}
  const target = nowEpoch + period
  if (side.graceExpiresAt >= target) return {action: 'skip', reason: 'runs-longer'}
  return {action: 'reset', target}
}

/**
 * The writes to try, in order, for one id. `forced` is --method; `known` is the method the kernel
 * already honoured on this filesystem and type in this run. Writing a fresh expiry comes first:
 * it touches nothing but the timer, and it is the only write XFS honours.
 */
export function resetMethods(forced: ResetMethod | 'auto', known: ResetMethod | null): ResetMethod[] {
  if (forced !== 'auto') return [forced]
  if (known) return [known]
  return ['expiry', 'limits']
}

/** Nothing but the timers may change in a reset: limits are compared before and after. */
export const sameLimits = (a: QuotaRecord, b: QuotaRecord): boolean =>
  a.space.softLimitBytes === b.space.softLimitBytes &&
  a.space.hardLimitBytes === b.space.hardLimitBytes &&
  a.inodes.softLimit === b.inodes.softLimit &&
  a.inodes.hardLimit === b.inodes.hardLimit

/**
 * The cadence rule of the notification-only policy: reset must run more often than the shortest
 * grace period, or a timer can run out between two runs. Returns the longest safe interval in
 * seconds (half the shortest non-zero period, so one missed run is survived), or null when a
 * period is 0 (no cadence can keep up).
 */
export function safeResetInterval(periods: readonly number[]): number | null {
  if (periods.length === 0) return null
  if (periods.some((p) => p === 0)) return null
  return Math.floor(Math.min(...periods) / 2)
}
