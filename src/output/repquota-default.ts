// repquota's default layout, byte for byte as linuxquota 4.06 prints it (quota-reference 3.2,
// golden files in test/output/fixtures/linuxquota-4.06), so admins' eyes and old awk scripts
// keep working. Returned as one LinesBlock: the renderer joins lines with '\n' and ends the
// output with one more, and each row carries its status for colour on a terminal.
//
// Per filesystem and type:
//   *** Report for user quotas on device /dev/vdb
//   Block grace time: 7days; Inode grace time: 7days
//                           Block limits                File limits
//   User            used    soft    hard  grace    used  soft  hard  grace
//   ----------------------------------------------------------------------
//   rows: %-9s %c%c %7s %7s %7s %6s %7s %5s %5s %6s
//   then what linuxquota's format handler adds (see trailer below).

import {type ReportBlock, type RepquotaResult, treeStatsOf} from '../core/report.js'
import {worseStatus} from '../core/limits.js'
import type {LinesBlock} from './document.js'
import {
  NAME_COLUMNS,
  type RepquotaFormatOptions,
  forEachCells,
  gracePeriodText,
  padEndBytes,
  spaceWord,
  typeWord,
} from './repquota-cells.js'

export const SEPARATOR = '-'.repeat(70)

/** Rows per joined line entry (see blockLines). */
const CHUNK_ROWS = 128

type Line = LinesBlock['lines'][number]

const onOff = (on: boolean): string => (on ? 'ON' : 'OFF')

/**
 * What linuxquota prints after the rows depends on how it reached the quota data:
 *   aquota.* files (vfsold/vfsv0/vfsv1): an empty line, with -v the tree statistics, an empty line.
 *     The statistics (Total blocks, Data blocks, Entries, Used average) describe the file's tree:
 *     we print them when the report was read from the file (after Q_SYNC, or -F with quota off),
 *     not when the kernel gave the records per id, whose interface does not expose the tree.
 *   XFS: an empty line, with -v `*** Status for …` and `Accounting: ON; Enforcement: ON`
 *     (we do not print the quota inode line), an empty line.
 *   hidden system-file quota (ext4 `quota` feature): the same two empty lines as files; with -v no
 *     statistics (checked on a 6.1 kernel in the lab; file mode on a host cannot show this case).
 */
function trailer(block: ReportBlock, verbose: boolean): string[] {
  if (block.fstype === 'xfs' || block.format === 'xfs') {
    const status = verbose
      ? [
          `*** Status for ${block.type} quotas on device ${block.device}`,
          `Accounting: ${onOff(block.accounting)}; Enforcement: ${onOff(block.enforcement)}`,
        ]
      : []
    return ['', ...status, '']
  }
  const tree = verbose ? treeStatsOf(block) : undefined
  if (!tree) return ['', '']
  return [
    '',
    'Statistics:',
    `Total blocks: ${tree.blocks}`,
    `Data blocks: ${tree.dataBlocks}`,
    `Entries: ${tree.entries}`,
    `Used average: ${usedAverage(tree.entries, tree.dataBlocks)}`,
    '',
  ]
}

/**
 * linuxquota's `printf("%f", (float)entries / dataBlocks)` (0 without data blocks): the quotient in
 * single precision (1000 / 48 prints 20.833334, not 20.833333), six decimals, and a tie rounded to
 * even on the exact binary value, as glibc does (10.0078125 prints 10.007812; toFixed(6) would
 * round it up).
 */
export function usedAverage(entries: number, dataBlocks: number): string {
  const average = dataBlocks === 0 ? 0 : Math.fround(entries / dataBlocks)
  // toFixed(100) writes the binary value out exactly: a quotient of two counts has far fewer digits
  const [whole, fraction] = average.toFixed(100).split('.')
  const rest = fraction.slice(6)
  const half = `5${'0'.repeat(rest.length - 1)}`
  let micros = BigInt(whole + fraction.slice(0, 6))
  if (rest > half || (rest === half && micros % 2n === 1n)) micros++
  const digits = micros.toString().padStart(7, '0')
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`
}

function blockLines(block: ReportBlock, opts: RepquotaFormatOptions, verbose: boolean): Line[] {
  const header = [
    `*** Report for ${block.type} quotas on device ${block.device}`,
    `Block grace time: ${gracePeriodText(block.blockGraceSeconds)}; Inode grace time: ${gracePeriodText(block.inodeGraceSeconds)}`,
    `                        ${spaceWord(opts.units)} limits                File limits`,
    `${typeWord(block.type).padEnd(NAME_COLUMNS)}       used    soft    hard  grace    used  soft  hard  grace`,
    SEPARATOR,
  ]
  const lines: Line[] = header.map((text) => ({text}))
  // Rows within their limits are joined into one line entry per CHUNK_ROWS: one string each instead
  // of a string and an object per row, which at 100k rows stayed alive until output and were most
  // of what the young-generation GC copied. A row over a limit keeps its own entry, for colour.
  let okRows: string[] = []
  const flushOk = () => {
    if (okRows.length > 0) lines.push({text: okRows.join('\n'), status: 'ok'})
    okRows = []
  }
  forEachCells(block, opts, ({name, space: s, inodes: i}) => {
    // Joined, not a template: a template's pieces stay linked (a rope of ~20 strings per row)
    // until the output is joined.
    const columns = [
      `${padEndBytes(name, NAME_COLUMNS)} ${s.flag}${i.flag}`,
      s.used.padStart(7), s.soft.padStart(7), s.hard.padStart(7), s.grace.padStart(6),
      i.used.padStart(7), i.soft.padStart(5), i.hard.padStart(5), i.grace.padStart(6),
    ]
    const text = columns.join(' ')
    const status = worseStatus(s.status, i.status)
    if (status !== 'ok') {
      flushOk()
      lines.push({text, status})
    } else if (okRows.push(text) === CHUNK_ROWS) {
      flushOk()
    }
  })
  flushOk()
  for (const text of trailer(block, verbose)) lines.push({text})
  return lines
}

export function repquotaDefault(result: RepquotaResult, opts: RepquotaFormatOptions, verbose: boolean): LinesBlock {
  return {kind: 'lines', lines: result.reports.flatMap((block) => blockLines(block, opts, verbose))}
}
