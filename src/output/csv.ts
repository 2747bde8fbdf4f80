// CSV for `-O csv`: RFC 4180 quoting (a field with a comma, double quote, CR or LF is quoted and
// its quotes doubled), a header row of column keys (stable identifiers, unlike the human headers),
// LF line ends as linuxquota's `repquota -O csv` writes them. Never coloured.

import {csvCell} from './cells.js'
import type {TableBlock} from './document.js'

const NEEDS_QUOTES = /[",\r\n]/

export const csvField = (text: string): string => (NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text)

export function csvTable(table: TableBlock): string {
  const header = table.columns.map((c) => csvField(c.key)).join(',')
  const rows = table.rows.map((row) => table.columns.map((c) => csvField(csvCell(row.cells[c.key]))).join(','))
  return [header, ...rows].join('\n')
}
