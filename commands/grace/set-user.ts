// `quotakit grace set-user`: an id's own grace timers (QIF_BTIME / QIF_ITIME; XFS d_btimer /
// d_itimer), for any id. linuxquota 4.06 refuses ids under their soft limit; we write anyway and
// read the timer back, so the result says what the kernel kept (it keeps no timer for an id
// under its soft limit). The read-back is judged in src/core/grace.ts.

import * as Flags from '@oclif/core/flags'

import {getBackend} from '../../src/backend.js'
import {QuotaCommand} from '../../src/cli/base.js'
import {atMount, noFilesystemError, singleTypeFlags, splitNamesAndMounts, typesFrom} from '../../src/cli/grace-args.js'
import {positionals} from '../../src/cli/positionals.js'
import {formatGraceRemaining} from '../../src/core/durations.js'
import {
  type ReadBack,
  type Resource,
  type TimerArg,
  expiryOf,
  judgeReadBack,
  parseTimerArg,
  sameLimits,
  sideOf,
  timerGranularitySeconds,
  timerTarget,
  unsetEnforcesAtOnce,
} from '../../src/core/grace.js'
import {type GraceJson, SCHEMA_VERSION, graceJson} from '../../src/core/json.js'
import {noQuotaRecord} from '../../src/core/report.js'
import {checkTargetRequest, selectFilesystems} from '../../src/core/targets.js'
import type {QuotaType, QuotaUpdate} from '../../src/core/types.js'
import {QuotaError, usageError} from '../../src/errors.js'
import {Resolver} from '../../src/names.js'
import type {Document} from '../../src/output/document.js'

/**
 *   kept     the kernel holds the expiry written
 *   dropped  not over that soft limit: the kernel keeps no timer (a warning, not a failure)
 *   ignored  the kernel holds something else (exit 1)
 *   refused  not written: on XFS an unset timer of an id over its soft limit would enforce it at once
 *   failed   the call failed
 */
export type TimerOutcome = ReadBack | 'refused' | 'failed'

export interface TimerResult {
  resource: Resource
  requested: GraceJson
  before: GraceJson | null
  after: GraceJson | null
  outcome: TimerOutcome
}

export interface SetUserItem {
  name: string
  id: number
  mountpoint: string
  device: string
  fstype: string
  format: string
  timers: TimerResult[]
  error: Record<string, unknown> | null
}

export interface SetUserResult {
  schemaVersion: number
  type: QuotaType
  items: SetUserItem[]
}

const UPDATE_FIELD: Record<Resource, 'spaceGraceExpiresAt' | 'inodeGraceExpiresAt'> = {space: 'spaceGraceExpiresAt', inodes: 'inodeGraceExpiresAt'}
const LIMIT_WORD: Record<Resource, string> = {space: 'block', inodes: 'inode'}

export default class GraceSetUser extends QuotaCommand<SetUserResult, typeof GraceSetUser> {
  static override summary = 'Set the grace timers of single users, groups or projects.'
  static override description = `Sets how long NAME has left before its soft limit is enforced: --block for space, --inode for files, each a time from now (seconds or 90s, 15m, 12h, 7d, 2w) or unset (no timer: the next write past the soft limit starts a full grace period). NAME is a name or a numeric id; NAMEs and MOUNTs may be mixed, mounts start with /.

Any id may be given (linuxquota's setquota -T refuses ids under their soft limit). After writing, each timer is read back and the result says what the kernel kept: the kernel keeps no timer for an id that is not over that soft limit, which is reported as "dropped" with a warning. XFS stores timers in 4-second steps once written to disk; a timer within 3 s after the one asked counts as kept.

On XFS, unset cannot clear the timer of an id over its soft limit: XFS stores 0 as its earliest expiry, which enforces the soft limit at once. That side is refused unless --force.`

