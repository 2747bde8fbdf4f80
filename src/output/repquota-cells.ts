// One repquota entry as the strings linuxquota prints for it, shared by the default layout, csv
// and xml so the three formats cannot drift apart (linuxquota repeats this per format). Numbers
// become text here; statuses and "does the grace column apply" come from core/limits.ts.

import {formatGracePeriod, formatGraceRemaining} from '../core/durations.js'
import {graceColumnApplies, inodeSide, type LimitSide, sideStatus, spaceSideKiB, statusFlag} from '../core/limits.js'
import {type ReportBlock, type ReportEntry, displayName, forEachEntry, pendingRows} from '../core/report.js'
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

/** The cells of a row from its name and its two sides as core/limits.ts sees them, with their statuses. */
function cellsOf(name: string, spaceKiB: LimitSide, spaceStatus: Status, inodes: LimitSide, inodeStatus: Status, opts: RepquotaFormatOptions): EntryCells {
  return {
    name: opts.truncateNames ? truncateUtf8(name, NAME_COLUMNS) : name,
    space: {
      flag: statusFlag(spaceStatus),
      used: formatSpaceKiB(spaceKiB.used, opts.units.space),
      soft: formatSpaceKiB(spaceKiB.soft, opts.units.space),
      hard: formatSpaceKiB(spaceKiB.hard, opts.units.space),
      grace: graceCell(spaceKiB, opts),
      status: spaceStatus,
    },
    inodes: {
      flag: statusFlag(inodeStatus),
      used: formatInodes(inodes.used, opts.units.inodes),
      soft: formatInodes(inodes.soft, opts.units.inodes),
      hard: formatInodes(inodes.hard, opts.units.inodes),
      grace: graceCell(inodes, opts),
      status: inodeStatus,
    },
  }
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
  return cellsOf(displayName(entry), spaceKiB, space.status, inodeCounts, inodes.status, opts)
}

/**
 * The cells of each row of a block, in order: what the default layout and csv print. A block
 * whose entries are not made yet goes from its records to cells directly, with the statuses and
 * name reportEntry would give (test/output/repquota-cells.test.ts compares the two ways): a report
 * of 10k ids runs mostly before V8 optimises it, and there an entry object per row, and each side
 * worked out twice, were a good part of its cost.
 */
export function forEachCells(block: ReportBlock, opts: RepquotaFormatOptions, visit: (cells: EntryCells) => void): void {
  const rows = pendingRows(block)
  if (!rows) {
    forEachEntry(block, (entry) => visit(entryCells(entry, opts)))
    return
  }
  const {records, nameOf, nowEpoch} = rows
  for (let k = 0; k < records.length; k++) {
    const rec = records[k]
    const spaceKiB = spaceSideKiB(rec.space)
    const inodes = inodeSide(rec.inodes)
    const name = displayName({id: rec.id, name: nameOf(rec.id)})
    visit(cellsOf(name, spaceKiB, sideStatus(spaceKiB, nowEpoch), inodes, sideStatus(inodes, nowEpoch), opts))
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
