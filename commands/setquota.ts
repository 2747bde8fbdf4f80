// `quotakit setquota`: set limits, copy a prototype's limits, apply a batch, set grace periods or
// an id's grace times. Every form of linuxquota's setquota (src/core/setquota-plan.ts decides
// which one was meant), plus --space/--inodes partial updates.
//
// Order of work, so that nothing is half-applied by bad input: parse every value and batch line,
// resolve every name, check every filesystem has the quota type on and every limit fits its
// format; only then change anything. A kernel failure after that is reported per item (exit 1);
// a permission error on the very first change stops at once (exit 77): the rest would fail too.

import {readFileSync} from 'node:fs'

import * as Flags from '@oclif/core/flags'

import {type QuotaBackend, getBackend} from '../src/backend.js'
import {QuotaCommand} from '../src/cli/base.js'
import {positionals} from '../src/cli/positionals.js'
import {type LimitsSpec, parseBatch} from '../src/core/batch.js'
import {formatMaximumText, limitAboveFormatMaximum} from '../src/core/formats.js'
import {SCHEMA_VERSION, graceJson, limitOrNull} from '../src/core/json.js'
import {overSoft, inodeSide, softAboveHard, spaceSideKiB} from '../src/core/limits.js'
import {noQuotaRecord} from '../src/core/report.js'
import {type SetquotaMode, type SetquotaPlan, expiryFor, planSetquota} from '../src/core/setquota-plan.js'
import {selectFilesystems} from '../src/core/targets.js'
import type {Filesystem, GraceInfo, QuotaType, QuotaUpdate} from '../src/core/types.js'
import {EXIT_CODES, type ErrorKind, QuotaError, usageError} from '../src/errors.js'
import {Resolver} from '../src/names.js'

export type Outcome = 'applied' | 'failed' | 'not-applied'

/** What one change sets; absent = unchanged, null = no limit / no timer (JSON contract). */
export interface ChangeJson {
  softLimitBytes?: number | null
  hardLimitBytes?: number | null
  inodeSoftLimit?: number | null
  inodeHardLimit?: number | null
  spaceGraceExpiresAt?: string | null
  spaceGraceExpiresAtEpoch?: number | null
  inodeGraceExpiresAt?: string | null
  inodeGraceExpiresAtEpoch?: number | null
  blockGraceSeconds?: number
  inodeGraceSeconds?: number
}

export interface MountResult {
  mountpoint: string
  device: string
  change: ChangeJson // what is (or would have been) sent to this filesystem
  status: Outcome
  error: Record<string, unknown> | null
}

/** One command-line name, or one batch line (for -t: one item for the filesystems). */
export interface SetquotaItem {
  line: number | null
  name: string | null
  id: number | null
  status: Outcome
  error: Record<string, unknown> | null
  mounts: MountResult[]
}

export interface SetquotaResult {
  schemaVersion: number
  type: QuotaType
  mode: SetquotaMode
  items: SetquotaItem[]
}

/** One kernel call to make: set an id's record, or a filesystem's grace periods. */
type Change = {update: QuotaUpdate} | {grace: GraceInfo}

interface Op {
  item: SetquotaItem
  fs: Filesystem
  mount: MountResult
  change: Change
}

function changeJson(change: Change): ChangeJson {
  if ('grace' in change) return {...change.grace}
  const u = change.update
  const out: ChangeJson = {}
  if (u.softLimitBytes !== undefined) out.softLimitBytes = limitOrNull(u.softLimitBytes)
  if (u.hardLimitBytes !== undefined) out.hardLimitBytes = limitOrNull(u.hardLimitBytes)
  if (u.inodeSoftLimit !== undefined) out.inodeSoftLimit = limitOrNull(u.inodeSoftLimit)
  if (u.inodeHardLimit !== undefined) out.inodeHardLimit = limitOrNull(u.inodeHardLimit)
  if (u.spaceGraceExpiresAt !== undefined) {
    const g = graceJson(u.spaceGraceExpiresAt)
    Object.assign(out, {spaceGraceExpiresAt: g.expiresAt, spaceGraceExpiresAtEpoch: g.expiresAtEpoch})
  }
  if (u.inodeGraceExpiresAt !== undefined) {
    const g = graceJson(u.inodeGraceExpiresAt)
    Object.assign(out, {inodeGraceExpiresAt: g.expiresAt, inodeGraceExpiresAtEpoch: g.expiresAtEpoch})
  }
  return out
}

