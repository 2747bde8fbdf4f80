// One repquota entry as the strings linuxquota prints for it, shared by the default layout, csv
// and xml so the three formats cannot drift apart (linuxquota repeats this per format). Numbers
// become text here; statuses and "does the grace column apply" come from core/limits.ts.

import {formatGracePeriod, formatGraceRemaining} from '../core/durations.js'
import {graceColumnApplies, inodeSide, type LimitSide, spaceSideKiB, statusFlag} from '../core/limits.js'
import {type ReportEntry, displayName} from '../core/report.js'
import type {QuotaType} from '../core/types.js'
import {formatInodes, formatSpaceKiB, type HumanUnits, spaceIsHuman} from '../core/units.js'
import type {Status} from './document.js'

export interface RepquotaFormatOptions {
  /** -s / --human-readable=S,I; RAW_UNITS without */
  units: HumanUnits
  /** -p: grace as epoch seconds (`0` when none) instead of the time left */
  rawGrace: boolean
  /** -t: names cut to 9 characters */
  truncateNames: boolean
  /** epoch seconds the time left is measured from */
  nowEpoch: number
}

/** linuxquota reserves 9 columns for a name; -t cuts longer ones there. */
export const NAME_COLUMNS = 9

export interface SideCells {
  flag: '+' | '-'
  used: string
  soft: string
  hard: string
  grace: string
  status: Status
}

export interface EntryCells {
  name: string
  space: SideCells
  inodes: SideCells
}

// Buffer.byteLength counts as TextEncoder encodes (a lone surrogate as U+FFFD's 3 bytes), without
// encoding: it runs once per row.
const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8')

/** Cut to at most `bytes` UTF-8 bytes, never inside a character (linuxquota cuts bytes blindly). */
export function truncateUtf8(text: string, bytes: number): string {
  let out = ''
  for (const ch of text) {
    if (utf8Length(out + ch) > bytes) break
    out += ch
  }
  return out
}

/** printf's `%-Ns`: pads by bytes, so non-ASCII names line up as they do in linuxquota. */
export const padEndBytes = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - utf8Length(text)))

function graceCell(side: LimitSide, opts: RepquotaFormatOptions): string {
  const applies = graceColumnApplies(side)
  if (opts.rawGrace) return applies ? String(side.graceExpiresAt) : '0'
  return applies ? formatGraceRemaining(side.graceExpiresAt, opts.nowEpoch) : ''
}

export function entryCells(entry: ReportEntry, opts: RepquotaFormatOptions): EntryCells {
  const {space, inodes} = entry
  const spaceKiB = spaceSideKiB({
    usedBytes: space.usedBytes,
    softLimitBytes: space.softLimitBytes ?? 0,
    hardLimitBytes: space.hardLimitBytes ?? 0,
    graceExpiresAt: space.graceExpiresAtEpoch ?? 0,
  })
  const inodeCounts = inodeSide({
    used: inodes.used,
    softLimit: inodes.softLimit ?? 0,
    hardLimit: inodes.hardLimit ?? 0,
    graceExpiresAt: inodes.graceExpiresAtEpoch ?? 0,
  })
  const name = displayName(entry)
  return {
    name: opts.truncateNames ? truncateUtf8(name, NAME_COLUMNS) : name,
    space: {
      flag: statusFlag(space.status),
      used: formatSpaceKiB(spaceKiB.used, opts.units.space),
      soft: formatSpaceKiB(spaceKiB.soft, opts.units.space),
      hard: formatSpaceKiB(spaceKiB.hard, opts.units.space),
      grace: graceCell(spaceKiB, opts),
      status: space.status,
    },
    inodes: {
      flag: statusFlag(inodes.status),
      used: formatInodes(inodeCounts.used, opts.units.inodes),
      soft: formatInodes(inodeCounts.soft, opts.units.inodes),
      hard: formatInodes(inodeCounts.hard, opts.units.inodes),
      grace: graceCell(inodeCounts, opts),
      status: inodes.status,
    },
  }
}

/** `Block` or, when space is shown in human units, `Space` (linuxquota's headers and csv/xml names). */
export const spaceWord = (units: HumanUnits): 'Block' | 'Space' => (spaceIsHuman(units) ? 'Space' : 'Block')

const TYPE_WORD: Readonly<Record<QuotaType, string>> = {user: 'User', group: 'Group', project: 'Project'}

/** The capitalised type word of headers: `User`, `Group`, `Project`. */
export const typeWord = (type: QuotaType): string => TYPE_WORD[type]

/** A block's grace periods as the header prints them (`7days`, `01:00`); '' when unknown. */
export const gracePeriodText = (seconds: number | null): string => (seconds === null ? '' : formatGracePeriod(seconds))

/** linuxquota's csv/xml status words: ok, soft, hard; it has no word for an expired grace. */
export const linuxquotaStatus = (status: Status): 'ok' | 'soft' | 'hard' => (status === 'expired' ? 'soft' : status)
