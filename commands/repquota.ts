// `quotakit repquota`: usage and limits of every id, per filesystem and quota type, in
// linuxquota's layouts (default table, csv, xml) or as JSON. Gathers records and names here;
// the model is built by src/core/report.ts and drawn by src/output/repquota-*.ts.

import * as Flags from '@oclif/core/flags'

import {type QuotaBackend, getBackend} from '../src/backend.js'
import {QuotaCommand, outputFlag} from '../src/cli/base.js'
import {humanReadableFlags, humanUnitsFrom, normalizeHumanReadableArgv} from '../src/cli/human-readable.js'
import {positionals} from '../src/cli/positionals.js'
import {SCHEMA_VERSION} from '../src/core/json.js'
import {type QuotaTreeStats, type ReportBlock, type RepquotaResult, buildReportBlock, noQuotaRecord} from '../src/core/report.js'
import {checkTargetRequest, selectFilesystems} from '../src/core/targets.js'
import type {Filesystem, GraceInfo, QuotaRecord, QuotaType} from '../src/core/types.js'
import {QuotaError, usageError} from '../src/errors.js'
import {Resolver} from '../src/names.js'
import {activeTreeFormat, readActiveQuotaFile} from '../src/quotafile/active.js'
import {quotaFileSource} from '../src/quotafile/source.js'
import type {Document} from '../src/output/document.js'
import type {RepquotaFormatOptions} from '../src/output/repquota-cells.js'
import {repquotaCsv} from '../src/output/repquota-csv.js'
import {repquotaDefault} from '../src/output/repquota-default.js'
import {repquotaXml} from '../src/output/repquota-xml.js'

export default class Repquota extends QuotaCommand<RepquotaResult, typeof Repquota> {
  static override summary = 'Report disk usage and quota limits for every user, group or project.'
  static override description = `Prints, for each filesystem and quota type, every id with some usage: space and inodes used, soft and hard limits, and the grace time left. The default layout is linuxquota's, column for column (flags -- +- -+ ++, grace as 7days / 13:15 / none), so existing scripts keep working; on a terminal rows over a soft limit are yellow and rows over a hard limit or past their grace are red.

Space is shown in KiB (usage rounded up, as the kernel reports it) unless -s is given. -O csv adds a Filesystem column first; -O xml is well-formed and escaped; -O json or --json gives bytes, counts, limits (null for none), grace expiry as ISO 8601 and epoch seconds, and a status per side: ok, soft, expired (past grace) or hard.

Where quota is on with a vfsv0/vfsv1 quota file (aquota.user, aquota.group), the report is read from that file right after the kernel has written its cached quotas to it (Q_SYNC), as linuxquota does: one read instead of one kernel call per id. If the file cannot be read, is not the one quota was turned on with, or fails the reader's checks, the kernel is asked per id instead (a damaged file is also a warning); --from-kernel always asks the kernel.

Differences from linuxquota 4.06 are listed in docs/compat.md.`

  static override examples = [
    {description: 'User quotas on every filesystem with quota on.', command: '<%= config.bin %> <%= command.id %> -a'},
    {description: 'User and group quotas of /home in human units.', command: '<%= config.bin %> <%= command.id %> -ugs /home'},
    {description: 'Just two users, as CSV.', command: '<%= config.bin %> <%= command.id %> --only alice --only bob -O csv /home'},
    {
      description: 'Users past their grace period, for a script.',
      command: `<%= config.bin %> <%= command.id %> -a --json | jq -r '.reports[].entries[] | select(.space.status == "expired") | .name'`,
    },
  ]

  static override strict = false // MOUNT... as positional arguments
  static override usage = ['<%= command.id %> [-vugPs] [-t|-n] [-p] [-O default|csv|json|xml] (-a | MOUNT...)']

