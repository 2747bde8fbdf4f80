// `quotakit quotacheck`, the work: pick the filesystems and quota types, plan each type (compare
// with the kernel or with the quota file, fix through the kernel, or write a file), scan each
// filesystem once for all its types, then carry the plans out. Failures are per filesystem or per
// type and are returned, not thrown, so one bad mount does not hide the others' results.
//
// Order on one filesystem (linuxquota's, quota-reference 3.4): [remount read-only] -> scan ->
// [remount read-write] -> take the quota files' own space off their owners -> per type: read the
// recorded usage and compare; --fix: Q_SETQUOTA per drifting id; -c (or --fix with quota off):
// build the file, write <file>.new, fsync, [quota off], rename, [quota on].

import {statSync} from 'node:fs'

import type {QuotaBackend} from '../backend.js'
import {compareUsage, type Drift, fixUpdate, rebuildRecords, type ScannedUsage} from '../core/quotacheck.js'
import {noQuotaRecord} from '../core/report.js'
import {findFilesystem, typeIsOn} from '../core/targets.js'
import type {Filesystem, QuotaRecord, QuotaType} from '../core/types.js'
import {QuotaError, isQuotaError} from '../errors.js'
import {DEFAULT_GRACE_SECONDS, type TreeFormat} from '../quotafile/format.js'
import {readQuotaFileAt, replaceFile} from '../quotafile/io.js'
import {linuxquotaOrder} from '../quotafile/order.js'
import {quotaFilePath, quotaOption} from '../quotafile/paths.js'
import {buildQuotaFile} from '../quotafile/writer.js'
import {Ext4Unavailable, scanExt4Parallel} from '../scan/ext4/scan.js'
import {type ScanProgress, type ScanResult, defaultThreads, scanTree} from '../scan/scanner.js'
import {type IdTally, addUsage, subtractUsage} from '../scan/tally.js'
import type {DriftJson, ErrorJson, FilesystemCheckJson, QuotacheckMode, QuotacheckResult, ScanJson, TypeCheckJson} from './model.js'

/** linuxquota's quotacheck exit codes that scripts may test (quota-reference 3.4). */
export const LEGACY_EXIT = {
  /** cannot open, stat or scan; no quota mount option */
  cannotScan: 2,
  /** Q_SYNC or remount failed */
  syncOrRemount: 4,
  /** quota is on and -f was not given */
  quotaOn: 6,
} as const

/** A QuotaError whose exit status is one of linuxquota's quotacheck codes rather than the house table. */
export class QuotacheckError extends QuotaError {
  constructor(
    readonly legacyExit: number,
    message: string,
    details: ConstructorParameters<typeof QuotaError>[2] = {},
  ) {
    super('failed', message, details)
    this.name = 'QuotacheckError'
  }

  override get exitCode(): number {
    return this.legacyExit
  }
}

export interface QuotacheckRequest {
  mode: QuotacheckMode
  types: QuotaType[]
  all: boolean
  mounts: string[]
  /** -R: with -a, leave out the root filesystem */
  excludeRoot: boolean
  /** -f: write quota files even while quota is on (off -> write -> on) */
  force: boolean
  /** -b: keep the previous file as <file>~ */
  backup: boolean
  /** -F: the format of the files written */
  format?: TreeFormat
  remountReadOnly: boolean
  /** -M: go on when the read-only remount fails */
  tryRemount: boolean
  threads?: number
  /**
   * How to read each filesystem: auto (ext2/3/4: the inode tables from the device when it can be
   * read, else the walk), inodes (the inode tables or fail), walk (always walk the tree)
   */
  scanMethod?: ScanMethod
  nowEpoch: number
}

export type ScanMethod = 'auto' | 'inodes' | 'walk'

/** Filesystems whose inode tables scan/ext4/ reads. */
const INODE_TABLE_FSTYPES = new Set(['ext2', 'ext3', 'ext4'])