const newItem = (line: number | null, name: string | null, id: number | null): SetquotaItem => ({
  line,
  name,
  id,
  status: 'not-applied',
  error: null,
  mounts: [],
})

/** `line 3: …` for batch lines, `alice: …` for names; the mount stays in QuotaError.mount. */
function inContext(err: QuotaError, item: SetquotaItem): QuotaError {
  const where = item.line === null ? (item.name === null ? '' : `${item.name}: `) : `line ${item.line}: `
  const {kind, errno, mount, id, hint} = err
  return new QuotaError(kind, `${where}${err.message}`, {errno, mount, id, hint, cause: err})
}

export default class Setquota extends QuotaCommand<SetquotaResult, typeof Setquota> {
  static override summary = 'Set disk quota limits and grace times for users, groups or projects.'
  static override description = `Every form of linuxquota's setquota:
  setquota [-u|-g|-P] NAME BSOFT BHARD ISOFT IHARD -a|MOUNT...
  setquota [-u|-g|-P] NAME --space SOFT:HARD [--inodes SOFT:HARD] -a|MOUNT...
  setquota [-u|-g|-P] -p PROTO NAME... -a|MOUNT...
  setquota [-u|-g|-P] -b [-c] -a|MOUNT...        (or --file FILE instead of -b)
  setquota [-u|-g|-P] -t BGRACE IGRACE -a|MOUNT...
  setquota [-u|-g|-P] -T NAME BTIME ITIME -a|MOUNT...

NAME is a name or a numeric id. Space limits are KiB by default, with K M G T (binary) as in linuxquota, or bytes with IEC/SI units: 10GiB, 500MB, 512B. Inode limits take k m g t (x1000). 0 or none means no limit. Grace periods and times take seconds or durations: 90s, 15m, 12h, 7d, 2w; -T also takes unset. MOUNT is a mountpoint or device; -a means every filesystem with that quota type on.

--space and --inodes change only that side: inode limits are left alone by --space and the other way round.

Batch lines are NAME BSOFT BHARD ISOFT IHARD; blank lines and lines starting with # are skipped. Every line is parsed and every name resolved before anything is applied: one bad line and nothing changes, unless -c, which applies the good lines. Either way the exit status is non-zero when any line failed, and each failure names its line.

On a live filesystem the kernel restarts the grace period of an id that is over its soft limit whenever its limits are set, even to the same values.`

  static override examples = [
    {description: 'Limit alice to 10 GiB (12 GiB hard) and 100k files on /home.', command: '<%= config.bin %> <%= command.id %> alice 10G 12G 100k 120k /home'},
    {description: 'Change only the space limits of group staff everywhere.', command: '<%= config.bin %> <%= command.id %> -g staff --space 500GB:550GB -a'},
    {description: 'Give bob and carol the limits alice has.', command: '<%= config.bin %> <%= command.id %> -p alice bob carol /home'},
    {description: 'Apply a file of limits, keeping going past bad lines.', command: '<%= config.bin %> <%= command.id %> --file limits.txt -c /home'},
    {description: 'One-week grace periods for user quota on /home.', command: '<%= config.bin %> <%= command.id %> -t 7d 7d /home'},
  ]

  static override strict = false // the positional list depends on the form
  static override usage = [
    '<%= command.id %> [-u|-g|-P] NAME BSOFT BHARD ISOFT IHARD (-a | MOUNT...)',
    '<%= command.id %> [-u|-g|-P] NAME [--space SOFT:HARD] [--inodes SOFT:HARD] (-a | MOUNT...)',
    '<%= command.id %> [-u|-g|-P] -p PROTO NAME... (-a | MOUNT...)',
    '<%= command.id %> [-u|-g|-P] (-b | --file FILE) [-c] (-a | MOUNT...)',
    '<%= command.id %> [-u|-g|-P] -t BGRACE IGRACE (-a | MOUNT...)',
    '<%= command.id %> [-u|-g|-P] -T NAME BTIME ITIME (-a | MOUNT...)',
  ]

