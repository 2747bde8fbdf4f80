// `repquota -O csv`: linuxquota 4.06's columns and values, with a Filesystem column first (its csv
// has none, so rows from two filesystems could not be told apart). As in linuxquota, each
// filesystem-and-type block repeats the header (its first name column is User, Group or
// Project); the shared CSV renderer separates blocks with an empty line and quotes fields per
// RFC 4180 (linuxquota does not quote). Statuses use linuxquota's words ok/soft/hard.

import type {ReportBlock, RepquotaResult} from '../core/report.js'
import type {Cell, Column, TableBlock} from './document.js'
import {type RepquotaFormatOptions, forEachCells, linuxquotaStatus, spaceWord, typeWord} from './repquota-cells.js'

/** The csv header names, in order; `Block…` becomes `Space…` with human units, as in linuxquota. */
export function csvColumnKeys(type: ReportBlock['type'], opts: RepquotaFormatOptions): string[] {
  const b = spaceWord(opts.units)
  return [
    'Filesystem',
    typeWord(type),
    `${b}Status`,
    'FileStatus',
    `${b}Used`,
    `${b}SoftLimit`,
    `${b}HardLimit`,
    `${b}Grace`,
    'FileUsed',
    'FileSoftLimit',
    'FileHardLimit',
    'FileGrace',
  ]
}

function csvTable(block: ReportBlock, opts: RepquotaFormatOptions): TableBlock {
  const keys = csvColumnKeys(block.type, opts)
  const columns: Column[] = keys.map((key) => ({key, header: key}))
  const rows: TableBlock['rows'] = []
  forEachCells(block, opts, ({name, space: s, inodes: i}) => {
    const values: Cell[] = [
      block.mountpoint,
      name,
      linuxquotaStatus(s.status),
      linuxquotaStatus(i.status),
      s.used,
      s.soft,
      s.hard,
      s.grace,
      i.used,
      i.soft,
      i.hard,
      i.grace,
    ]
    rows.push({cells: Object.fromEntries(keys.map((key, n) => [key, values[n]]))})
  })
  return {kind: 'table', columns, rows}
}

/** One table per filesystem and type, for src/output/render.ts's csv branch. */
export const repquotaCsv = (result: RepquotaResult, opts: RepquotaFormatOptions): TableBlock[] =>
  result.reports.map((block) => csvTable(block, opts))
