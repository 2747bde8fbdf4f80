// What bin/run.js runs for everything but a bare --version: oclif's execute() with one change.
// An unknown command is a usage error like any other (exit 64, one stderr line, JSON under
// --json); oclif would print its own decorated message and exit 1 before any QuotaCommand exists.

import {flush} from '@oclif/core/flush'
import {handle} from '@oclif/core/handle'
import {run} from '@oclif/core/run'

import {QuotaError} from '../errors.js'
import {errorLines} from './failure.js'

const NOT_FOUND = /^command (\S+) not found$/

function wantsJson(argv: readonly string[]): boolean {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length
  return argv.slice(0, end).includes('--json') || process.env.QUOTAKIT_CONTENT_TYPE?.toLowerCase() === 'json'
}

export async function main(argv: string[], root: string): Promise<void> {
  try {
    await run(argv, root)
    // Not awaited, as in oclif's execute(): when the reader has gone (`| head`) stdout never
    // drains, and awaiting would leave main() unsettled for good.
    void flush()
  } catch (thrown) {
    const missing = thrown instanceof Error ? NOT_FOUND.exec(thrown.message) : null
    if (!missing) return handle(thrown as Error)
    const err = new QuotaError('usage', `unknown command '${missing[1].replaceAll(':', ' ')}'`, {hint: "see 'quotakit --help'"})
    if (wantsJson(argv)) process.stdout.write(`${JSON.stringify({error: err.toJSON()}, null, 2)}\n`)
    else process.stderr.write(`${errorLines('quotakit', err).join('\n')}\n`)
    process.exitCode = err.exitCode
  }
}
