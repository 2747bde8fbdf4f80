// Flags every command shares. The colour flag is a base flag (QuotaCommand.baseFlags); the
// output flag is opt-in per command because each tool has its own list (repquota:
// default|csv|json|xml, after linuxquota's `-O`).

import * as Flags from '@oclif/core/flags'

export const colorFlag = Flags.boolean({
  allowNo: true,
  description: 'Colour the output. Default: only when stdout is a terminal and NO_COLOR is not set; FORCE_COLOR forces it.',
  helpGroup: 'GLOBAL',
})

/**
 * `-O/--output FORMAT`. The first format is the default. `default` and `table` render the
 * command's Document as a table, `csv` as CSV, `json` prints the same JSON as --json; any other
 * format goes to the command's formatOther().
 */
export function outputFlag<const F extends readonly [string, ...string[]]>(formats: F, description?: string) {
  return Flags.option({
    char: 'O',
    options: formats,
    default: formats[0],
    description: description ?? `Output format: ${formats.join(', ')}. "json" is the same as --json.`,
  })()
}

/**
 * `-O json` as the user typed it, read from raw argv: the base class must know about JSON before
 * (and even when) parsing succeeds, so that a usage error is reported in JSON too.
 * Understands `-O json`, `-Ojson`, `-O=json`, `--output json`, `--output=json`; the last one wins;
 * nothing after `--` counts.
 */
export function outputFromArgv(argv: readonly string[]): string | undefined {
  let found: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') break
    if (arg === '-O' || arg === '--output') found = argv[++i]
    else if (arg.startsWith('--output=')) found = arg.slice('--output='.length)
    else if (arg.startsWith('-O')) found = arg.slice(2).replace(/^=/, '')
  }
  return found
}
