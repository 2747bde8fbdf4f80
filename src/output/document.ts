// What a command hands to the renderer for human output: a list of blocks. The renderer
// (src/output/render.ts) turns a Document into text for a terminal or a pipe, or CSV; JSON is the
// command's result model itself and never goes through here. Colour comes only from `status`,
// which src/core/limits.ts computed; the renderer never compares numbers.

export type Status = 'ok' | 'soft' | 'hard' | 'expired'

/**
 * Preformatted lines (e.g. repquota's linuxquota-compatible layout), each optionally coloured. A
 * `text` may hold several lines joined with '\n' that share one status (repquota joins its rows
 * within their limits, so 100k rows are not 100k objects).
 */
export interface LinesBlock {
  kind: 'lines'
  lines: Array<{text: string; status?: Status}>
}

export interface Column {
  key: string
  header: string
  align?: 'left' | 'right'
}

export type Cell = string | number | null

/** A table: cli-table3 on a terminal, aligned plain text when piped, CSV for --output csv. */
export interface TableBlock {
  kind: 'table'
  title?: string
  columns: Column[]
  rows: Array<{cells: Record<string, Cell>; status?: Status}>
  /** shown instead of an empty table */
  emptyText?: string
}

export type Block = LinesBlock | TableBlock

export type Document = Block[]
