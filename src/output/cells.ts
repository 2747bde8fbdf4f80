// How a table cell becomes text. Human formats show a missing value as "-" so that piped
// columns never collapse (awk splits on runs of blanks, an empty field would shift the rest);
// CSV leaves it empty, which is what spreadsheets and csv parsers expect.

import type {Cell, TableBlock} from './document.js'

export const humanCell = (cell: Cell | undefined): string =>
  cell === null || cell === undefined || cell === '' ? '-' : String(cell)

export const csvCell = (cell: Cell | undefined): string => (cell === null || cell === undefined ? '' : String(cell))

// eslint-disable-next-line no-control-regex
const BLANK_OR_CONTROL = /[\s\u0000-\u001F\u007F]/g

/**
 * In a pipe one cell must stay one awk field: blanks and control characters inside it (a
 * mountpoint "/mnt/my disk") are written as \xHH, as `findmnt --raw` does.
 */
export const fieldSafe = (text: string): string =>
  text.replace(BLANK_OR_CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)

/** Rows of a table as human text, in column order. */
export const humanRows = (table: TableBlock): string[][] =>
  table.rows.map((row) => table.columns.map((col) => humanCell(row.cells[col.key])))
