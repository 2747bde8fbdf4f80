// `quotakit filesystems`: which mounts have quota, of which type, in which state. The answer to
// "where can I use setquota/repquota", like `quotaon -pa` but with device, fstype, format and
// grace periods in one listing.
//
// No filesystem with quota is an answer, not an error: exit 0, and nothing on stdout in a pipe
// (so `| wc -l` says 0); on a terminal a one-line note says so and points at --all.

import * as Flags from '@oclif/core/flags'

import {getBackend} from '../src/backend.js'
import {QuotaCommand} from '../src/cli/base.js'
import {formatGracePeriod} from '../src/core/durations.js'
import {type QuotaTypeStateJson, SCHEMA_VERSION, filesystemRefJson, quotaTypeStateJson} from '../src/core/json.js'
import {type Filesystem, QUOTA_TYPES, type QuotaType} from '../src/core/types.js'
import type {Document, TableBlock} from '../src/output/document.js'

export interface FilesystemJson {
  mountpoint: string
  device: string
  fstype: string
  quotas: Partial<Record<QuotaType, QuotaTypeStateJson>>
}

export interface FilesystemsResult {
  schemaVersion: number
  filesystems: FilesystemJson[]
}

const hasQuotaOn = (fs: Filesystem): boolean =>
  QUOTA_TYPES.some((type) => fs.quotas[type]?.accounting || fs.quotas[type]?.enforcement)

const toJson = (fs: Filesystem): FilesystemJson => {
  const quotas: FilesystemJson['quotas'] = {}
  for (const type of QUOTA_TYPES) {
    const state = fs.quotas[type]
    if (state) quotas[type] = quotaTypeStateJson(state)
  }
  return {...filesystemRefJson(fs), quotas}
}

const onOff = (on: boolean): string => (on ? 'on' : 'off')
const grace = (seconds: number | null): string | null => (seconds === null ? null : formatGracePeriod(seconds))

/** One row per quota type the kernel reports; a mount without any (shown with --all) gets one row. */
function rowsFor(fs: FilesystemJson): TableBlock['rows'] {
  const ref = {mountpoint: fs.mountpoint, device: fs.device, fstype: fs.fstype}
  const types = QUOTA_TYPES.filter((type) => fs.quotas[type])
  if (types.length === 0) return [{cells: {...ref, quota: null}}]
  return types.map((type) => {
    const st = fs.quotas[type] as QuotaTypeStateJson
    const cells = {
      ...ref,
      quota: type,
      accounting: onOff(st.accounting),
      enforcement: onOff(st.enforcement),
      format: st.format,
      blockGrace: grace(st.blockGraceSeconds),
      inodeGrace: grace(st.inodeGraceSeconds),
    }
    return {cells}
  })
}

export default class Filesystems extends QuotaCommand<FilesystemsResult, typeof Filesystems> {
  static override summary = 'List mounted filesystems and the state of their quotas.'
  static override description = `For each mount the kernel reports: mountpoint, device, filesystem type and, per quota type (user, group, project), whether usage is accounted and limits enforced, the quota format, and the block and inode grace periods (as repquota prints them: 7days, 01:00).

By default only filesystems with at least one quota type accounted or enforced are listed; --all lists every mount. An empty list is not an error: the exit status is 0. When stdout is not a terminal the table is printed as plain columns for awk, and an empty list prints nothing.`

  static override examples = [
    {description: 'Filesystems with quota on.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Every mount, with or without quota.', command: '<%= config.bin %> <%= command.id %> --all'},
    {
      description: 'Mountpoints with user quota enforced, for a script.',
      command: `<%= config.bin %> <%= command.id %> --json | jq -r '.filesystems[] | select(.quotas.user.enforcement) | .mountpoint'`,
    },
  ]

  static override flags = {
    all: Flags.boolean({char: 'a', description: 'List every mounted filesystem, including those without quota.'}),
  }

  static override files = [{path: '/proc/self/mountinfo', description: 'The mount table read to find filesystems.'}]
  static override seeAlso = ['quotaon(8)', 'quotactl(2)', 'findmnt(8)']

  async execute(): Promise<FilesystemsResult> {
    const backend = await getBackend()
    const mounts = backend.filesystems().filter((fs) => this.flags.all || hasQuotaOn(fs))
    return {schemaVersion: SCHEMA_VERSION, filesystems: mounts.map(toJson)}
  }

  override present(result: FilesystemsResult): Document {
    const table: TableBlock = {
      kind: 'table',
      columns: [
        {key: 'mountpoint', header: 'Filesystem'},
        {key: 'device', header: 'Device'},
        {key: 'fstype', header: 'Type'},
        {key: 'quota', header: 'Quota'},
        {key: 'accounting', header: 'Accounting'},
        {key: 'enforcement', header: 'Enforcement'},
        {key: 'format', header: 'Format'},
        {key: 'blockGrace', header: 'Block grace', align: 'right'},
        {key: 'inodeGrace', header: 'Inode grace', align: 'right'},
      ],
      rows: result.filesystems.flatMap(rowsFor),
      emptyText: this.flags.all
        ? 'No mounted filesystems reported.'
        : 'No filesystem has quota turned on (--all lists every mount).',
    }
    return [table]
  }
}