  static override flags = {
    user: Flags.boolean({char: 'u', description: 'Set user quota (the default).', exclusive: ['group', 'project']}),
    group: Flags.boolean({char: 'g', description: 'Set group quota.', exclusive: ['user', 'project']}),
    project: Flags.boolean({char: 'P', description: 'Set project quota.', exclusive: ['user', 'group']}),
    all: Flags.boolean({char: 'a', description: 'Every filesystem with that quota type on.'}),
    prototype: Flags.string({char: 'p', description: 'Copy the four limits of this user, group or project.', helpValue: 'PROTO'}),
    batch: Flags.boolean({char: 'b', description: 'Read NAME BSOFT BHARD ISOFT IHARD lines from stdin.'}),
    file: Flags.string({description: 'Read batch lines from FILE instead of stdin.', helpValue: 'FILE'}),
    'continue-batch': Flags.boolean({
      char: 'c',
      aliases: ['continue'],
      description: 'Batch: apply the good lines even when some are bad (the exit status still says so).',
    }),
    'edit-period': Flags.boolean({char: 't', description: 'Set the filesystem grace periods: BGRACE IGRACE.'}),
    'edit-times': Flags.boolean({char: 'T', description: 'Set the grace time left of one id: NAME BTIME ITIME (or unset).'}),
    space: Flags.string({description: 'Set only the space limits.', helpValue: 'SOFT:HARD'}),
    inodes: Flags.string({description: 'Set only the inode limits.', helpValue: 'SOFT:HARD'}),
    format: Flags.option({
      char: 'F',
      options: ['vfsold', 'vfsv0', 'vfsv1', 'rpc', 'xfs'] as const,
      description: 'Accepted for linuxquota compatibility; the format is the one the kernel reports. rpc is refused.',
    })(),
  }

  static override exitStatus = [
    {code: 1, meaning: 'a change failed, or some batch lines failed with -c'},
    {code: 65, meaning: 'a batch line or limit is invalid (nothing was applied)'},
    {code: 67, meaning: 'an unknown user, group or project (nothing was applied)'},
    {code: 69, meaning: 'a filesystem does not have that quota type on (nothing was applied)'},
    {code: 77, meaning: 'not permitted: run as root'},
  ]

  private readonly nowEpoch = Math.floor(Date.now() / 1000)
  private readonly resolver = new Resolver()
  private type: QuotaType = 'user'
  /** set when bad input stopped a batch before anything was applied: its exit status */
  private refusedWith?: ErrorKind

  override async run(): Promise<SetquotaResult> {
    const result = await super.run()
    if (this.refusedWith) process.exitCode = EXIT_CODES[this.refusedWith]
    return result
  }

  async execute(): Promise<SetquotaResult> {
    const {raw} = await this.parse(Setquota, this.argv)
    if (this.flags.format === 'rpc') throw usageError('setting quota through RPC is not supported', 'run it on the NFS server')
    const plan = planSetquota(this.flags, positionals(raw))
    this.type = this.flags.group ? 'group' : this.flags.project ? 'project' : 'user'
    const backend = await getBackend()
    const items = plan.mode === 'batch' ? await this.batch(plan, backend) : this.single(plan, backend)
    return {schemaVersion: SCHEMA_VERSION, type: this.type, mode: plan.mode, items}
  }

