// `quotakit grace reset`: the notification-only soft-quota policy. For ids over their soft limit,
// restart the grace timer so the soft limit only ever warns, as long as reset runs more often
// than the grace period (docs/grace.md has the cadence rule and the cron / systemd units).
//
// Which write restarts a timer depends on the kernel (ecosystem.md 1.4): writing a fresh expiry
// (QIF_BTIME / QIF_ITIME, XFS d_btimer) is kept on >= 5.10 and on XFS, ignored on <= 4.9;
// re-applying the current limits restarts the timer on VFS >= 4.15, clears it on <= 4.14 and does
// nothing on XFS. So each write is read back, and the first one the kernel honours is used for the
// rest of that filesystem. Nothing else about an id changes: limits are compared before and after.

import * as Flags from '@oclif/core/flags'

import type {QuotaBackend} from '../../src/backend.js'
import {getBackend} from '../../src/backend.js'
import {QuotaCommand} from '../../src/cli/base.js'
import {atMount, combinableTypeFlags, noFilesystemError, splitNamesAndMounts, typesFrom} from '../../src/cli/grace-args.js'
import {positionals} from '../../src/cli/positionals.js'
import {formatDuration, formatGracePeriod} from '../../src/core/durations.js'
import {
  RESOURCES,
  type ReadBack,
  type Resource,
  type ResetMethod,
  type ResetSkipReason,
  expiryOf,
  inGrace,
  judgeReadBack,
  planReset,
  resetHonoured,
  resetMethods,
  safeResetInterval,
  sameLimits,
  sideOf,
  timerGranularitySeconds,
} from '../../src/core/grace.js'
import {type GraceJson, type ReportBlockHeaderJson, SCHEMA_VERSION, graceJson, reportBlockHeaderJson} from '../../src/core/json.js'
import {noQuotaRecord} from '../../src/core/report.js'
import {checkTargetRequest, selectFilesystems} from '../../src/core/targets.js'
import type {Filesystem, GraceInfo, QuotaRecord, QuotaType, QuotaUpdate} from '../../src/core/types.js'
import {QuotaError, usageError} from '../../src/errors.js'
import {Resolver} from '../../src/names.js'
import type {Document, TableBlock} from '../../src/output/document.js'

/**
 *   reset        the timer was restarted (readBack says how the kernel took it)
 *   would-reset  --dry-run: it would have been
 *   skipped      nothing to do (reason)
 *   failed       the kernel honoured no write, or the call failed (error)
 */
export type ResetAction = 'reset' | 'would-reset' | 'skipped' | 'failed'

export interface ResetEntry {
  id: number
  name: string | null
  resource: Resource
  action: ResetAction
  reason: ResetSkipReason | null
  /** the write that worked (reset) or was tried last (failed) */
  method: ResetMethod | null
  readBack: ReadBack | null
  before: GraceJson
  /** the expiry asked for: now + grace period */
  target: GraceJson | null
  after: GraceJson | null
  error: Record<string, unknown> | null
}

export interface ResetReport extends ReportBlockHeaderJson {
  /** the write this kernel honoured on this filesystem and type in this run (null: none needed or none worked) */
  method: ResetMethod | null
  /** run reset at least this often (seconds) to keep soft limits warning-only: half the shortest grace period; null when a period is 0 */
  maxIntervalSeconds: number | null
  entries: ResetEntry[]
}

export interface ResetResult {
  schemaVersion: number
  dryRun: boolean
  nowEpoch: number
  reports: ResetReport[]
}

const LIMIT_WORD: Record<Resource, string> = {space: 'block', inodes: 'inode'}

const METHOD_TEXT: Record<ResetMethod, string> = {expiry: 'writing a fresh expiry', limits: 're-applying the limits'}

