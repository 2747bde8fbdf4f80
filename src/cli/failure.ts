// Turning anything thrown into a QuotaError, and a QuotaError into the words a user sees.
// QuotaCommand.catch is the only caller: it applies EXIT_CODES, so every error, including
// oclif's own parse errors, reaches the same table and the same one-line shape.

import {EXIT_CODES, type ErrorKind, QuotaError, isQuotaError} from '../errors.js'

interface OclifErrorFields {
  oclif?: {exit?: number}
  parse?: unknown
  hint?: string
}

const HELP_TRAILER = /\s*See more help with --help\s*$/
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*m/g

/** oclif parse errors: CLIParseError carries `parse`; a flag's own parse() failure gets the trailer. */
const isParseError = (err: Error & OclifErrorFields): boolean => 'parse' in err || HELP_TRAILER.test(err.message)

/**
 * oclif writes parse errors over several lines ("Parsing --over \n\tinvalid size\nSee more help
 * with --help"); our contract is one line: "--over: invalid size".
 */
export function oneLine(message: string): string {
  return message
    .replace(ANSI, '')
    .replace(HELP_TRAILER, '')
    .replace(/^Parsing (--\S+)\s*\n\s*/, '$1: ')
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ')
}

const kindForExit = (exit: number | undefined): ErrorKind =>
  (Object.entries(EXIT_CODES).find(([, code]) => code === exit)?.[0] as ErrorKind | undefined) ?? 'failed'

/**
 * - a QuotaError keeps its kind (a flag's parse() failure gets its message back on one line)
 * - an oclif parse error becomes `usage` (64), with `usageHint` as its hint
 * - an oclif CLIError keeps its exit code when that code is in our table, otherwise 1
 * - anything else is `failed` (1), keeping the original as cause
 */
export function toQuotaError(thrown: unknown, usageHint: string): QuotaError {
  if (!(thrown instanceof Error)) return new QuotaError('failed', String(thrown))
  const err = thrown as Error & OclifErrorFields
  if (isQuotaError(err)) {
    // oclif rewrites the message of an error thrown by a flag's parse(): restore one line, keep the kind.
    if (!isParseError(err)) return err
    const {kind, errno, mount, id, hint} = err
    return new QuotaError(kind, oneLine(err.message), {errno, mount, id, hint: hint ?? usageHint, cause: err})
  }
  if (isParseError(err)) return new QuotaError('usage', oneLine(err.message), {hint: usageHint, cause: err})
  const kind = err.oclif?.exit === undefined ? 'failed' : kindForExit(err.oclif.exit)
  return new QuotaError(kind, oneLine(err.message) || err.name, {cause: err})
}

/** `quotakit setquota: /home: permission denied (EPERM)` and, when there is one, `hint: …`. */
export function errorLines(prog: string, err: QuotaError): string[] {
  return err.hint ? [`${prog}: ${err.line}`, `hint: ${err.hint}`] : [`${prog}: ${err.line}`]
}