  /** Every form but batch: builds the items and their kernel calls, checks them, then applies. */
  private single(plan: Exclude<SetquotaPlan, {mode: 'batch'}>, backend: QuotaBackend): SetquotaItem[] {
    const {type} = this
    // Names first (exit 67), then filesystems (exit 69): both before any change.
    const names = plan.mode === 'prototype' ? plan.names : plan.mode === 'grace' ? [] : [plan.name]
    const items = plan.mode === 'grace' ? [newItem(null, null, null)] : names.map((n) => newItem(null, n, this.resolver.resolve(type, n)))
    const protoId = plan.mode === 'prototype' ? this.resolver.resolve(type, plan.prototype) : undefined
    const filesystems = this.filesystems(backend, plan, type)

    const ops: Op[] = []
    for (const item of items) {
      for (const fs of filesystems) {
        let change: Change
        switch (plan.mode) {
          case 'limits':
          case 'partial':
            change = {update: plan.limits}
            break
          case 'prototype': {
            const proto = backend.getQuota(fs, type, protoId as number) ?? noQuotaRecord(protoId as number)
            change = {
              update: {
                softLimitBytes: proto.space.softLimitBytes,
                hardLimitBytes: proto.space.hardLimitBytes,
                inodeSoftLimit: proto.inodes.softLimit,
                inodeHardLimit: proto.inodes.hardLimit,
              },
            }
            break
          }
          case 'grace':
            change = {grace: {blockGraceSeconds: plan.blockGraceSeconds, inodeGraceSeconds: plan.inodeGraceSeconds}}
            break
          case 'times':
            change = {
              update: {
                spaceGraceExpiresAt: expiryFor(plan.spaceTime, this.nowEpoch),
                inodeGraceExpiresAt: expiryFor(plan.inodeTime, this.nowEpoch),
              },
            }
            this.warnTimesIgnored(backend, fs, type, item, change.update)
            break
        }
        ops.push(this.op(item, fs, change))
      }
    }
    for (const {item, fs, change} of ops) {
      const tooBig = this.tooBig(item, fs, change)
      if (tooBig) throw tooBig
    }
    if (plan.mode === 'limits' || plan.mode === 'partial') this.warnSoftAboveHard(items[0], plan.limits)
    this.apply(ops, backend)
    return items
  }

  private async batch(plan: Extract<SetquotaPlan, {mode: 'batch'}>, backend: QuotaBackend): Promise<SetquotaItem[]> {
    const {type} = this
    const text = plan.file === null ? await readStdin() : readBatchFile(plan.file)
    const parsed = parseBatch(text)
    const filesystems = this.filesystems(backend, plan, type)
    const items: SetquotaItem[] = []
    const bad = new Map<SetquotaItem, QuotaError>()
    for (const e of parsed.errors) {
      const item = newItem(e.lineNumber, e.name, null)
      items.push(item)
      bad.set(item, e.error)
    }
    // This loop runs once per line, 10k-100k times in a large batch, mostly before V8 has
    // optimised it: plain loops, no closure or array per line.
    const ops: Op[] = []
    for (const line of parsed.lines) {
      const item = newItem(line.lineNumber, line.name, null)
      items.push(item)
      try {
        item.id = this.resolver.resolve(type, line.name)
      } catch (error) {
        if (!(error instanceof QuotaError)) throw error
        bad.set(item, inContext(error, item))
        continue
      }
      const tooBig = this.addOps(item, filesystems, {update: line.limits}, ops)
      if (tooBig) bad.set(item, tooBig)
      this.warnSoftAboveHard(item, line.limits)
    }
    // The bad lines went first: back into line order (each list is in line order already).
    if (parsed.errors.length > 0) items.sort((a, b) => (a.line as number) - (b.line as number))

    if (bad.size > 0) {
      let first: QuotaError | undefined
      for (const item of items) {
        const error = bad.get(item)
        if (!error) continue
        item.status = 'failed'
        item.error = error.toJSON()
        this.reportFailure(error)
        first ??= error
      }
      if (first && !this.flags['continue-batch']) {
        // Nothing is applied; the exit status is the first bad line's (65 unparsable, 67 unknown name).
        this.refusedWith = first.kind
        return items
      }
    }
    this.apply(ops, backend)
    return items
  }

  /**
   * The item's change on each filesystem, as mount results (what --json reports, one change object
   * shared by them) and, when every filesystem's format can store the limits, as ops appended to
   * `ops`. Returns the first limit too big for a format (then no op is added).
   */
  private addOps(item: SetquotaItem, filesystems: Filesystem[], change: Change, ops: Op[]): QuotaError | undefined {
    const json = changeJson(change)
    let tooBig: QuotaError | undefined
    for (const fs of filesystems) {
      item.mounts.push({mountpoint: fs.mountpoint, device: fs.device, change: json, status: 'not-applied', error: null})
      tooBig ??= this.tooBig(item, fs, change)
    }
    if (tooBig) return tooBig
    // the item is new: its mounts are the ones just added, in filesystem order
    for (let k = 0; k < filesystems.length; k++) ops.push({item, fs: filesystems[k], mount: item.mounts[k], change})
    return undefined
  }

