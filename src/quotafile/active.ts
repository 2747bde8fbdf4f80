// The quota file the kernel is using, as a report source. For vfsv0/vfsv1 files with quota on,
// linuxquota's repquota does not ask the kernel per id: it issues Q_SYNC for the type (the kernel
// writes its dirty dquots and the info header to the file and drops the file's page cache) and
// then reads the file's tree itself (quotaio.c init_io, quotaio_v2.c v2_scan_dquots). One read of
// a few MiB replaces a Q_GETNEXTQUOTA per id, which is what makes repquota over 100k ids cheap.
//
// This is only ever a shortcut: whenever the file cannot be trusted to be the kernel's current
// view (not found, unreadable, a header that disagrees with Q_GETINFO, anything the checking
// reader rejects), the caller asks the kernel per id as before. Only a file that exists and is
// damaged is worth a warning; the other reasons are normal (no privilege, a file kept elsewhere)
// and show under DEBUG=quota:file.

import type {QuotaBackend} from '../backend.js'
import {debugEnabled} from '../debug.js'
import type {QuotaTreeStats} from '../core/report.js'
import type {Filesystem, QuotaRecord, QuotaType} from '../core/types.js'
import {QuotaError} from '../errors.js'
import {TREE_FORMATS, type TreeFormat} from './format.js'
import {readQuotaFileAt} from './io.js'
import {quotaFilePath} from './paths.js'
import {QuotaFileError} from './reader.js'

export type ActiveFileResult =
  | {ok: true; path: string; records: QuotaRecord[]; tree: QuotaTreeStats}
  /** `warn`: the file exists but the reader found it damaged (twice: a read may race a write): say so once */
  | {ok: false; reason: string; warn: boolean}

const debugOn = debugEnabled('quota:file')

function debug(fs: Filesystem, type: QuotaType, message: string): void {
  if (debugOn) process.stderr.write(`quota:file ${fs.mountpoint} ${type}: ${message}\n`)
}

/** The format of the file the kernel has active for `type`, when it is one the reader knows. */
export function activeTreeFormat(fs: Filesystem, type: QuotaType): TreeFormat | null {
  const st = fs.quotas[type]
  if (!st?.accounting || st.systemFile || fs.fstype === 'xfs') return null
  return (TREE_FORMATS as readonly string[]).includes(st.format) ? (st.format as TreeFormat) : null
}

const sameGrace = (a: {blockGraceSeconds: number; inodeGraceSeconds: number}, b: typeof a): boolean =>
  a.blockGraceSeconds === b.blockGraceSeconds && a.inodeGraceSeconds === b.inodeGraceSeconds

/**
 * Q_SYNC, then the file read and checked. `fs.quotas[type].grace` must be the kernel's
 * (Q_GETINFO): a header that disagrees means the file at the default path is not the one the
 * kernel writes (quotaon was given another file), so it is not used.
 */
export function readActiveQuotaFile(backend: QuotaBackend, fs: Filesystem, type: QuotaType): ActiveFileResult {
  const result = attempt(backend, fs, type)
  debug(fs, type, result.ok ? `${result.records.length} records from ${result.path} after Q_SYNC` : `asking the kernel per id: ${result.reason}`)
  return result
}

function attempt(backend: QuotaBackend, fs: Filesystem, type: QuotaType): ActiveFileResult {
  const format = activeTreeFormat(fs, type)
  if (!format) return {ok: false, reason: 'no vfsv0/vfsv1 quota file in use', warn: false}
  const kernelGrace = fs.quotas[type]?.grace
  if (!kernelGrace) return {ok: false, reason: 'the kernel did not report grace periods', warn: false}
  const path = quotaFilePath(fs, type, format)
  const failure = (e: unknown, what = ''): Extract<ActiveFileResult, {ok: false}> => {
    if (!(e instanceof QuotaError)) throw e
    // a damaged file (QuotaFileError) is worth a warning; a file of another format is not the active one
    return {ok: false, reason: `${what}${e.line}`, warn: e instanceof QuotaFileError}
  }
  // A read can race a kernel write (a dquot created between Q_SYNC and the read): the reader then
  // sees a tree and data blocks that disagree. One more sync and read settles that case.
  let last: Extract<ActiveFileResult, {ok: false}> = {ok: false, reason: 'not read', warn: false}
  for (let tries = 0; tries < 2; tries++) {
    try {
      backend.sync(fs, type)
    } catch (e) {
      return failure(e, 'Q_SYNC: ')
    }
    let contents
    try {
      contents = readQuotaFileAt(path, {type, format})
    } catch (e) {
      last = failure(e)
      if (last.warn) continue
      return last
    }
    if (!contents) return {ok: false, reason: `${path} does not exist`, warn: false}
    if (!sameGrace(contents.header.grace, kernelGrace)) {
      return {ok: false, reason: `${path}'s grace periods differ from the kernel's: not the file quota is on with`, warn: false}
    }
    return {ok: true, path, records: contents.records, tree: contents.stats}
  }
  return last
}
