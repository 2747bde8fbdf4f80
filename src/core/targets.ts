// Which filesystems a command acts on: `-a` (every mount with that quota type on) or the mounts
// named on the command line, each as its mountpoint or its device. Pure: the caller passes the
// filesystems the backend discovered.

import {QuotaError} from '../errors.js'
import type {Filesystem, QuotaType} from './types.js'

export interface TargetRequest {
  all: boolean
  mounts: string[]
}

export interface Targets {
  filesystems: Filesystem[]
  /** named mounts that do not have this quota type on (exit 69 each), in argument order */
  errors: QuotaError[]
}

/** `/home/` and `/home` name the same mountpoint; `/` stays `/`. */
const normalizeMountArg = (arg: string): string => (arg.length > 1 ? arg.replace(/\/+$/, '') || '/' : arg)

/** The mounted filesystem an argument names (mountpoint first, then device), or a usage error. */
export function findFilesystem(filesystems: Filesystem[], arg: string): Filesystem {
  const path = normalizeMountArg(arg)
  const fs = filesystems.find((f) => f.mountpoint === path) ?? filesystems.find((f) => f.device === arg)
  if (!fs) {
    throw new QuotaError('usage', `'${arg}' is not a mounted filesystem`, {
      hint: 'give a mountpoint or a device as `quotakit filesystems` lists them, or -a for all',
    })
  }
  return fs
}

export const typeIsOn = (fs: Filesystem, type: QuotaType): boolean => fs.quotas[type]?.accounting === true

export function quotaNotOnError(fs: Filesystem, type: QuotaType): QuotaError {
  return new QuotaError('unsupported', `${type} quota is not on`, {
    mount: fs.mountpoint,
    hint: 'turn it on with quotaon, or mount with the usrquota/grpquota/prjquota option',
  })
}

/**
 * The filesystems for one quota type. Unknown mount arguments throw (usage); known mounts without
 * that type on are returned as errors so the caller decides: setquota refuses before changing
 * anything, repquota reports the others. Duplicates (a mount named twice) are dropped.
 */
export function selectFilesystems(all: Filesystem[], req: TargetRequest, type: QuotaType): Targets {
  if (req.all) return {filesystems: all.filter((fs) => typeIsOn(fs, type)), errors: []}
  const chosen = [...new Set(req.mounts.map((arg) => findFilesystem(all, arg)))]
  return {
    filesystems: chosen.filter((fs) => typeIsOn(fs, type)),
    errors: chosen.filter((fs) => !typeIsOn(fs, type)).map((fs) => quotaNotOnError(fs, type)),
  }
}

/** `-a` and mount arguments exclude each other; one of them is needed. */
export function checkTargetRequest(req: TargetRequest): void {
  if (req.all && req.mounts.length > 0) {
    throw new QuotaError('usage', `-a and mount arguments exclude each other (got ${req.mounts.join(' ')})`, {hint: 'give -a or mountpoints'})
  }
  if (!req.all && req.mounts.length === 0) {
    throw new QuotaError('usage', 'no filesystem given', {hint: 'give one or more mountpoints or devices, or -a for all'})
  }
}
