// Tables in a pipe: plain columns padded to the widest cell and separated by two spaces, no box
// drawing, so `awk '{print $3}'` and `column -t` keep working. Blanks inside a cell are escaped
// (fieldSafe); headers are for people and may contain spaces, as df's do. Trailing blanks are
// trimmed so the last column carries no padding. When colour is forced on, the whole line is
// painted after padding, so escape codes never disturb the alignment.

import {fieldSafe, humanRows} from './cells.js'
import type {TableBlock} from './document.js'
import {paint} from './theme.js'

const GAP = '  '

export function plainTable(table: TableBlock, color: boolean): string {
  const header = table.columns.map((c) => c.header)
  const rows = humanRows(table).map((cells) => cells.map(fieldSafe))
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)))
  const line = (cells: string[]): string =>
    cells
      .map((text, col) => (table.columns[col].align === 'right' ? text.padStart(widths[col]) : text.padEnd(widths[col])))
      .join(GAP)
      .trimEnd()
  return [line(header), ...rows.map((cells, i) => paint(line(cells), table.rows[i].status, color))].join('\n')
}
