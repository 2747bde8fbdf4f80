// THE limits predicate. Every "is this id over its limit?" in quotakit comes from here, so no tool
// writes its own `>` or `>=` (linuxquota does, differently per tool; quota-reference 3.2, 3.3).
//
// Which comparison each tool uses (all verified against linuxquota 4.06 on this machine):
//   overSoft      used >  soft (soft != 0)  kernel starts the grace timer; repquota `+` flag and
//                                           csv/xml `soft` status
//   atOrOverSoft  used >= soft (soft != 0)  repquota shows the grace column; warnquota mails
//   overHard      used >  hard (hard != 0)  repquota `+` flag and csv/xml `hard` status
//   atOrOverHard  used >= hard (hard != 0)  quota(1)'s `*` marker ("limit reached": no more allocation)
//   graceExpired  timer != 0 and timer <= now   soft acts as hard; shown as `none`
//
// Space is compared in KiB, as linuxquota compares it: usage rounded UP to whole KiB (what the
// kernel reports), limits in whole KiB. For VFS limits (always whole KiB) `used > soft` in KiB is
// exactly `usedBytes > softLimitBytes`; `>=` is not: usage 1 byte below a KiB-aligned soft limit
// rounds up to the limit, and linuxquota shows the grace column there. Inodes are plain counts.

import type {Status} from '../output/document.js'
import type {InodeUsage, QuotaRecord, SpaceUsage} from './types.js'
import {limitKiB, usageKiB} from './units.js'

export type {Status}

/** One side (space or inodes) in a single unit; 0 limits mean "no limit". */
export interface LimitSide {
  used: number
  soft: number
  hard: number
  graceExpiresAt: number // epoch seconds, 0 = no timer
}

/** The space side in KiB, as linuxquota and the VFS interface see it. */
export const spaceSideKiB = (space: SpaceUsage): LimitSide => ({
  used: usageKiB(space.usedBytes),
  soft: limitKiB(space.softLimitBytes),
  hard: limitKiB(space.hardLimitBytes),
  graceExpiresAt: space.graceExpiresAt,
})

export const inodeSide = (inodes: InodeUsage): LimitSide => ({
  used: inodes.used,
  soft: inodes.softLimit,
  hard: inodes.hardLimit,
  graceExpiresAt: inodes.graceExpiresAt,
})

export const overSoft = (s: LimitSide): boolean => s.soft !== 0 && s.used > s.soft
export const atOrOverSoft = (s: LimitSide): boolean => s.soft !== 0 && s.used >= s.soft
export const overHard = (s: LimitSide): boolean => s.hard !== 0 && s.used > s.hard
export const atOrOverHard = (s: LimitSide): boolean => s.hard !== 0 && s.used >= s.hard
export const graceExpired = (s: LimitSide, nowEpoch: number): boolean => s.graceExpiresAt !== 0 && s.graceExpiresAt <= nowEpoch

/**
 * The status of one side, most severe first:
 *   hard     over the hard limit
 *   expired  over the soft limit and its grace has run out (the kernel now refuses allocation)
 *   soft     over the soft limit, grace running (or not started yet)
 *   ok       otherwise (at the soft limit exactly is still ok, as for the kernel)
 * linuxquota's csv/xml know only ok/soft/hard; they print `soft` for our `expired`.
 */
export function sideStatus(s: LimitSide, nowEpoch: number): Status {
  if (overHard(s)) return 'hard'
  if (overSoft(s)) return graceExpired(s, nowEpoch) ? 'expired' : 'soft'
  return 'ok'
}

/**
 * repquota's flag character for one side: `+` when over soft or over hard, which is exactly
 * "status is not ok", so renderers take it from the status instead of comparing again.
 */
export const statusFlag = (status: Status): '+' | '-' => (status === 'ok' ? '-' : '+')

/** repquota fills a side's grace column only at or over its soft limit. */
export const graceColumnApplies = atOrOverSoft

export const spaceStatus = (rec: QuotaRecord, nowEpoch: number): Status => sideStatus(spaceSideKiB(rec.space), nowEpoch)
export const inodeStatus = (rec: QuotaRecord, nowEpoch: number): Status => sideStatus(inodeSide(rec.inodes), nowEpoch)

const SEVERITY: Readonly<Record<Status, number>> = {ok: 0, soft: 1, expired: 2, hard: 3}

/** The worse of two statuses: a row's colour is its worse side. */
export const worseStatus = (a: Status, b: Status): Status => (SEVERITY[a] >= SEVERITY[b] ? a : b)

/** An id holds no usage at all: linuxquota's repquota skips it unless -v. */
export const hasUsage = (rec: QuotaRecord): boolean => rec.space.usedBytes !== 0 || rec.inodes.used !== 0

/** An id has some limit set. */
export const hasLimits = (rec: QuotaRecord): boolean =>
  rec.space.softLimitBytes !== 0 || rec.space.hardLimitBytes !== 0 || rec.inodes.softLimit !== 0 || rec.inodes.hardLimit !== 0

/** Soft above hard (both set) makes the soft limit meaningless; setquota warns about it. */
export const softAboveHard = (soft: number, hard: number): boolean => soft !== 0 && hard !== 0 && soft > hard
