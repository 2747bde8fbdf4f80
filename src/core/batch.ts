// setquota's limit input: the four limit fields (`BSOFT BHARD ISOFT IHARD`), the `SOFT:HARD`
// pairs of --space/--inodes, and batch files of `NAME BSOFT BHARD ISOFT IHARD` lines. Pure:
// the whole batch is parsed before anything is applied, and every error names its line.
//
// Batch format, kinder than linuxquota 4.06 (docs/compat.md): blank lines and lines whose first
// non-blank character is `#` are skipped (linuxquota rejects an indented `#`); the last line
// need not end with a newline (linuxquota: "Line N too long."); CRLF line ends are accepted.
// Stricter in one way: a line must have exactly five fields (linuxquota ignores extra ones).

import {QuotaError} from '../errors.js'
import {parseInodeCount, parseSpaceBytes} from './units.js'

/** The four limits of a setquota call; 0 = no limit. Field names match QuotaUpdate's. */
export interface LimitsSpec {
  softLimitBytes: number
  hardLimitBytes: number
  inodeSoftLimit: number
  inodeHardLimit: number
}

/** `BSOFT BHARD ISOFT IHARD` as typed (linuxquota units, IEC/SI bytes, `none`). Throws usage errors. */
export function parseLimitFields(bsoft: string, bhard: string, isoft: string, ihard: string): LimitsSpec {
  return {
    softLimitBytes: parseSpaceBytes(bsoft),
    hardLimitBytes: parseSpaceBytes(bhard),
    inodeSoftLimit: parseInodeCount(isoft),
    inodeHardLimit: parseInodeCount(ihard),
  }
}

/** `SOFT:HARD` for --space / --inodes, each side parsed by `parse`. */
export function parseLimitPair(text: string, what: string, parse: (value: string) => number): {soft: number; hard: number} {
  const parts = text.split(':')
  if (parts.length !== 2) {
    throw new QuotaError('usage', `unparsable ${what} '${text}': expected SOFT:HARD`, {hint: 'e.g. --space 10G:12G or --inodes 10k:12k'})
  }
  return {soft: parse(parts[0]), hard: parse(parts[1])}
}

export interface BatchLine {
  lineNumber: number // 1-based, counting every line of the input
  name: string // a user/group/project name or numeric id, resolved later
  limits: LimitsSpec
}

export interface BatchLineError {
  lineNumber: number
  name: string // the line's first field, as given
  /** kind 'data'; message `line N: …` */
  error: QuotaError
}

export interface BatchParse {
  lines: BatchLine[]
  errors: BatchLineError[]
}

const FIELDS = 5

/** Is this input line a comment or blank (skipped, not an error)? */
export const isSkippedLine = (line: string): boolean => {
  const trimmed = line.trim()
  return trimmed === '' || trimmed.startsWith('#')
}

/** Split batch input into lines; a final newline does not start another line. */
export function batchInputLines(text: string): string[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/**
 * Parse a whole batch. Good lines and bad lines are both returned, so the caller decides: without
 * --continue-batch any error means nothing is applied; with it the good lines are applied and the
 * exit status still reports the bad ones.
 */
export function parseBatch(text: string): BatchParse {
  const result: BatchParse = {lines: [], errors: []}
  batchInputLines(text).forEach((raw, index) => {
    const lineNumber = index + 1
    if (isSkippedLine(raw)) return
    const fields = raw.trim().split(/\s+/)
    try {
      if (fields.length !== FIELDS) {
        throw new QuotaError('data', `expected 5 fields NAME BSOFT BHARD ISOFT IHARD, found ${fields.length}`)
      }
      const [name, bsoft, bhard, isoft, ihard] = fields
      result.lines.push({lineNumber, name, limits: parseLimitFields(bsoft, bhard, isoft, ihard)})
    } catch (err) {
      const inner = err instanceof QuotaError ? err : new QuotaError('data', String(err))
      const error = new QuotaError('data', `line ${lineNumber}: ${inner.message}`, {hint: inner.hint, cause: inner})
      result.errors.push({lineNumber, name: fields[0], error})
    }
  })
  return result
}