export default class GraceReset extends QuotaCommand<ResetResult, typeof GraceReset> {
  static override summary = 'Restart the grace timers of ids over their soft limits, so soft limits only warn.'
  static override description = `The notification-only soft-quota policy: run this more often than the grace period (from cron or a systemd timer, see docs/grace.md and contrib/) and an id over its soft limit never reaches the end of its grace, so the soft limit only ever warns (quota warnings, warnquota mail) while the hard limit still stops writes.

For every NAME (or, with --all, every id over a soft limit) whose grace timer runs or has run out, the timer is restarted at now + the grace period. Timers not started yet, ids under their soft limits, and timers that already end later (e.g. set by grace set-user) are left alone. Nothing else about an id changes: limits and usage are untouched, and limits are compared before and after.

How a timer is restarted depends on the running kernel: writing a fresh expiry (kept on Linux 5.10 and later and on XFS, ignored on 4.9 and earlier) or re-applying the current limits (restarts the timer on 4.15 and later, clears it on 4.14 and earlier, does nothing on XFS). Each write is read back; the first the kernel honours is used for the rest of that filesystem, and the result names it per id. --method forces one.

-a (--all-filesystems) means every filesystem with that quota type on; --all means every id.`

  static override examples = [
    {description: 'Keep every soft limit warning-only, all types, all filesystems (the cron job).', command: '<%= config.bin %> <%= command.id %> -ugP --all -a'},
    {description: 'What would be reset on /home, without changing anything.', command: '<%= config.bin %> <%= command.id %> --all --dry-run /home'},
    {description: 'Just alice and bob on /home, as JSON.', command: '<%= config.bin %> <%= command.id %> alice bob /home --json'},
  ]

  static override strict = false // NAME... and MOUNT... as positional arguments
  static override usage = ['<%= command.id %> [-u] [-g] [-P] (NAME... | --all) [--dry-run] [--method auto|expiry|limits] (-a | MOUNT...)']

  static override flags = {
    ...combinableTypeFlags,
    all: Flags.boolean({description: 'Every id over a soft limit (instead of NAMEs).'}),
    'all-filesystems': Flags.boolean({char: 'a', description: 'Every filesystem with that quota type on.'}),
    'dry-run': Flags.boolean({description: 'Report what would be reset; change nothing.'}),
    method: Flags.option({
      options: ['auto', 'expiry', 'limits'] as const,
      default: 'auto' as const,
      description: 'How to restart a timer: auto (find what the kernel honours), expiry (write a fresh expiry), limits (re-apply the limits).',
    })(),
    'no-names': Flags.boolean({char: 'n', description: 'Print ids as #ID instead of looking up names.'}),
  }

  static override exitStatus = [
    {code: 1, meaning: 'the kernel honoured no write for some id, or a change failed'},
    {code: 64, meaning: 'neither NAMEs nor --all, or no filesystem given'},
    {code: 67, meaning: 'an unknown user, group or project (nothing was changed)'},
    {code: 69, meaning: 'a named filesystem does not have that quota type on (nothing was changed)'},
    {code: 77, meaning: 'not permitted: run as root'},
  ]

  static override files = [
    {path: 'contrib/quotakit-grace-reset.service', description: 'In the quotakit source: a systemd oneshot service that runs grace reset, with quotakit-grace-reset.timer to run it hourly.'},
    {path: 'contrib/quotakit-grace-reset.cron', description: 'In the quotakit source: the same as an /etc/cron.d line.'},
  ]

  static override seeAlso = ['warnquota(8)', 'setquota(8)', 'systemd.timer(5)', 'crontab(5)']

  private readonly nowEpoch = Math.floor(Date.now() / 1000)
  private wroteAny = false

