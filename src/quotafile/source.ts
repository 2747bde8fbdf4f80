// A quota file as a report source: `repquota -F vfsv0|vfsv1 MOUNT` on a filesystem whose quota is
// off reads the file itself (as linuxquota's repquota does), checked by the reader like any file.

import type {QuotaTreeStats} from '../core/report.js'
import type {Filesystem, QuotaRecord, QuotaType} from '../core/types.js'
import {QuotaError} from '../errors.js'
import type {TreeFormat} from './format.js'
import {readQuotaFileAt} from './io.js'
import {quotaFilePath} from './paths.js'

export interface FileSource {
  /** the filesystem, its quota state for `type` describing the file (accounting off) */
  fs: Filesystem
  records: QuotaRecord[]
  path: string
  /** the file's tree statistics (repquota -v prints them) */
  tree: QuotaTreeStats
}

export function quotaFileSource(fs: Filesystem, type: QuotaType, format: TreeFormat): FileSource {
  if (type === 'project') {
    throw new QuotaError('unsupported', 'project quota has no quota file (it lives in filesystem metadata)', {mount: fs.mountpoint})
  }
  const path = quotaFilePath(fs, type, format)
  const contents = readQuotaFileAt(path, {type, format})
  if (!contents) {
    throw new QuotaError('unsupported', `${type} quota is off and there is no quota file ${path}`, {
      mount: fs.mountpoint,
      hint: 'create one with quotakit quotacheck -c, or turn quota on',
    })
  }
  const state = {accounting: false, enforcement: false, format: contents.header.format, systemFile: false, grace: contents.header.grace}
  return {fs: {...fs, quotas: {...fs.quotas, [type]: state}}, records: contents.records, path, tree: contents.stats}
}