/** What the engine needs from outside: the kernel, names, progress, and the OS calls to remount. */
export interface QuotacheckDeps {
  backend: QuotaBackend
  nameOf: (type: QuotaType, id: number) => string | null
  /** a progress sink for one filesystem's scan (the command gives one on a terminal) */
  progress?: (fs: Filesystem) => {update: (p: ScanProgress) => void; done: () => void} | undefined
  remount?: {readOnly: (fs: Filesystem) => void; readWrite: (fs: Filesystem) => void}
  /** syncfs(2) the filesystem, before its inode tables are read from the device */
  syncFilesystem?: (fs: Filesystem) => void
  /** XFS: usage of the metadata inodes its quotacheck counts (null when the superblock cannot be read) */
  xfsHiddenUsage?: (fs: Filesystem) => {inodes: number; bytes: number} | null
  warn: (message: string) => void
}

export interface QuotacheckOutcome {
  result: QuotacheckResult
  failures: QuotaError[]
}

/** Filesystems whose quota can live in aquota.* files (the others keep it in metadata, or have none). */
const FILE_FORMAT_FSTYPES = new Set(['ext2', 'ext3', 'ext4', 'reiserfs', 'jfs'])

interface TypePlan {
  type: QuotaType
  action: 'check' | 'fix' | 'write'
  source: 'kernel' | 'file' | null
  /** on: the kernel has this type active */
  on: boolean
  format: string
  /** quota file (file formats) */
  path: string | null
  /** write: start from nothing (-c) rather than from the old file's limits */
  scratch: boolean
  json: TypeCheckJson
}

const errorJson = (e: QuotaError): ErrorJson => ({kind: e.kind, message: e.line, errno: e.errno ?? null, hint: e.hint ?? null, exitCode: e.exitCode})

const asQuotaError = (e: unknown): QuotaError => (isQuotaError(e) ? e : new QuotaError('failed', (e as Error)?.message ?? String(e), {cause: e}))

/** Uses external quota files for this type: a file format the kernel reports, or a quota mount option on a filesystem that can. */
function usesQuotaFile(fs: Filesystem, type: QuotaType): boolean {
  const st = fs.quotas[type]
  if (st) return !st.systemFile && (st.format === 'vfsv0' || st.format === 'vfsv1' || st.format === 'vfsold')
  return type !== 'project' && FILE_FORMAT_FSTYPES.has(fs.fstype) && quotaOption(fs, type) !== undefined
}

function refusal(fs: Filesystem, type: QuotaType, mode: QuotacheckMode): QuotaError | null {
  if (mode !== 'create') return null
  if (fs.fstype === 'xfs') {
    return new QuotaError('unsupported', `XFS keeps ${type} quota in its own metadata; there is no quota file to create`, {
      mount: fs.mountpoint,
      hint: 'XFS recounts usage itself when it mounts with quota after an unclean unmount; quotakit quotacheck without -c compares and reports',
    })
  }
  if (fs.quotas[type]?.systemFile) {
    return new QuotaError('unsupported', `${type} quota is kept in hidden system inodes (the ext4 quota feature), not in a quota file`, {
      mount: fs.mountpoint,
      hint: 'e2fsck maintains those (run it on the unmounted filesystem); quotakit quotacheck without -c checks them and --fix corrects them',
    })
  }
  return null
}

export class QuotacheckEngine {
  private readonly failures: QuotaError[] = []

  constructor(
    private readonly req: QuotacheckRequest,
    private readonly deps: QuotacheckDeps,
  ) {}

  async run(): Promise<QuotacheckOutcome> {
    const filesystems = this.deps.backend.filesystems()
    const targets = this.targets(filesystems)
    if (targets.length === 0) {
      const what = this.req.types.join(' or ')
      throw new QuotaError('unsupported', `no filesystem has ${what} quota${this.req.mode === 'create' ? ' in quota files' : ''}`, {
        hint: 'name the filesystem, or mount it with usrquota/grpquota',
      })
    }
    const out: FilesystemCheckJson[] = []
    for (const fs of targets) out.push(await this.filesystem(fs))
    return {result: {schemaVersion: 1, mode: this.req.mode, filesystems: out}, failures: this.failures}
  }

  private fail(e: unknown): ErrorJson {
    const err = asQuotaError(e)
    this.failures.push(err)
    return errorJson(err)
  }

  private applies(fs: Filesystem, type: QuotaType): boolean {
    return this.req.mode === 'create' ? usesQuotaFile(fs, type) && !refusal(fs, type, 'create') : typeIsOn(fs, type) || usesQuotaFile(fs, type)
  }

