// Flags and argument handling shared by the `grace` commands (commands/grace/*.ts): quota type
// flags, NAMEs told apart from MOUNTs, and errors that name their mount.

import * as Flags from '@oclif/core/flags'

import type {QuotaType} from '../core/types.js'
import {QuotaError} from '../errors.js'

/** -u/-g/-P that combine (show, reset): one report per type. */
export const combinableTypeFlags = {
  user: Flags.boolean({char: 'u', description: 'User quota (the default).'}),
  group: Flags.boolean({char: 'g', description: 'Group quota.'}),
  project: Flags.boolean({char: 'P', description: 'Project quota. -u, -g and -P combine.'}),
}

/** -u/-g/-P where one type is meant (set, set-user). */
export const singleTypeFlags = {
  user: Flags.boolean({char: 'u', description: 'User quota (the default).', exclusive: ['group', 'project']}),
  group: Flags.boolean({char: 'g', description: 'Group quota.', exclusive: ['user', 'project']}),
  project: Flags.boolean({char: 'P', description: 'Project quota.', exclusive: ['user', 'group']}),
}

export interface TypeFlags {
  user?: boolean
  group?: boolean
  project?: boolean
}

/** The types asked for, in linuxquota's order; user when none. */
export function typesFrom(flags: TypeFlags): QuotaType[] {
  const types = ([flags.user && 'user', flags.group && 'group', flags.project && 'project'] as const).filter(Boolean) as QuotaType[]
  return types.length === 0 ? ['user'] : types
}

/**
 * NAMEs and MOUNTs share the positional list: a user, group or project name never starts with
 * '/', a mountpoint or a device always does (setquota -p tells them apart the same way).
 */
export function splitNamesAndMounts(argv: readonly string[]): {names: string[]; mounts: string[]} {
  return {names: argv.filter((a) => !a.startsWith('/')), mounts: argv.filter((a) => a.startsWith('/'))}
}

export const noFilesystemError = (types: QuotaType[]): QuotaError =>
  new QuotaError('unsupported', `no filesystem has ${types.join(' or ')} quota on`, {hint: 'see `quotakit filesystems`'})

/** The error with the mount it happened on, so its stderr line names it. */
export function atMount(err: QuotaError, mount: string): QuotaError {
  if (err.mount) return err
  return new QuotaError(err.kind, err.message, {errno: err.errno, mount, id: err.id, hint: err.hint, cause: err})
}
