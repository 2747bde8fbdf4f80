// linuxquota's `-s, --human-readable[=S,I]` for oclif, shared by repquota, quota and warnquota.
//
// The option's argument is optional, which getopt reads greedily: `repquota -svu` takes "vu" as
// the units and fails (quota-reference complaint #10). We split it in two flags instead: `-s` /
// `--human-readable` is a boolean, and the units go to `--human-units=S,I`. Before parsing,
// normalizeHumanReadableArgv rewrites the forms linuxquota users type:
//   --human-readable=g,k   -s=g,k   -sg,k   -s,k   ->  --human-units=…
// and only those: `-svu` stays three boolean flags, so -s never swallows the next one.

import * as Flags from '@oclif/core/flags'

import {AUTO_UNITS, type HumanUnits, RAW_UNITS, parseHumanUnits} from '../core/units.js'

/** S,I as linuxquota accepts it: two comma-separated fields, each one of k m g t or empty. */
const UNITS_SPEC = /^[kmgtKMGT]?,[kmgtKMGT]?$/

export function normalizeHumanReadableArgv(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (arg.startsWith('--human-readable=')) out.push(`--human-units=${arg.slice('--human-readable='.length)}`)
    else if (arg.startsWith('-s=')) out.push(`--human-units=${arg.slice(3)}`)
    else if (arg.startsWith('-s') && !arg.startsWith('--') && UNITS_SPEC.test(arg.slice(2))) out.push(`--human-units=${arg.slice(2)}`)
    else out.push(arg)
  }
  return out
}

export const humanReadableFlags = {
  'human-readable': Flags.boolean({
    char: 's',
    description:
      'Show space and inode numbers in units picked per value (K M G T; k m g t), as linuxquota -s. ' +
      '--human-readable=S,I (also -sS,I) fixes the units: S and I are each one of k, m, g, t, or empty for raw numbers.',
  }),
  'human-units': Flags.string({
    description: 'The S,I form of --human-readable, e.g. g,k.',
    hidden: true,
    parse: async (value) => {
      parseHumanUnits(value) // fail at parse time with the one-line message
      return value
    },
  }),
}

/** The units to print with: explicit S,I wins, then -s (auto), else raw numbers. */
export function humanUnitsFrom(flags: {'human-readable'?: boolean; 'human-units'?: string}): HumanUnits {
  if (flags['human-units'] !== undefined) return parseHumanUnits(flags['human-units'])
  return flags['human-readable'] ? AUTO_UNITS : RAW_UNITS
}
