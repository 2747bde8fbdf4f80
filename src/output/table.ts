// Tables on a terminal: cli-table3 boxes, one row coloured by its status. cli-table3 is loaded
// here on first use and nowhere else, so commands that never draw a box (pipes, --json) do not
// load it. Its default style paints headers and borders with ANSI codes even when colour is off,
// so the style is always given explicitly and empty: colour comes only from theme.ts. Compact:
// no rule between rows, so a long listing stays readable.

import {createRequire} from 'node:module'

import type CliTable3 from 'cli-table3'

import {humanRows} from './cells.js'
import type {TableBlock} from './document.js'
import {paint} from './theme.js'

const require = createRequire(import.meta.url)
let TableClass: typeof CliTable3 | undefined

// Synchronous on purpose: render() is a pure string function, and cli-table3 is CommonJS.
const loadTable = (): typeof CliTable3 => (TableClass ??= require('cli-table3') as typeof CliTable3)

export function boxTable(table: TableBlock, color: boolean): string {
  const Table = loadTable()
  const box = new Table({
    head: table.columns.map((c) => c.header),
    colAligns: table.columns.map((c) => c.align ?? 'left'),
    style: {head: [], border: [], compact: true},
  })
  const rows = humanRows(table)
  table.rows.forEach((row, i) => box.push(rows[i].map((text) => paint(text, row.status, color))))
  return box.toString()
}