  private targets(all: Filesystem[]): Filesystem[] {
    if (!this.req.all) return [...new Set(this.req.mounts.map((arg) => findFilesystem(all, arg)))]
    return all.filter((fs) => !(this.req.excludeRoot && fs.mountpoint === '/') && this.req.types.some((type) => this.applies(fs, type)))
  }

  /** What to do for one type on one filesystem, or why not (as a failed TypeCheckJson). */
  private plan(fs: Filesystem, type: QuotaType): TypePlan {
    const st = fs.quotas[type]
    const on = typeIsOn(fs, type)
    const fileBased = usesQuotaFile(fs, type)
    const path = fileBased ? quotaFilePath(fs, type, st?.format === 'vfsold' ? 'vfsold' : 'vfsv0') : null
    const json: TypeCheckJson = {type, format: st?.format ?? (fileBased ? (this.req.format ?? 'vfsv0') : 'unknown'), source: null, status: 'failed', ids: 0, drift: [], file: null, error: null}
    const plan: TypePlan = {type, action: 'check', source: null, on, format: json.format, path, scratch: false, json}
    const refuse = (e: QuotaError): TypePlan => {
      json.error = this.fail(e)
      return plan
    }
    const refused = refusal(fs, type, this.req.mode)
    if (refused) return refuse(refused)

    if (this.req.mode === 'create') {
      if (!fileBased) {
        return refuse(
          new QuotacheckError(LEGACY_EXIT.cannotScan, `no ${type} quota mount option (${type === 'user' ? 'usrquota' : type === 'group' ? 'grpquota' : 'prjquota'})`, {
            mount: fs.mountpoint,
            hint: `remount with -o ${type === 'user' ? 'usrquota' : 'grpquota'} first`,
          }),
        )
      }
      if (on && !this.req.force) {
        return refuse(
          new QuotacheckError(LEGACY_EXIT.quotaOn, `${type} quota is on, so rewriting its file could damage it`, {
            mount: fs.mountpoint,
            hint: 'turn quota off first (quotaoff), or give -f to turn it off, write the file and turn it on again',
          }),
        )
      }
      return {...plan, action: 'write', scratch: true, source: null}
    }
    if (on) return {...plan, action: this.req.mode === 'fix' ? 'fix' : 'check', source: 'kernel'}
    if (fileBased) {
      // Quota off: the file is the record. --fix rewrites it, keeping limits (linuxquota's quotacheck without -c).
      return {...plan, action: this.req.mode === 'fix' ? 'write' : 'check', source: 'file'}
    }
    return refuse(
      new QuotaError('unsupported', `${type} quota is not on`, {
        mount: fs.mountpoint,
        hint: 'turn it on with quotaon, or mount with the usrquota/grpquota/prjquota option',
      }),
    )
  }

  private async filesystem(fs: Filesystem): Promise<FilesystemCheckJson> {
    const json: FilesystemCheckJson = {mountpoint: fs.mountpoint, device: fs.device, fstype: fs.fstype, scan: null, types: [], error: null}
    // With -a, each filesystem is checked for the types it has (as linuxquota does); named
    // filesystems are checked for every type asked, and a missing one is an error.
    const types = this.req.all ? this.req.types.filter((type) => this.applies(fs, type)) : this.req.types
    const plans = types.map((type) => this.plan(fs, type))
    json.types = plans.map((p) => p.json)
    const live = plans.filter((p) => p.json.error === null)
    if (live.length === 0) return json

    // Writing a file while quota is on (-f): let the kernel write its cached dquots first, so the
    // old file's limits are current (linuxquota: "at least sync quotas so damage will be smaller").
    for (const p of live) {
      if (p.action === 'write' && p.on) {
        try {
          this.deps.backend.sync(fs, p.type)
        } catch (e) {
          p.json.error = this.fail(new QuotacheckError(LEGACY_EXIT.syncOrRemount, `cannot sync ${p.type} quota: ${asQuotaError(e).message}`, {mount: fs.mountpoint, errno: asQuotaError(e).errno}))
        }
      }
    }

    let scan: ScanResult
    let fallback: string | null
    let remounted = false
    try {
      remounted = this.remountReadOnly(fs)
      const sink = this.deps.progress?.(fs)
      try {
        ;({scan, fallback} = await this.scan(fs, live.some((p) => p.type === 'project'), sink?.update))
      } finally {
        sink?.done()
        if (remounted) this.remountReadWrite(fs)
      }
    } catch (e) {
      const err = asQuotaError(e)
      json.error = this.fail(err instanceof QuotacheckError ? err : new QuotacheckError(LEGACY_EXIT.cannotScan, `cannot scan: ${err.message}`, {mount: fs.mountpoint, errno: err.errno, hint: err.hint}))
      return json
    }
    const hidden = this.addHiddenUsage(fs, scan)
    json.scan = scanJson(scan, remounted, hidden, fallback)
    if (scan.counters.issues > 0) {
      const first = scan.issues[0]
      json.error = this.fail(
        new QuotacheckError(LEGACY_EXIT.cannotScan, `the scan is incomplete: ${scan.counters.issues} path(s) could not be read, the first ${first.path} (${first.op}: ${first.code})`, {
          mount: fs.mountpoint,
          hint: 'run as root; the counts of an incomplete scan are not compared or written',
        }),
      )
      return json
    }
    this.subtractQuotaFiles(fs, scan)

    for (const p of live) {
      if (p.json.error) continue
      try {
        if (p.action === 'write') this.write(fs, p, scan.tallies[p.type])
        else this.compare(fs, p, scan.tallies[p.type])
      } catch (e) {
        p.json.status = 'failed'
        p.json.error = this.fail(e)
      }
    }
    return json
  }