  static override examples = [
    {description: 'Give alice two more days on /home before her space soft limit is enforced.', command: '<%= config.bin %> <%= command.id %> alice --block 2d /home'},
    {description: 'Clear both timers of group staff on every filesystem.', command: '<%= config.bin %> <%= command.id %> -g staff --block unset --inode unset -a'},
    {description: 'Project 42 gets a week for files on /srv.', command: '<%= config.bin %> <%= command.id %> -P 42 --inode 7d /srv'},
  ]

  static override strict = false // NAME... and MOUNT... as positional arguments
  static override usage = ['<%= command.id %> [-u|-g|-P] NAME... [--block DURATION|unset] [--inode DURATION|unset] (-a | MOUNT...)']

  static override flags = {
    ...singleTypeFlags,
    block: Flags.string({description: 'Time left on the block (space) timer: a duration from now, or unset.', helpValue: 'DURATION|unset'}),
    inode: Flags.string({description: 'Time left on the inode (file) timer: a duration from now, or unset.', helpValue: 'DURATION|unset'}),
    force: Flags.boolean({description: 'On XFS, write unset even for an id over its soft limit (it is then enforced at once).'}),
    all: Flags.boolean({char: 'a', aliases: ['all-filesystems'], description: 'Every filesystem with that quota type on.'}),
  }

  static override exitStatus = [
    {code: 1, meaning: 'a timer was not kept by the kernel, was refused, or a change failed'},
    {code: 64, meaning: 'bad duration, or no NAME or timer given (nothing was changed)'},
    {code: 67, meaning: 'an unknown user, group or project (nothing was changed)'},
    {code: 69, meaning: 'a named filesystem does not have that quota type on (nothing was changed)'},
    {code: 77, meaning: 'not permitted: run as root'},
  ]

  static override seeAlso = ['setquota(8)', 'edquota(8)', 'xfs_quota(8)', 'quotactl(2)']

  private readonly nowEpoch = Math.floor(Date.now() / 1000)

  async execute(): Promise<SetUserResult> {
    const {raw} = await this.parse(GraceSetUser, this.argv)
    const {names, mounts} = splitNamesAndMounts(positionals(raw))
    const {flags} = this
    const [type] = typesFrom(flags)
    if (names.length === 0) throw usageError('no NAME given', 'give one or more users, groups or projects (names or ids)')
    const timers: Array<[Resource, TimerArg]> = []
    if (flags.block !== undefined) timers.push(['space', parseTimerArg(flags.block, 'block grace time')])
    if (flags.inode !== undefined) timers.push(['inodes', parseTimerArg(flags.inode, 'inode grace time')])
    if (timers.length === 0) throw usageError('nothing to set', 'give --block, --inode or both (a duration or unset)')
    checkTargetRequest({all: flags.all, mounts})

    // Names (exit 67), then filesystems (exit 69): both before any change.
    const resolver = new Resolver()
    const ids = names.map((name) => ({name, id: resolver.resolve(type, name)}))
    const backend = await getBackend()
    const targets = selectFilesystems(backend.filesystems(), {all: flags.all, mounts}, type)
    if (targets.errors.length > 0) throw targets.errors[0]
    if (targets.filesystems.length === 0) throw noFilesystemError([type])

    const items: SetUserItem[] = []
    for (const {name, id} of ids) {
      for (const fs of targets.filesystems) {
        const item: SetUserItem = {
          name,
          id,
          mountpoint: fs.mountpoint,
          device: fs.device,
          fstype: fs.fstype,
          format: fs.quotas[type]?.format ?? 'unknown',
          timers: [],
          error: null,
        }
        items.push(item)
        try {
          const before = backend.getQuota(fs, type, id) ?? noQuotaRecord(id)
          const update: QuotaUpdate = {}
          for (const [resource, arg] of timers) {
            const target = timerTarget(arg, this.nowEpoch)
            const result: TimerResult = {resource, requested: graceJson(target), before: graceJson(expiryOf(before, resource)), after: null, outcome: 'failed'}
            item.timers.push(result)
            if (arg === 'unset' && unsetEnforcesAtOnce(fs.fstype, sideOf(before, resource)) && !flags.force) {
              result.outcome = 'refused'
              this.reportFailure(
                new QuotaError('failed', `${name}: not clearing the ${LIMIT_WORD[resource]} timer: ${name} is over its soft limit, and XFS stores an unset timer as its earliest expiry, which enforces the soft limit at once`, {
                  mount: fs.mountpoint,
                  hint: 'give a duration instead (e.g. --block 7d), or --force to write it anyway',
                }),
              )
              continue
            }
            update[UPDATE_FIELD[resource]] = target
          }
          const sent = item.timers.filter((t) => t.outcome !== 'refused')
          if (sent.length === 0) continue
          backend.setQuota(fs, type, id, update)
          const after = backend.getQuota(fs, type, id) ?? noQuotaRecord(id)
          for (const t of sent) {
            t.after = graceJson(expiryOf(after, t.resource))
            t.outcome = judgeReadBack({
              method: 'expiry',
              target: t.requested.expiresAtEpoch ?? 0,
              after: sideOf(after, t.resource),
              granularitySeconds: timerGranularitySeconds(fs.fstype),
            })
            this.explain(item, t)
          }
          if (!sameLimits(before, after)) this.reportFailure(new QuotaError('failed', `${name}: limits changed while the timers were written`, {mount: fs.mountpoint}))
        } catch (thrown) {
          if (!(thrown instanceof QuotaError)) throw thrown
          if (thrown.kind === 'permission' && items.length === 1) throw atMount(thrown, fs.mountpoint)
          const err = atMount(thrown, fs.mountpoint)
          item.error = err.toJSON()
          this.reportFailure(err)
        }
      }
    }
    return {schemaVersion: SCHEMA_VERSION, type, items}
  }

