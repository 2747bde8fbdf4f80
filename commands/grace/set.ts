// `quotakit grace set`: the filesystem grace periods (Q_SETINFO; on XFS the id-0 timers), read back
// after writing so the result says what the kernel now holds. A period of 0 is not "default" on
// most formats but "no grace at all": it needs --force, and stderr says what it does.

import * as Flags from '@oclif/core/flags'

import {getBackend} from '../../src/backend.js'
import {QuotaCommand} from '../../src/cli/base.js'
import {atMount, noFilesystemError, singleTypeFlags, typesFrom} from '../../src/cli/grace-args.js'
import {positionals} from '../../src/cli/positionals.js'
import {formatGracePeriod} from '../../src/core/durations.js'
import {parseGracePeriod, zeroGraceNeedsForce, zeroGraceText} from '../../src/core/grace.js'
import {SCHEMA_VERSION} from '../../src/core/json.js'
import {checkTargetRequest, selectFilesystems} from '../../src/core/targets.js'
import type {GraceInfo, QuotaType} from '../../src/core/types.js'
import {QuotaError, usageError} from '../../src/errors.js'
import type {Document} from '../../src/output/document.js'

export interface GracePeriodsJson {
  blockGraceSeconds: number | null
  inodeGraceSeconds: number | null
}

export interface GraceSetMount {
  mountpoint: string
  device: string
  fstype: string
  format: string
  /** the periods before the change, as the kernel reported them (null: could not be read) */
  before: GracePeriodsJson | null
  /** the periods read back after the change */
  after: GracePeriodsJson | null
  /** applied: the kernel holds what was asked; not-kept: it holds something else; failed: the call failed */
  status: 'applied' | 'not-kept' | 'failed'
  error: Record<string, unknown> | null
}

export interface GraceSetResult {
  schemaVersion: number
  type: QuotaType
  /** what was asked; null = that period was left alone */
  requested: GracePeriodsJson
  filesystems: GraceSetMount[]
}

const periodsJson = (g: GraceInfo): GracePeriodsJson => ({blockGraceSeconds: g.blockGraceSeconds, inodeGraceSeconds: g.inodeGraceSeconds})

export default class GraceSet extends QuotaCommand<GraceSetResult, typeof GraceSet> {
  static override summary = 'Set the block and inode grace periods of filesystems.'
  static override description = `A grace period is how long an id may stay over its soft limit before the soft limit is enforced like a hard one. Durations are seconds or 90s, 15m, 12h, 7d, 2w, 1d 2h (at most 2^31-1 seconds). Give --block, --inode or both; the other is left alone.

On ext4 and other VFS quota formats this is Q_SETINFO; on XFS the default timers of the id-0 dquot. Each filesystem's periods are read back afterwards and reported: the exit status is 1 if the kernel holds something other than what was asked.

A period of 0 is refused without --force: on vfsv0 and vfsv1 (ext4) it means no grace at all, so the soft limit acts as a hard limit at once; XFS does the same until the next mount, which replaces 0 with its 7-day default. Only vfsold reads 0 as the 7-day default.

Timers already running are not changed: they keep the expiry they got from the old period. The kernel restarts an id's timer when its limits are set again (not on XFS); see quotakit grace reset.`

  static override examples = [
    {description: 'A week for space, three days for files, on every filesystem with user quota.', command: '<%= config.bin %> <%= command.id %> --block 7d --inode 3d -a'},
    {description: 'Group grace of 36 hours on /srv.', command: '<%= config.bin %> <%= command.id %> -g --block 36h --inode 36h /srv'},
    {description: 'No grace at all: soft limits act as hard limits (needs --force).', command: '<%= config.bin %> <%= command.id %> --block 0 --inode 0 --force /home'},
  ]

  static override strict = false // MOUNT... as positional arguments
  static override usage = ['<%= command.id %> [-u|-g|-P] [--block DURATION] [--inode DURATION] [--force] (-a | MOUNT...)']

  static override flags = {
    ...singleTypeFlags,
    block: Flags.string({description: 'Block (space) grace period: seconds or a duration such as 7d.', helpValue: 'DURATION'}),
    inode: Flags.string({description: 'Inode (file) grace period: seconds or a duration such as 3d.', helpValue: 'DURATION'}),
    force: Flags.boolean({description: 'Allow a period of 0, which on vfsv0, vfsv1 and XFS means no grace: immediate enforcement.'}),
    all: Flags.boolean({char: 'a', aliases: ['all-filesystems'], description: 'Every filesystem with that quota type on.'}),
  }

  static override exitStatus = [
    {code: 1, meaning: 'a filesystem refused the change, or holds other periods than asked'},
    {code: 64, meaning: 'bad duration, or a period of 0 without --force (nothing was changed)'},
    {code: 69, meaning: 'a named filesystem does not have that quota type on (nothing was changed)'},
    {code: 77, meaning: 'not permitted: run as root'},
  ]

