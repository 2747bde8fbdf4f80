// setquota's limit input: the four limit fields (`BSOFT BHARD ISOFT IHARD`), the `SOFT:HARD`
// pairs of --space/--inodes, and batch files of `NAME BSOFT BHARD ISOFT IHARD` lines. Pure:
// the whole batch is parsed before anything is applied, and every error names its line.
//
// Batch format, kinder than linuxquota 4.06 (docs/compat.md): blank lines and lines whose first
// non-blank character is `#` are skipped (linuxquota rejects an indented `#`); the last line
// need not end with a newline (linuxquota: "Line N too long."); CRLF line ends are accepted.
// Stricter in one way: a line must have exactly five fields (linuxquota ignores extra ones).

import {QuotaError} from '../errors.js'
import {BYTES_PER_KIB, parseInodeCount, parseSpaceBytes} from './units.js'

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

/**
 * The usual batch line, `NAME BSOFT BHARD ISOFT IHARD` in printable ASCII with plain decimal
 * limits (no unit, no leading zero, at most 15 digits: exact as numbers). Such a line is read by
 * this one regex and its numbers taken as they are. Every other line (units, other blanks, a
 * comment, a wrong field count) goes through the general split and the unit parsers, which give
 * the same values and word the errors. A batch has a line per id, and the first few thousand
 * lines run before V8 has optimised any of this: a regex is a builtin, where scanning characters
 * in JavaScript or splitting and parsing each field cost ~2x as much per line there.
 */
const PLAIN_LINE = /^[ \t]*([!-"$-~][!-~]*)[ \t]+(0|[1-9]\d{0,14})[ \t]+(0|[1-9]\d{0,14})[ \t]+(0|[1-9]\d{0,14})[ \t]+(0|[1-9]\d{0,14})[ \t]*$/

/** A plain line's limits, or null when a space limit in bytes would pass 2^53 (the general path words that error). */
function plainLimits(m: RegExpExecArray): LimitsSpec | null {
  const softLimitBytes = Number(m[2]) * BYTES_PER_KIB
  const hardLimitBytes = Number(m[3]) * BYTES_PER_KIB
  if (softLimitBytes > Number.MAX_SAFE_INTEGER || hardLimitBytes > Number.MAX_SAFE_INTEGER) return null
  return {softLimitBytes, hardLimitBytes, inodeSoftLimit: Number(m[4]), inodeHardLimit: Number(m[5])}
}

/** Any line by the general path: split on blanks (trim and /\s+/ know every Unicode blank), fields parsed by unit. */
function parseLine(raw: string, lineNumber: number, result: BatchParse): void {
  if (isSkippedLine(raw)) return
  const fields = raw.trim().split(/\s+/)
  try {
    if (fields.length !== FIELDS) {
      throw new QuotaError('data', `expected 5 fields NAME BSOFT BHARD ISOFT IHARD, found ${fields.length}`)
    }
    result.lines.push({lineNumber, name: fields[0], limits: parseLimitFields(fields[1], fields[2], fields[3], fields[4])})
  } catch (err) {
    const inner = err instanceof QuotaError ? err : new QuotaError('data', String(err))
    const error = new QuotaError('data', `line ${lineNumber}: ${inner.message}`, {hint: inner.hint, cause: inner})
    result.errors.push({lineNumber, name: fields[0], error})
  }
}

/**
 * Parse a whole batch. Good lines and bad lines are both returned, so the caller decides: without
 * --continue-batch any error means nothing is applied; with it the good lines are applied and the
 * exit status still reports the bad ones. Lines end at '\n' (a '\r' before it is dropped); a final
 * newline does not start another line.
 */
export function parseBatch(text: string): BatchParse {
  const result: BatchParse = {lines: [], errors: []}
  let lineNumber = 0
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start)
    const next = newline < 0 ? text.length : newline + 1
    let end = newline < 0 ? text.length : newline
    if (end > start && text.charCodeAt(end - 1) === 13) end-- // CRLF
    lineNumber++
    const raw = text.slice(start, end)
    const m = PLAIN_LINE.exec(raw)
    const limits = m === null ? null : plainLimits(m)
    if (m !== null && limits !== null) result.lines.push({lineNumber, name: m[1], limits})
    else parseLine(raw, lineNumber, result)
    start = next
  }
  return result
}