  /** A warning for a timer the kernel dropped, a failure for one it ignored. */
  private explain(item: SetUserItem, t: TimerResult): void {
    const where = `${item.mountpoint}: ${item.name}`
    const word = LIMIT_WORD[t.resource]
    if (t.outcome === 'dropped') {
      this.warning(`${where} is not over its ${word} soft limit; the kernel keeps no ${word} timer for it`)
    } else if (t.outcome === 'ignored') {
      const kept = t.after?.expiresAt ?? 'no timer'
      this.reportFailure(new QuotaError('failed', `${item.name}: the kernel did not keep the ${word} timer (it holds ${kept})`, {mount: item.mountpoint}))
    }
  }

  override present(result: SetUserResult): Document {
    const when = (g: GraceJson | null) => (g === null ? null : g.expiresAt === null ? 'unset' : g.expiresAt.replace(/\.\d+Z$/, 'Z'))
    const left = (g: GraceJson | null) => (g?.expiresAtEpoch ? formatGraceRemaining(g.expiresAtEpoch, this.nowEpoch) : null)
    return [
      {
        kind: 'table',
        columns: [
          {key: 'name', header: 'Name'},
          {key: 'mountpoint', header: 'Filesystem'},
          {key: 'resource', header: 'Limit'},
          {key: 'requested', header: 'Requested'},
          {key: 'after', header: 'Kernel holds'},
          {key: 'left', header: 'Grace', align: 'right'},
          {key: 'outcome', header: 'Outcome'},
        ],
        rows: result.items.flatMap((item) =>
          item.timers.map((t) => ({
            cells: {
              name: item.name,
              mountpoint: item.mountpoint,
              resource: LIMIT_WORD[t.resource],
              requested: when(t.requested),
              after: when(t.after),
              left: left(t.after),
              outcome: t.outcome,
            },
            status: t.outcome === 'kept' ? ('ok' as const) : t.outcome === 'dropped' ? ('soft' as const) : ('hard' as const),
          })),
        ),
      },
    ]
  }
}