  static override flags = {
    all: Flags.boolean({char: 'a', description: 'Report every filesystem with that quota type on.'}),
    user: Flags.boolean({char: 'u', description: 'Report user quotas (the default).'}),
    group: Flags.boolean({char: 'g', description: 'Report group quotas.'}),
    project: Flags.boolean({char: 'P', description: 'Report project quotas. -u, -g and -P combine: one report each.'}),
    verbose: Flags.boolean({char: 'v', description: 'Also list ids without any usage; after the rows, the XFS quota status, or the tree statistics of the quota file the report was read from.'}),
    'with-limits': Flags.boolean({description: 'Also list ids that have limits but no usage (without -v\'s empty ids).'}),
    only: Flags.string({
      description: 'Report just this user, group or project (name or id); repeatable. Listed even without usage.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    ...humanReadableFlags,
    'no-names': Flags.boolean({char: 'n', description: 'Print ids as #ID instead of looking up names.', exclusive: ['truncate-names']}),
    'truncate-names': Flags.boolean({char: 't', description: 'Cut names to 9 characters so columns stay aligned.'}),
    'raw-grace': Flags.boolean({char: 'p', description: 'Print grace expiry as epoch seconds (0 when none) instead of the time left.'}),
    cache: Flags.boolean({char: 'c', description: 'Accepted for linuxquota compatibility: names are always looked up once per id and cached.'}),
    'no-cache': Flags.boolean({char: 'C', description: 'Accepted for linuxquota compatibility (see --cache).'}),
    format: Flags.option({
      char: 'F',
      options: ['vfsold', 'vfsv0', 'vfsv1', 'rpc', 'xfs'] as const,
      description:
        'The format is the one the kernel reports; rpc is refused. vfsv0/vfsv1 on a filesystem whose quota is off: report from its quota file (aquota.user, aquota.group).',
    })(),
    'from-kernel': Flags.boolean({
      description:
        'Ask the kernel for every id (one quotactl per id) also where quota is on with a vfsv0/vfsv1 file, which is otherwise read directly after Q_SYNC, as linuxquota does. Same as QUOTAKIT_REPQUOTA_FROM_KERNEL=1.',
      env: 'QUOTAKIT_REPQUOTA_FROM_KERNEL',
    }),
    'no-autofs': Flags.boolean({char: 'i', description: 'Accepted for linuxquota compatibility (autofs mounts never carry quota).'}),
    output: outputFlag(['default', 'csv', 'json', 'xml'] as const),
  }

  private nowEpoch = Math.floor(Date.now() / 1000)

  override async init(): Promise<void> {
    // `-sg,k` and `--human-readable=g,k` become --human-units before oclif sees them.
    this.argv = normalizeHumanReadableArgv(this.argv)
    await super.init()
  }

  async execute(): Promise<RepquotaResult> {
    const {raw} = await this.parse(Repquota, this.argv)
    const mounts = positionals(raw)
    const {flags} = this
    if (flags.format === 'rpc') throw usageError('repquota cannot report through RPC', 'run it on the NFS server')
    checkTargetRequest({all: flags.all, mounts})

    const types: QuotaType[] = [flags.user && 'user', flags.group && 'group', flags.project && 'project'].filter(Boolean) as QuotaType[]
    if (types.length === 0) types.push('user')

    const resolver = new Resolver()
    const nameOf = (type: QuotaType, id: number) => (flags['no-names'] ? null : resolver.nameOf(type, id))
    // Every --only name is resolved before the first kernel call: an unknown one is exit 67.
    const onlyIds = new Map(types.map((type) => [type, flags.only && [...new Set(flags.only.map((n) => resolver.resolve(type, n)))]]))

    const backend = await getBackend()
    const filesystems = backend.filesystems()
    const reports: ReportBlock[] = []
    const failures: QuotaError[] = []
    // -F vfsv0|vfsv1 on a mount whose quota is off: report from the quota file (quotacheck's reader).
    const fileFormat = flags.format === 'vfsv0' || flags.format === 'vfsv1' ? flags.format : undefined
    for (const type of types) {
      const targets = selectFilesystems(filesystems, {all: flags.all, mounts}, type)
      for (const error of targets.errors) {
        const fs = fileFormat && filesystems.find((f) => f.mountpoint === error.mount)
        if (!fs) {
          failures.push(error)
          continue
        }
        try {
          const source = quotaFileSource(fs, type, fileFormat)
          const ids = onlyIds.get(type)
          const byId = new Map(source.records.map((r) => [r.id, r]))
          reports.push(
            buildReportBlock({
              fs: source.fs,
              type,
              records: ids ? ids.map((id) => byId.get(id) ?? noQuotaRecord(id)) : source.records,
              tree: source.tree,
              nameOf: (id) => nameOf(type, id),
              nowEpoch: this.nowEpoch,
              selection: ids ? null : {verbose: flags.verbose, withLimits: flags['with-limits']},
            }),
          )
        } catch (e) {
          if (!(e instanceof QuotaError)) throw e
          failures.push(e)
        }
      }
      for (const fs of targets.filesystems) {
        try {
          const ids = onlyIds.get(type)
          const reported = withGrace(fs, type, () => backend.getInfo(fs, type))
          const {records, tree} = ids
            ? {records: ids.map((id) => backend.getQuota(fs, type, id) ?? noQuotaRecord(id)), tree: undefined}
            : this.everyRecord(backend, reported, type)
          reports.push(
            buildReportBlock({
              fs: reported,
              type,
              records,
              tree,
              nameOf: (id) => nameOf(type, id),
              nowEpoch: this.nowEpoch,
              selection: ids ? null : {verbose: flags.verbose, withLimits: flags['with-limits']},
            }),
          )
        } catch (error) {
          if (!(error instanceof QuotaError)) throw error
          failures.push(error)
        }
      }
    }
    // Nothing to show and something failed: that failure is the answer (e.g. exit 69, 77).
    if (reports.length === 0 && failures.length > 0) throw failures[0]
    for (const failure of failures) this.reportFailure(failure)
    return {schemaVersion: SCHEMA_VERSION, reports}
  }

  /**
   * Every id's record: from the quota file the kernel is using when there is one (Q_SYNC, then one
   * read, as linuxquota does; with its tree statistics), else one Q_GETNEXTQUOTA per id.
   * --from-kernel forces the latter.
   */
  private everyRecord(backend: QuotaBackend, fs: Filesystem, type: QuotaType): {records: Iterable<QuotaRecord>; tree?: QuotaTreeStats} {
    if (!this.flags['from-kernel'] && activeTreeFormat(fs, type)) {
      const file = readActiveQuotaFile(backend, fs, type)
      if (file.ok) return file
      if (file.warn) this.warning(`${file.reason}; asking the kernel for every id instead`)
    }
    return {records: backend.iterate(fs, type)}
  }

  override present(result: RepquotaResult): Document {
    const opts = this.formatOptions()
    return this.outputFormat() === 'csv' ? repquotaCsv(result, opts) : [repquotaDefault(result, opts, this.flags.verbose)]
  }

  protected override formatOther(format: string, result: RepquotaResult): string {
    if (format === 'xml') return repquotaXml(result, this.formatOptions())
    return super.formatOther(format, result)
  }

  private formatOptions(): RepquotaFormatOptions {
    return {
      units: humanUnitsFrom(this.flags),
      rawGrace: this.flags['raw-grace'],
      truncateNames: this.flags['truncate-names'],
      nowEpoch: this.nowEpoch,
    }
  }
}

/** The report header shows grace periods; ask the kernel when discovery did not record them. */
function withGrace(fs: Filesystem, type: QuotaType, getInfo: () => GraceInfo): Filesystem {
  const st = fs.quotas[type]
  if (!st || st.grace) return fs
  return {...fs, quotas: {...fs.quotas, [type]: {...st, grace: getInfo()}}}
}
