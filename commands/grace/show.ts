// `quotakit grace show`: per filesystem and quota type, the block and inode grace periods, then
// every id in grace (over its soft limit) with usage, limit, time left and expiry, soonest first.
// Ids whose grace has run out are marked enforced: the kernel now refuses them past the soft limit.
// Which ids, in which order and what "enforced" means is decided in src/core/grace.ts.

import * as Flags from '@oclif/core/flags'

import {getBackend} from '../../src/backend.js'
import {QuotaCommand, outputFlag} from '../../src/cli/base.js'
import {atMount, combinableTypeFlags, noFilesystemError, typesFrom} from '../../src/cli/grace-args.js'
import {positionals} from '../../src/cli/positionals.js'
import {formatGracePeriod, formatGraceRemaining} from '../../src/core/durations.js'
import {type GraceTimerJson, type TimerState, exemptIdsFor, graceTimerJson, graceTimers} from '../../src/core/grace.js'
import {SCHEMA_VERSION, type ReportBlockHeaderJson, reportBlockHeaderJson} from '../../src/core/json.js'
import {checkTargetRequest, selectFilesystems} from '../../src/core/targets.js'
import type {QuotaRecord, QuotaType} from '../../src/core/types.js'
import {formatInodes, formatSpaceKiB, limitKiB, usageKiB} from '../../src/core/units.js'
import {QuotaError} from '../../src/errors.js'
import {Resolver} from '../../src/names.js'
import type {Document, TableBlock} from '../../src/output/document.js'

export interface GraceReport extends ReportBlockHeaderJson {
  /** the filesystem enforces this quota type; without it nothing is "enforced" */
  enforcement: boolean
  timers: GraceTimerJson[]
}

export interface GraceShowResult {
  schemaVersion: number
  /** the clock the report was computed against, epoch seconds */
  nowEpoch: number
  reports: GraceReport[]
}

const TYPE_TITLE: Record<QuotaType, string> = {user: 'User', group: 'Group', project: 'Project'}

const STATE_WORD = (t: GraceTimerJson): string => {
  const words: Record<TimerState, string> = {running: 'running', expired: 'expired', 'not-started': 'not-started'}
  return t.enforced ? 'enforced' : words[t.state]
}

const periodText = (seconds: number | null): string => (seconds === null ? '?' : formatGracePeriod(seconds))

/** Used, soft and hard in linuxquota's human units (13K, 10240M; inodes 120k), for the table. */
function amounts(t: GraceTimerJson): {used: string; soft: string | null; hard: string | null} {
  if (t.resource === 'space') {
    return {
      used: formatSpaceKiB(usageKiB(t.usedBytes), 'auto'),
      soft: t.softLimitBytes === null ? null : formatSpaceKiB(limitKiB(t.softLimitBytes), 'auto'),
      hard: t.hardLimitBytes === null ? null : formatSpaceKiB(limitKiB(t.hardLimitBytes), 'auto'),
    }
  }
  return {
    used: formatInodes(t.used, 'auto'),
    soft: t.softLimit === null ? null : formatInodes(t.softLimit, 'auto'),
    hard: t.hardLimit === null ? null : formatInodes(t.hardLimit, 'auto'),
  }
}

export default class GraceShow extends QuotaCommand<GraceShowResult, typeof GraceShow> {
  static override summary = 'Show grace periods, and every id in grace, soonest expiry first.'
  static override description = `For each filesystem and quota type: the block and inode grace periods (how long an id may stay over its soft limit), then every id over a soft limit with its usage, limits, time left and expiry, the one expiring soonest first. An id whose grace has run out is marked "enforced": the kernel now refuses it any allocation past the soft limit, as if the soft limit were a hard one. (On XFS id 0 is never enforced, and nothing is while enforcement is off.)

States: running (timer counting down), enforced (timer ran out, limit enforced), expired (timer ran out but the filesystem does not enforce), not-started (over the soft limit but no timer yet: the next allocation starts a full grace period).

The Grace column is linuxquota's repquota grace column (6days, 13:15, none); Expires is the expiry in UTC. --json gives epoch seconds too, and the seconds left.`

  static override examples = [
    {description: 'Grace periods and ids in grace for user quota on every filesystem.', command: '<%= config.bin %> <%= command.id %> -a'},
    {description: 'User, group and project quota of one filesystem.', command: '<%= config.bin %> <%= command.id %> -ugP /srv'},
    {
      description: 'Ids the kernel is enforcing now, for a script.',
      command: `<%= config.bin %> <%= command.id %> -a --json | jq -r '.reports[].timers[] | select(.enforced) | .name'`,
    },
  ]