  /**
   * Reads the filesystem: from its inode tables when it is ext2/3/4 and its device can be read
   * (root), else by walking it. `fallback` says why an ext2/3/4 filesystem was walked in auto mode.
   */
  private async scan(fs: Filesystem, projects: boolean, onProgress?: (p: ScanProgress) => void): Promise<{scan: ScanResult; fallback: string | null}> {
    const method = this.req.scanMethod ?? 'auto'
    let fallback: string | null = null
    if (method !== 'walk') {
      if (INODE_TABLE_FSTYPES.has(fs.fstype)) {
        try {
          const expect = {major: fs.devMajor, minor: fs.devMinor}
          const beforeRead = () => this.syncFilesystem(fs)
          const threads = this.req.threads ?? defaultThreads()
          return {scan: await scanExt4Parallel({device: fs.device, root: fs.mountpoint, expect, projects, onProgress, beforeRead, threads}), fallback: null}
        } catch (e) {
          if (!(e instanceof Ext4Unavailable)) throw e
          fallback = e.reason
        }
      } else {
        fallback = `${fs.fstype} has no inode-table reader (ext2, ext3 and ext4 only)`
      }
      if (method === 'inodes') {
        throw new QuotacheckError(LEGACY_EXIT.cannotScan, `cannot read the inode tables: ${fallback}`, {
          mount: fs.mountpoint,
          hint: 'run as root, or give --scan walk (or auto) to walk the directory tree',
        })
      }
      if (!INODE_TABLE_FSTYPES.has(fs.fstype)) fallback = null // walking is the only way, not a fallback
    }
    const scan = await scanTree({root: fs.mountpoint, projects, threads: this.req.threads, onProgress})
    return {scan, fallback}
  }

  private syncFilesystem(fs: Filesystem): void {
    try {
      this.deps.syncFilesystem?.(fs)
    } catch (e) {
      const err = asQuotaError(e)
      throw new QuotacheckError(LEGACY_EXIT.syncOrRemount, err.message, {mount: fs.mountpoint, errno: err.errno})
    }
  }

  /**
   * Inodes the kernel charges that no walk can see: on XFS the realtime bitmap and summary inodes,
   * owned by id 0 (xfs-super.ts). Added to id 0 of every type; the count goes into the JSON.
   */
  private addHiddenUsage(fs: Filesystem, scan: ScanResult): number {
    if (fs.fstype !== 'xfs' || !this.deps.xfsHiddenUsage) return 0
    const hidden = this.deps.xfsHiddenUsage(fs)
    if (!hidden || hidden.inodes === 0) return 0
    for (const t of [scan.tallies.user, scan.tallies.group, scan.tallies.project]) addUsage(t, 0, hidden.inodes, hidden.bytes)
    return hidden.inodes
  }