  /** The filesystems of the plan; a named one without the quota type on stops everything (exit 69). */
  private filesystems(backend: QuotaBackend, plan: SetquotaPlan, type: QuotaType): Filesystem[] {
    const targets = selectFilesystems(backend.filesystems(), plan, type)
    if (targets.errors.length > 0) throw targets.errors[0]
    if (targets.filesystems.length === 0) {
      throw new QuotaError('unsupported', `no filesystem has ${type} quota on`, {hint: 'see `quotakit filesystems`'})
    }
    return targets.filesystems
  }

  private op(item: SetquotaItem, fs: Filesystem, change: Change): Op {
    const mount: MountResult = {mountpoint: fs.mountpoint, device: fs.device, change: changeJson(change), status: 'not-applied', error: null}
    item.mounts.push(mount)
    return {item, fs, mount, change}
  }

  /** A limit the filesystem's format cannot store, as the error the kernel's ERANGE would be. */
  private tooBig(item: SetquotaItem, fs: Filesystem, change: Change): QuotaError | undefined {
    if (!('update' in change)) return undefined
    const format = fs.quotas[this.type]?.format ?? 'unknown'
    const message = limitAboveFormatMaximum(change.update, format)
    return message ? inContext(new QuotaError('data', message, {mount: fs.mountpoint, errno: 'ERANGE'}), item) : undefined
  }

  private apply(ops: Op[], backend: QuotaBackend): void {
    const {type} = this
    let appliedAny = false
    for (const op of ops) {
      try {
        if ('grace' in op.change) backend.setInfo(op.fs, type, op.change.grace)
        else backend.setQuota(op.fs, type, op.item.id as number, op.change.update)
        op.mount.status = 'applied'
        appliedAny = true
      } catch (thrown) {
        if (!(thrown instanceof QuotaError)) throw thrown
        let err = thrown
        if (err.errno === 'ERANGE') {
          const format = op.fs.quotas[type]?.format ?? 'unknown'
          err = new QuotaError('data', `limit above the ${format} maximum of ${formatMaximumText(format)}`, {errno: 'ERANGE', mount: op.fs.mountpoint})
        }
        // Not permitted on the first change: every other one would fail the same way.
        if (!appliedAny && err.kind === 'permission') throw err
        err = inContext(err, op.item)
        op.mount.status = 'failed'
        op.mount.error = err.toJSON()
        this.reportFailure(err)
      }
    }
    // An item's ops are adjacent, so this settles each item once (twice would give the same answer).
    let last: SetquotaItem | undefined
    for (const {item} of ops) {
      if (item === last) continue
      last = item
      item.status = allApplied(item.mounts) ? 'applied' : 'failed'
    }
  }

  private warnSoftAboveHard(item: SetquotaItem, limits: Partial<LimitsSpec>): void {
    const space = softAboveHard(limits.softLimitBytes ?? 0, limits.hardLimitBytes ?? 0)
    const inodes = softAboveHard(limits.inodeSoftLimit ?? 0, limits.inodeHardLimit ?? 0)
    if (!space && !inodes) return // the usual case: no string built (this runs once per batch line)
    const where = item.line === null ? `${item.name}: ` : `line ${item.line}: `
    if (space) this.warning(`${where}space soft limit is above the hard limit; the hard limit is reached first`)
    if (inodes) this.warning(`${where}inode soft limit is above the hard limit; the hard limit is reached first`)
  }

  /** The kernel keeps no grace time for an id under its soft limit (it clears it): say so. */
  private warnTimesIgnored(backend: QuotaBackend, fs: Filesystem, type: QuotaType, item: SetquotaItem, update: QuotaUpdate): void {
    const rec = backend.getQuota(fs, type, item.id as number) ?? noQuotaRecord(item.id as number)
    if (update.spaceGraceExpiresAt && !overSoft(spaceSideKiB(rec.space))) {
      this.warning(`${fs.mountpoint}: ${item.name} is not over its space soft limit; the kernel keeps no block grace time for it`)
    }
    if (update.inodeGraceExpiresAt && !overSoft(inodeSide(rec.inodes))) {
      this.warning(`${fs.mountpoint}: ${item.name} is not over its inode soft limit; the kernel keeps no inode grace time for it`)
    }
  }
}

function allApplied(mounts: MountResult[]): boolean {
  for (const m of mounts) if (m.status !== 'applied') return false
  return true
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function readBatchFile(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    throw new QuotaError('usage', `cannot read batch file ${file}: ${(e as Error).message}`, {cause: e})
  }
}