  static override strict = false // MOUNT... as positional arguments
  static override usage = ['<%= command.id %> [-u] [-g] [-P] [-n] [-O default|csv|json] (-a | MOUNT...)']

  static override flags = {
    ...combinableTypeFlags,
    all: Flags.boolean({char: 'a', aliases: ['all-filesystems'], description: 'Every filesystem with that quota type on.'}),
    'no-names': Flags.boolean({char: 'n', description: 'Print ids as #ID instead of looking up names.'}),
    output: outputFlag(['default', 'csv', 'json'] as const),
  }

  static override exitStatus = [
    {code: 1, meaning: 'some filesystems could not be read (the others are reported)'},
    {code: 69, meaning: 'no named filesystem has that quota type on'},
    {code: 77, meaning: 'not permitted: listing every id needs root'},
  ]

  static override seeAlso = ['repquota(8)', 'edquota(8)', 'xfs_quota(8)', 'quotactl(2)']

  private readonly nowEpoch = Math.floor(Date.now() / 1000)

  async execute(): Promise<GraceShowResult> {
    const {raw} = await this.parse(GraceShow, this.argv)
    const mounts = positionals(raw)
    const {flags} = this
    checkTargetRequest({all: flags.all, mounts})
    const types = typesFrom(flags)
    const resolver = new Resolver()
    const backend = await getBackend()
    const filesystems = backend.filesystems()
    const reports: GraceReport[] = []
    const failures: QuotaError[] = []
    for (const type of types) {
      const targets = selectFilesystems(filesystems, {all: flags.all, mounts}, type)
      failures.push(...targets.errors)
      for (const fs of targets.filesystems) {
        try {
          const grace = backend.getInfo(fs, type)
          const records = new Map<number, QuotaRecord>()
          for (const rec of backend.iterate(fs, type)) records.set(rec.id, rec)
          const st = fs.quotas[type]
          const enforcement = st?.enforcement ?? false
          const timers = graceTimers(records.values(), this.nowEpoch, {enforcement, exemptIds: exemptIdsFor(fs.fstype)})
          reports.push({
            ...reportBlockHeaderJson(fs, type),
            blockGraceSeconds: grace.blockGraceSeconds,
            inodeGraceSeconds: grace.inodeGraceSeconds,
            enforcement,
            timers: timers.map((t) =>
              graceTimerJson(t, records.get(t.id) as QuotaRecord, flags['no-names'] ? null : resolver.nameOf(type, t.id)),
            ),
          })
        } catch (error) {
          if (!(error instanceof QuotaError)) throw error
          failures.push(atMount(error, fs.mountpoint))
        }
      }
    }
    if (reports.length === 0 && failures.length > 0) throw failures[0]
    if (reports.length === 0) throw noFilesystemError(types)
    for (const failure of failures) this.reportFailure(failure)
    return {schemaVersion: SCHEMA_VERSION, nowEpoch: this.nowEpoch, reports}
  }

  override present(result: GraceShowResult): Document {
    return result.reports.map((r): TableBlock => ({
      kind: 'table',
      title: `${TYPE_TITLE[r.type]} grace on ${r.mountpoint} (${r.device}, ${r.format}): block ${periodText(r.blockGraceSeconds)}, inode ${periodText(r.inodeGraceSeconds)}`,
      columns: [
        {key: 'name', header: 'Name'},
        {key: 'limit', header: 'Limit'},
        {key: 'used', header: 'Used', align: 'right'},
        {key: 'soft', header: 'Soft', align: 'right'},
        {key: 'hard', header: 'Hard', align: 'right'},
        {key: 'grace', header: 'Grace', align: 'right'},
        {key: 'expires', header: 'Expires'},
        {key: 'state', header: 'State'},
      ],
      rows: r.timers.map((t) => ({
        cells: {
          name: t.name ?? `#${t.id}`,
          limit: t.resource === 'space' ? 'block' : 'inode',
          ...amounts(t),
          grace: t.graceExpiresAtEpoch === null ? null : formatGraceRemaining(t.graceExpiresAtEpoch, result.nowEpoch),
          expires: t.graceExpiresAt === null ? null : t.graceExpiresAt.replace(/\.\d+Z$/, 'Z'),
          state: STATE_WORD(t),
        },
        status: t.status,
      })),
      emptyText: `${TYPE_TITLE[r.type]} grace on ${r.mountpoint}: block ${periodText(r.blockGraceSeconds)}, inode ${periodText(r.inodeGraceSeconds)}; no id is in grace.`,
    }))
  }
}
