// Shared man-page content that is not in the manifest: what each exit code means (keyed by
// ErrorKind, so a new kind in src/errors.ts fails to compile here until it is described),
// the environment the tool reads, and the files every command may touch.

import {EXIT_CODES, type ErrorKind} from '../../src/errors.js'

const MEANING: Record<ErrorKind, string> = {
  failed: 'The operation failed, or partly failed (some filesystems or batch lines); the rest was done and reported.',
  usage: 'Usage error: bad flag, argument, unit or duration.',
  data: 'Bad input data: a batch line, a configuration value or a corrupt quota file.',
  'no-such-id': 'Unknown user, group or project.',
  unsupported: 'Quota is not supported, or not turned on, on that filesystem.',
  temporary: 'Temporary failure worth retrying (for example an SMTP 4xx reply).',
  permission: 'Permission denied: the operation needs root (CAP_SYS_ADMIN).',
  config: 'Configuration error.',
}

export interface ExitRow {
  code: number
  meaning: string
}

/** 0, then the table of src/errors.ts in code order. */
export function exitTable(): ExitRow[] {
  const rows = (Object.keys(EXIT_CODES) as ErrorKind[]).map((kind) => ({code: EXIT_CODES[kind], meaning: MEANING[kind]}))
  return [{code: 0, meaning: 'Success. An empty report or listing is a success.'}, ...rows].sort((a, b) => a.code - b.code)
}

/** A command's own rows replace the common row with the same code and add new codes. */
export function mergeExitRows(common: ExitRow[], own: ExitRow[] = []): ExitRow[] {
  const byCode = new Map(common.map((r) => [r.code, r]))
  for (const row of own) byCode.set(row.code, row)
  return [...byCode.values()].sort((a, b) => a.code - b.code)
}

export const ENVIRONMENT: Array<{name: string; description: string}> = [
  {name: 'NO_COLOR', description: 'When set and not empty, output is not coloured (see https://no-color.org). --color overrides it.'},
  {
    name: 'FORCE_COLOR',
    description: 'When set, output is coloured even when stdout is not a terminal; 0 or false turns colour off. NO_COLOR and --no-color take precedence.',
  },
  {name: 'QUOTAKIT_CONTENT_TYPE', description: 'Set to json to get JSON output from every command, as with --json.'},
  {
    name: 'DEBUG',
    description:
      'When set, errors are followed by their stack trace; DEBUG=* also shows oclif\'s internal debug log. DEBUG=quota prints each quotactl call (quota:sys) and which source repquota used for each report (quota:file).',
  },
  {
    name: 'QUOTAKIT_REPQUOTA_FROM_KERNEL',
    description: 'Set to 1 to make repquota ask the kernel for every id even where it could read the active vfsv0/vfsv1 quota file (as --from-kernel).',
  },
  {
    name: 'QUOTAKIT_FFI',
    description:
      'The FFI library the libc calls go through: koffi (the default, ten times cheaper per call) or ffi-rs. Unset, koffi is tried first and ffi-rs is used when koffi cannot load on this platform; set, only that one is tried.',
  },
  {
    name: 'QUOTAKIT_FAKE_STATE',
    description: 'For tests only: path of a JSON file holding a simulated kernel quota state that is used instead of the real kernel.',
  },
]

export const COMMON_FILES: Array<{path: string; description: string}> = [
  {path: '/proc/self/mountinfo', description: 'The mount table: which filesystems exist and their options.'},
  {path: 'aquota.user, aquota.group', description: 'Quota files in the root of a filesystem that keeps quota in files (vfsv0, vfsv1).'},
  {path: '/etc/projid, /etc/projects', description: 'Project names and project directories for project quota.'},
]