  async execute(): Promise<ResetResult> {
    const {raw} = await this.parse(GraceReset, this.argv)
    const {names, mounts} = splitNamesAndMounts(positionals(raw))
    const {flags} = this
    if (flags.all && names.length > 0) throw usageError(`--all and NAMEs exclude each other (got ${names.join(' ')})`, 'give NAMEs or --all')
    if (!flags.all && names.length === 0) throw usageError('no NAME given', 'give one or more NAMEs, or --all for every id over a soft limit')
    const req = {all: flags['all-filesystems'], mounts}
    checkTargetRequest(req)
    const types = typesFrom(flags)

    // Names (exit 67) and filesystems (exit 69) are checked before anything changes.
    const resolver = new Resolver()
    const idsByType = new Map(types.map((type) => [type, [...new Set(names.map((n) => resolver.resolve(type, n)))]]))
    const backend = await getBackend()
    const all = backend.filesystems()
    const plans = types.flatMap((type) => {
      const targets = selectFilesystems(all, req, type)
      if (targets.errors.length > 0) throw targets.errors[0]
      return targets.filesystems.map((fs) => ({type, fs}))
    })
    if (plans.length === 0) throw noFilesystemError(types)

    const reports: ResetReport[] = []
    for (const {type, fs} of plans) {
      const nameOf = (id: number) => (flags['no-names'] ? null : resolver.nameOf(type, id))
      try {
        reports.push(this.resetFilesystem(backend, fs, type, flags.all ? null : (idsByType.get(type) as number[]), nameOf))
      } catch (thrown) {
        if (!(thrown instanceof QuotaError)) throw thrown
        if (thrown.kind === 'permission' && !this.wroteAny) throw atMount(thrown, fs.mountpoint)
        this.reportFailure(atMount(thrown, fs.mountpoint))
      }
    }
    return {schemaVersion: SCHEMA_VERSION, dryRun: Boolean(flags['dry-run']), nowEpoch: this.nowEpoch, reports}
  }

  /** One filesystem and type: every id asked (null: every id in grace), each side planned, then written and read back. */
  private resetFilesystem(backend: QuotaBackend, fs: Filesystem, type: QuotaType, ids: number[] | null, nameOf: (id: number) => string | null): ResetReport {
    const grace = backend.getInfo(fs, type)
    const records: QuotaRecord[] = ids === null ? [...backend.iterate(fs, type)] : ids.map((id) => backend.getQuota(fs, type, id) ?? noQuotaRecord(id))
    const report: ResetReport = {
      ...reportBlockHeaderJson(fs, type),
      blockGraceSeconds: grace.blockGraceSeconds,
      inodeGraceSeconds: grace.inodeGraceSeconds,
      method: null,
      maxIntervalSeconds: safeResetInterval([grace.blockGraceSeconds, grace.inodeGraceSeconds]),
      entries: [],
    }
    let warnedNoGrace = false
    for (const listed of records) {
      for (const resource of RESOURCES) {
        // With --all only sides in grace are listed; named ids show both sides.
        if (ids === null && !inGrace(sideOf(listed, resource))) continue
        const entry = this.resetSide(backend, fs, type, {record: listed, name: nameOf(listed.id)}, resource, grace, report)
        report.entries.push(entry)
        if (entry.reason === 'no-grace' && !warnedNoGrace) {
          warnedNoGrace = true
          this.warning(`${fs.mountpoint}: the ${type} ${LIMIT_WORD[resource]} grace period is 0, so a restarted timer would run out at once; set one with \`quotakit grace set\``)
        }
      }
    }
    return report
  }

