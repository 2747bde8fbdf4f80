// Where a filesystem keeps its external quota files, from its mount options (quota-reference 3.0):
// `usrquota=/path` or `usrjquota=name` name the file (relative names are below the mountpoint);
// otherwise aquota.user / aquota.group at the root (quota.user / quota.group for vfsold).

import {isAbsolute, join} from 'node:path'

import type {Filesystem, QuotaType} from '../core/types.js'

const OPTIONS: Readonly<Record<QuotaType, string[]>> = {
  user: ['usrquota', 'usrjquota', 'quota'],
  group: ['grpquota', 'grpjquota'],
  project: ['prjquota', 'prjjquota'],
}

/** The mount option asking for this quota type (`usrquota`, `usrjquota=aquota.user`, ...), if any. */
export function quotaOption(fs: Pick<Filesystem, 'options'>, type: QuotaType): string | undefined {
  return fs.options.find((o) => OPTIONS[type].some((name) => o === name || o.startsWith(`${name}=`)))
}

/** The quota file of this type on this filesystem. */
export function quotaFilePath(fs: Pick<Filesystem, 'options' | 'mountpoint'>, type: QuotaType, format: 'vfsold' | 'vfsv0' | 'vfsv1' = 'vfsv0'): string {
  const option = quotaOption(fs, type)
  const named = option?.includes('=') ? option.slice(option.indexOf('=') + 1) : ''
  if (named) return isAbsolute(named) ? named : join(fs.mountpoint, named)
  return join(fs.mountpoint, `${format === 'vfsold' ? 'quota' : 'aquota'}.${type}`)
}