  static override seeAlso = ['setquota(8)', 'edquota(8)', 'xfs_quota(8)', 'quotactl(2)']

  async execute(): Promise<GraceSetResult> {
    const {raw} = await this.parse(GraceSet, this.argv)
    const mounts = positionals(raw)
    const {flags} = this
    const [type] = typesFrom(flags)
    if (flags.block === undefined && flags.inode === undefined) throw usageError('nothing to set', 'give --block DURATION, --inode DURATION or both')
    const info: Partial<GraceInfo> = {}
    if (flags.block !== undefined) info.blockGraceSeconds = parseGracePeriod(flags.block, 'block grace period')
    if (flags.inode !== undefined) info.inodeGraceSeconds = parseGracePeriod(flags.inode, 'inode grace period')
    checkTargetRequest({all: flags.all, mounts})

    const backend = await getBackend()
    const targets = selectFilesystems(backend.filesystems(), {all: flags.all, mounts}, type)
    if (targets.errors.length > 0) throw targets.errors[0]
    if (targets.filesystems.length === 0) throw noFilesystemError([type])

    // A zero period: every filesystem is checked before any is changed.
    if (info.blockGraceSeconds === 0 || info.inodeGraceSeconds === 0) {
      const formats = [...new Set(targets.filesystems.map((fs) => fs.quotas[type]?.format ?? 'unknown'))]
      for (const format of formats) {
        if (zeroGraceNeedsForce(format) && !flags.force) {
          throw usageError(`refusing a grace period of 0: ${zeroGraceText(format)}`, 'add --force if that is what you want, or give a period such as 7d')
        }
        this.warning(zeroGraceText(format))
      }
    }

    const requested: GracePeriodsJson = {blockGraceSeconds: info.blockGraceSeconds ?? null, inodeGraceSeconds: info.inodeGraceSeconds ?? null}
    const results: GraceSetMount[] = []
    for (const fs of targets.filesystems) {
      const mount: GraceSetMount = {
        mountpoint: fs.mountpoint,
        device: fs.device,
        fstype: fs.fstype,
        format: fs.quotas[type]?.format ?? 'unknown',
        before: null,
        after: null,
        status: 'failed',
        error: null,
      }
      results.push(mount)
      try {
        mount.before = periodsJson(backend.getInfo(fs, type))
        backend.setInfo(fs, type, info)
        const after = backend.getInfo(fs, type)
        mount.after = periodsJson(after)
        const kept = (info.blockGraceSeconds ?? after.blockGraceSeconds) === after.blockGraceSeconds && (info.inodeGraceSeconds ?? after.inodeGraceSeconds) === after.inodeGraceSeconds
        mount.status = kept ? 'applied' : 'not-kept'
        if (!kept) {
          const err = new QuotaError('failed', `the kernel holds block ${formatGracePeriod(after.blockGraceSeconds)} (${after.blockGraceSeconds} s), inode ${formatGracePeriod(after.inodeGraceSeconds)} (${after.inodeGraceSeconds} s), not what was asked`, {mount: fs.mountpoint})
          mount.error = err.toJSON()
          this.reportFailure(err)
        }
      } catch (thrown) {
        if (!(thrown instanceof QuotaError)) throw thrown
        // Not permitted on the first filesystem: every other one would fail the same way.
        if (thrown.kind === 'permission' && results.length === 1) throw atMount(thrown, fs.mountpoint)
        const err = atMount(thrown, fs.mountpoint)
        mount.error = err.toJSON()
        this.reportFailure(err)
      }
    }
    return {schemaVersion: SCHEMA_VERSION, type, requested, filesystems: results}
  }

  override present(result: GraceSetResult): Document {
    const period = (p: GracePeriodsJson | null, key: keyof GracePeriodsJson) => (p?.[key] == null ? null : formatGracePeriod(p[key] as number))
    return [
      {
        kind: 'table',
        columns: [
          {key: 'mountpoint', header: 'Filesystem'},
          {key: 'type', header: 'Quota'},
          {key: 'format', header: 'Format'},
          {key: 'block', header: 'Block grace', align: 'right'},
          {key: 'inode', header: 'Inode grace', align: 'right'},
          {key: 'status', header: 'Status'},
        ],
        rows: result.filesystems.map((m) => ({
          cells: {
            mountpoint: m.mountpoint,
            type: result.type,
            format: m.format,
            block: period(m.after, 'blockGraceSeconds'),
            inode: period(m.after, 'inodeGraceSeconds'),
            status: m.status,
          },
          status: m.status === 'applied' ? 'ok' : 'hard',
        })),
      },
    ]
  }
}
