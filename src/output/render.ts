// The single switch over human output formats. A command's present() builds a Document; this
// turns it into the text written to stdout. JSON never comes here: it is the command's result
// model, printed by the base class. XML (repquota -O xml) is a command's own concern.
//
//   table, on a terminal: cli-table3 boxes, rows coloured by status, emptyText for an empty table
//   table, in a pipe:     plain aligned columns; an empty table prints nothing (no header either)
//   csv:                  one table after another, each with its header, separated by a blank
//                         line; lines blocks are human prose and are left out
//
// Pure: the caller decides colour and TTY (theme.decideColor), so every branch is golden-testable.

import {csvTable} from './csv.js'
import type {Block, Document, LinesBlock, TableBlock} from './document.js'
import {plainTable} from './plain.js'
import {boxTable} from './table.js'
import {paint} from './theme.js'

export type HumanFormat = 'table' | 'csv'

export interface RenderOptions {
  color: boolean
  /** stdout is a terminal */
  tty: boolean
}

const renderLines = (block: LinesBlock, color: boolean): string =>
  block.lines.map((l) => paint(l.text, l.status, color)).join('\n')

function renderTable(block: TableBlock, opts: RenderOptions): string {
  if (block.rows.length === 0) return opts.tty ? (block.emptyText ?? '') : ''
  const body = opts.tty ? boxTable(block, opts.color) : plainTable(block, opts.color)
  return block.title ? `${block.title}\n${body}` : body
}

function renderBlock(block: Block, format: HumanFormat, opts: RenderOptions): string {
  switch (format) {
    case 'csv':
      return block.kind === 'table' ? csvTable(block) : ''
    case 'table':
      return block.kind === 'table' ? renderTable(block, opts) : renderLines(block, opts.color)
  }
}

/** Text for stdout: '' for nothing to say (quiet commands), otherwise newline-terminated. */
export function render(doc: Document, format: HumanFormat, opts: RenderOptions): string {
  // CSV never carries colour, whatever the terminal: it is for programs.
  const effective = format === 'csv' ? {...opts, color: false} : opts
  const parts = doc.map((b) => renderBlock(b, format, effective)).filter((text) => text !== '')
  return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`
}