  private resetSide(
    backend: QuotaBackend,
    fs: Filesystem,
    type: QuotaType,
    {record: listed, name}: {record: QuotaRecord; name: string | null},
    resource: Resource,
    grace: GraceInfo,
    report: ResetReport,
  ): ResetEntry {
    const {id} = listed
    const dryRun = this.flags['dry-run']
    // Read right before writing: limits re-applied must be the current ones.
    const before = dryRun ? listed : (backend.getQuota(fs, type, id) ?? noQuotaRecord(id))
    const plan = planReset(before, resource, grace, this.nowEpoch)
    const entry: ResetEntry = {
      id,
      name,
      resource,
      action: 'skipped',
      reason: null,
      method: null,
      readBack: null,
      before: graceJson(expiryOf(before, resource)),
      target: null,
      after: null,
      error: null,
    }
    if (plan.action === 'skip') {
      entry.reason = plan.reason
      return entry
    }
    entry.target = graceJson(plan.target)
    if (dryRun) {
      entry.action = 'would-reset'
      return entry
    }
    const who = name ?? `#${id}`
    try {
      for (const method of resetMethods(this.flags.method, report.method)) {
        const update: QuotaUpdate =
          resource === 'space'
            ? method === 'expiry'
              ? {spaceGraceExpiresAt: plan.target}
              : {softLimitBytes: before.space.softLimitBytes, hardLimitBytes: before.space.hardLimitBytes}
            : method === 'expiry'
              ? {inodeGraceExpiresAt: plan.target}
              : {inodeSoftLimit: before.inodes.softLimit, inodeHardLimit: before.inodes.hardLimit}
        backend.setQuota(fs, type, id, update)
        this.wroteAny = true
        const after = backend.getQuota(fs, type, id) ?? noQuotaRecord(id)
        entry.method = method
        entry.after = graceJson(expiryOf(after, resource))
        entry.readBack = judgeReadBack({method, target: plan.target, after: sideOf(after, resource), granularitySeconds: timerGranularitySeconds(fs.fstype)})
        if (!sameLimits(before, after)) {
          throw new QuotaError('failed', `id ${id}: limits changed during the reset (by someone else?)`, {mount: fs.mountpoint, id})
        }
        if (resetHonoured(entry.readBack)) {
          entry.action = 'reset'
          report.method = method
          return entry
        }
      }
      const tried = resetMethods(this.flags.method, null).map((m) => METHOD_TEXT[m])
      throw new QuotaError('failed', `${who}: the kernel did not restart the ${LIMIT_WORD[resource]} grace timer (tried ${tried.join(' and ')}; it holds ${entry.after?.expiresAt ?? 'no timer'})`, {
        mount: fs.mountpoint,
        id,
        hint: this.flags.method === 'auto' ? 'see docs/grace.md: kernel versions differ' : 'try --method auto',
      })
    } catch (thrown) {
      if (!(thrown instanceof QuotaError)) throw thrown
      if (thrown.kind === 'permission' && !this.wroteAny) throw thrown
      const err = atMount(thrown, fs.mountpoint)
      entry.action = 'failed'
      entry.error = err.toJSON()
      this.reportFailure(err)
      return entry
    }
  }

  override present(result: ResetResult): Document {
    const time = (g: GraceJson | null) => (g === null ? null : g.expiresAt === null ? 'none' : g.expiresAt.replace(/\.\d+Z$/, 'Z'))
    return result.reports.map((r): TableBlock => {
      const how = r.method ? `, by ${METHOD_TEXT[r.method]}` : ''
      const cadence = r.maxIntervalSeconds === null ? 'a grace period is 0' : `run at least every ${formatDuration(r.maxIntervalSeconds)}`
      const title = `${r.type} quota on ${r.mountpoint} (${r.format}): block grace ${formatGracePeriod(r.blockGraceSeconds ?? 0)}, inode grace ${formatGracePeriod(r.inodeGraceSeconds ?? 0)}; ${cadence}${how}`
      return {
        kind: 'table',
        title,
        columns: [
          {key: 'name', header: 'Name'},
          {key: 'resource', header: 'Limit'},
          {key: 'action', header: 'Action'},
          {key: 'before', header: 'Expired/expires'},
          {key: 'after', header: 'Now expires'},
          {key: 'note', header: 'Note'},
        ],
        rows: r.entries.map((e) => ({
          cells: {
            name: e.name ?? `#${e.id}`,
            resource: LIMIT_WORD[e.resource],
            action: e.action,
            before: time(e.before),
            after: e.action === 'would-reset' ? time(e.target) : time(e.after),
            note: e.reason ?? e.readBack,
          },
          status: e.action === 'failed' ? ('hard' as const) : e.action === 'skipped' ? ('ok' as const) : ('soft' as const),
        })),
        emptyText: `${title}\nno id is over a soft limit.`,
      }
    })
  }
}