  private remountReadOnly(fs: Filesystem): boolean {
    if (!this.req.remountReadOnly || !this.deps.remount) return false
    try {
      this.deps.remount.readOnly(fs)
      return true
    } catch (e) {
      const err = asQuotaError(e)
      if (this.req.tryRemount) {
        this.deps.warn(`${fs.mountpoint}: ${err.message}; scanning it read-write, so the counts may be off if it is busy`)
        return false
      }
      throw new QuotacheckError(LEGACY_EXIT.syncOrRemount, err.message, {mount: fs.mountpoint, errno: err.errno, hint: err.hint ?? 'give -M to scan anyway'})
    }
  }

  private remountReadWrite(fs: Filesystem): void {
    try {
      this.deps.remount!.readWrite(fs)
    } catch (e) {
      const err = asQuotaError(e)
      throw new QuotacheckError(LEGACY_EXIT.syncOrRemount, `${err.message}; it stays read-only`, {mount: fs.mountpoint, errno: err.errno})
    }
  }

  /**
   * The quota files do not count against anyone (the kernel flags them S_NOQUOTA while quota is
   * on): each existing user/group quota file is taken off its owner's usage in every type checked,
   * one inode and its blocks, as linuxquota does.
   */
  private subtractQuotaFiles(fs: Filesystem, scan: ScanResult): void {
    const fileTypes = (['user', 'group'] as const).filter((t) => usesQuotaFile(fs, t))
    if (fileTypes.length === 0) return
    for (const fileType of ['user', 'group'] as const) {
      const format = fs.quotas[fileType]?.format === 'vfsold' ? 'vfsold' : 'vfsv0'
      let st
      try {
        st = statSync(quotaFilePath(fs, fileType, format))
      } catch {
        continue
      }
      if (st.dev !== statSync(fs.mountpoint).dev) continue
      subtractUsage(scan.tallies.user, st.uid, st.blocks * 512)
      subtractUsage(scan.tallies.group, st.gid, st.blocks * 512)
    }
  }

  private nameOf(type: QuotaType, id: number): string | null {
    try {
      return this.deps.nameOf(type, id)
    } catch {
      return null
    }
  }

  private driftJson(type: QuotaType, d: Drift): DriftJson {
    return {
      id: d.id,
      name: this.nameOf(type, d.id),
      recorded: {usedBytes: d.recorded.usedBytes, inodes: d.recorded.inodes},
      scanned: {usedBytes: d.scanned.usedBytes, inodes: d.scanned.inodes},
      deltaBytes: d.scanned.usedBytes - d.recorded.usedBytes,
      deltaInodes: d.scanned.inodes - d.recorded.inodes,
      fix: null,
    }
  }

  private recorded(fs: Filesystem, p: TypePlan): QuotaRecord[] {
    if (p.source === 'kernel') return [...this.deps.backend.iterate(fs, p.type)]
    const contents = readQuotaFileAt(p.path!, {type: p.type})
    if (!contents) {
      throw new QuotaError('unsupported', `${p.type} quota is off and there is no quota file ${p.path}`, {
        mount: fs.mountpoint,
        hint: 'create one with quotakit quotacheck -c',
      })
    }
    p.json.format = contents.header.format
    return contents.records
  }

  private compare(fs: Filesystem, p: TypePlan, tally: IdTally): void {
    p.json.source = p.source
    const records = this.recorded(fs, p)
    const drift = compareUsage(tally as ReadonlyMap<number, ScannedUsage>, records)
    p.json.ids = countIds(tally, records)
    p.json.drift = drift.map((d) => this.driftJson(p.type, d))
    if (drift.length === 0) {
      p.json.status = 'consistent'
      return
    }
    if (p.action !== 'fix') {
      p.json.status = 'drift'
      return
    }
    if (fs.fstype === 'xfs') {
      throw new QuotaError('unsupported', `XFS computes ${p.type} usage itself and does not accept it from userspace`, {
        mount: fs.mountpoint,
        hint: 'XFS recounts when the filesystem is mounted with quota after being mounted without it (or after xfs_repair)',
      })
    }
    const byId = new Map(records.map((r) => [r.id, r]))
    let failed: QuotaError | null = null
    for (const [i, d] of drift.entries()) {
      const entry = p.json.drift[i]
      try {
        const current = byId.get(d.id) ?? this.deps.backend.getQuota(fs, p.type, d.id) ?? noQuotaRecord(d.id)
        this.deps.backend.setQuota(fs, p.type, d.id, fixUpdate(current, d))
        entry.fix = {status: 'applied', error: null}
      } catch (e) {
        const err = asQuotaError(e)
        entry.fix = {status: 'failed', error: errorJson(err)}
        failed ??= err
        if (err.kind === 'permission') break // the rest would fail the same way
      }
    }
    if (failed) throw failed
    p.json.status = 'fixed'
  }

