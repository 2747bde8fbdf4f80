// Who warnquota mails, and what each mail lists. Pure: records in, offenders out.
//
// The test is linuxquota's warnquota test (check_offence): an id offends on a filesystem when it
// is AT or over its soft limit on space or on inodes; a hard limit alone never triggers a mail.
// That is core/limits.ts's atOrOverSoft, the same predicate that decides repquota's grace column,
// applied to the same KiB view (spaceSideKiB) and inode view (inodeSide). Nothing here compares
// a usage with a limit itself.
//
// MAILDEV (deliverable()): an id whose space on the mail device is at or over its hard limit, or
// at or over its soft limit with the grace run out, cannot receive mail there. `any`: such a
// filesystem is left out of that id's mail (the others stay); a device: an id in that state on
// that device gets no mail at all. Only space counts, as in linuxquota.

import {atOrOverHard, atOrOverSoft, graceExpired, inodeSide, type LimitSide, sideStatus, spaceSideKiB} from '../core/limits.js'
import type {QuotaRecord, QuotaType} from '../core/types.js'
import type {Status} from '../core/limits.js'

export interface FilesystemRef {
  mountpoint: string
  device: string
  fstype: string
}

/** One id's record on one filesystem, from the kernel or from a saved repquota report. */
export interface Observation {
  type: QuotaType
  id: number
  /** null when no database knows the id */
  name: string | null
  fs: FilesystemRef
  record: QuotaRecord
}

export interface Offence {
  fs: FilesystemRef
  record: QuotaRecord
  /** core/limits.ts's status of each side, for the cooldown ("has it got worse?") and JSON */
  spaceStatus: Status
  inodeStatus: Status
}

export interface Offender {
  type: QuotaType
  id: number
  name: string | null
  /** in the order the filesystems were seen */
  offences: Offence[]
}

export const offenderKey = (type: QuotaType, id: number): string => `${type}:${id}`

/** warnquota's test: at or over the soft limit on space or on inodes. */
export function offends(record: QuotaRecord): boolean {
  return atOrOverSoft(spaceSideKiB(record.space)) || atOrOverSoft(inodeSide(record.inodes))
}

/** deliverable()'s test, on the space side only: the hard limit is reached, or soft with grace over. */
export function mailBlocked(record: QuotaRecord, nowEpoch: number): boolean {
  const space: LimitSide = spaceSideKiB(record.space)
  return atOrOverHard(space) || (atOrOverSoft(space) && graceExpired(space, nowEpoch))
}

/** MAILDEV as linuxquota reads it: unset, `any` (case-insensitive), or one device. */
export type MailDev = {kind: 'none'} | {kind: 'any'} | {kind: 'device'; device: string}

export function mailDevFrom(value: string | null): MailDev {
  if (value === null || value === '') return {kind: 'none'}
  if (value.toLowerCase() === 'any') return {kind: 'any'}
  return {kind: 'device', device: value}
}

export interface Collected {
  /** sorted: users before groups, then by id */
  offenders: Offender[]
  /** offences left out because the mail device could not take the mail (MAILDEV) */
  undeliverable: number
  /** MAILDEV names a device: was it among the filesystems looked at? */
  mailDevSeen: boolean
}

const TYPE_ORDER: Readonly<Record<QuotaType, number>> = {user: 0, group: 1, project: 2}

/**
 * Groups offences per id. Holds only offenders (not every record), so a large scan stays small.
 */
export class OffenderCollector {
  private readonly byKey = new Map<string, Offender>()
  private readonly blocked = new Set<string>()
  private undeliverable = 0
  private mailDevSeen = false

  constructor(
    private readonly nowEpoch: number,
    private readonly mailDev: MailDev = {kind: 'none'},
  ) {}

  add(obs: Observation): void {
    const key = offenderKey(obs.type, obs.id)
    const md = this.mailDev
    if (md.kind === 'device' && (obs.fs.device === md.device || obs.fs.mountpoint === md.device)) {
      this.mailDevSeen = true
      if (mailBlocked(obs.record, this.nowEpoch)) this.blocked.add(key)
    }
    if (!offends(obs.record)) return
    if (md.kind === 'any' && mailBlocked(obs.record, this.nowEpoch)) {
      this.undeliverable++
      return
    }
    let offender = this.byKey.get(key)
    if (!offender) {
      offender = {type: obs.type, id: obs.id, name: obs.name, offences: []}
      this.byKey.set(key, offender)
    }
    offender.name ??= obs.name
    offender.offences.push({
      fs: obs.fs,
      record: obs.record,
      spaceStatus: sideStatus(spaceSideKiB(obs.record.space), this.nowEpoch),
      inodeStatus: sideStatus(inodeSide(obs.record.inodes), this.nowEpoch),
    })
  }

  result(): Collected {
    let undeliverable = this.undeliverable
    const offenders: Offender[] = []
    for (const [key, offender] of this.byKey) {
      if (this.blocked.has(key)) undeliverable += offender.offences.length
      else offenders.push(offender)
    }
    offenders.sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || a.id - b.id)
    return {offenders, undeliverable, mailDevSeen: this.mailDevSeen}
  }
}

/**
 * should_cc(): Cc when CC_TO is set and either CC_BEFORE is unset, or some side at or over its
 * soft limit has a grace that ends within CC_BEFORE seconds (a side with no timer running counts,
 * as in linuxquota, where its expiry 0 is always "within").
 */
export function shouldCc(offender: Offender, ccTo: string, ccBeforeSeconds: number | null, nowEpoch: number): boolean {
  if (ccTo === '') return false
  if (ccBeforeSeconds === null) return true
  return offender.offences.some(({record}) =>
    [spaceSideKiB(record.space), inodeSide(record.inodes)].some((side) => atOrOverSoft(side) && side.graceExpiresAt - ccBeforeSeconds <= nowEpoch),
  )
}