  private write(fs: Filesystem, p: TypePlan, tally: IdTally): void {
    p.json.source = p.on ? 'kernel' : 'file'
    const path = p.path!
    const old = p.scratch ? null : readQuotaFileAt(path, {type: p.type})
    const format: TreeFormat = this.req.format ?? (p.on && (p.format === 'vfsv0' || p.format === 'vfsv1') ? p.format : old?.header.format) ?? 'vfsv0'
    const grace = old?.header.grace ?? {blockGraceSeconds: DEFAULT_GRACE_SECONDS, inodeGraceSeconds: DEFAULT_GRACE_SECONDS}
    const records = rebuildRecords({scanned: tally as ReadonlyMap<number, ScannedUsage>, old: old?.records ?? null, grace, nowEpoch: this.req.nowEpoch})
    if (old) {
      const drift = compareUsage(tally as ReadonlyMap<number, ScannedUsage>, old.records)
      p.json.drift = drift.map((d) => this.driftJson(p.type, d))
      p.json.ids = countIds(tally, old.records)
    } else {
      p.json.ids = records.length
    }
    const contents = buildQuotaFile({type: p.type, format, grace, flags: old?.header.flags ?? 0, records: linuxquotaOrder(records)})
    const {backend} = this.deps
    let wasOff = false
    const written = replaceFile(path, contents, {
      backup: this.req.backup,
      beforeRename: p.on
        ? () => {
            backend.quotaOff(fs, p.type)
            wasOff = true
          }
        : undefined,
    })
    p.json.format = format
    for (const d of p.json.drift) d.fix = {status: 'applied', error: null} // the new file holds the scanned usage
    p.json.file = {path, format, entries: records.length, bytes: written.bytes, backup: written.backup, keptLimits: old !== null, quotaRestarted: p.on}
    if (wasOff) {
      try {
        backend.quotaOn(fs, p.type, format, path)
      } catch (e) {
        const err = asQuotaError(e)
        throw new QuotaError(err.kind, `${path} was written, but ${p.type} quota could not be turned on again: ${err.message}`, {
          mount: fs.mountpoint,
          errno: err.errno,
          hint: `turn it on with quotaon -${p.type === 'user' ? 'u' : 'g'} ${fs.mountpoint}`,
        })
      }
    }
    p.json.status = 'written'
  }
}

function countIds(tally: IdTally, records: readonly QuotaRecord[]): number {
  const ids = new Set<number>()
  for (const [id, u] of tally) if (u.inodes || u.bytes) ids.add(id)
  for (const r of records) if (r.space.usedBytes || r.inodes.used) ids.add(r.id)
  return ids.size
}

function scanJson(scan: ScanResult, remounted: boolean, hiddenInodes: number, fallback: string | null): ScanJson {
  const c = scan.counters
  const seconds = scan.durationMs / 1000
  return {
    method: scan.method,
    fallback,
    files: c.files,
    directories: c.dirs,
    bytes: c.bytes,
    extraLinks: c.extraLinks,
    vanished: c.vanished,
    skippedMounts: c.skippedMounts,
    durationMs: Math.round(scan.durationMs),
    filesPerSecond: seconds > 0 ? Math.round((c.files + c.dirs) / seconds) : 0,
    threads: scan.threads,
    remountedReadOnly: remounted,
    hiddenInodes,
    issues: scan.issues.map((i) => ({path: i.path, code: i.code, op: i.op})),
  }
}

/** The exit status for an outcome: linuxquota's codes for its failures, 1 for drift left in check mode. */
export function exitStatusOf(outcome: QuotacheckOutcome): number {
  if (outcome.failures.length > 0) {
    const codes = new Set(outcome.failures.map((f) => f.exitCode))
    return codes.size === 1 ? [...codes][0] : 1
  }
  const drift = outcome.result.filesystems.some((fs) => fs.types.some((t) => t.status === 'drift'))
  return drift ? 1 : 0
}
