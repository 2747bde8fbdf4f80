// An in-memory QuotaBackend for unit tests of command logic. It is never the proof that a
// feature works (the lab is); it models the kernel closely enough for logic: partial updates,
// grace-timer restart on limit changes, ESRCH-like errors for types that are off.
//
// A spawned CLI can use it too: QUOTAKIT_FAKE_STATE=/path/state.json loads a FakeState from that
// file and writes it back after every change, so exit-code tests run through a real process.

import {readFileSync, writeFileSync} from 'node:fs'

import type {QuotaBackend} from '../backend.js'
import type {Filesystem, GraceInfo, QuotaRecord, QuotaType, QuotaUpdate} from '../core/types.js'
import {noQuotaRecord as emptyRecord} from '../core/report.js'
import {QuotaError} from '../errors.js'

export interface FakeState {
  filesystems: Filesystem[]
  /** key `${mountpoint}|${type}` -> records by id */
  records: Record<string, Record<string, QuotaRecord>>
  /** for tests: epoch seconds the fake treats as "now" (defaults to the real clock) */
  now?: number
  /** for tests: how the modelled kernel treats grace timers (defaults: Linux >= 5.10 VFS) */
  kernel?: FakeKernel
}

/** Grace-timer behaviours that differ between kernels and filesystems (ecosystem.md 1.4). */
export interface FakeKernel {
  /** a QIF_BTIME/QIF_ITIME value: kept verbatim (>= 5.10, XFS; default) or ignored (<= 4.9) */
  timerWrites?: 'kept' | 'ignored'
  /** limits set on an id over its soft limit: restart its timer (>= 4.15; default), clear it (<= 4.14), or keep it (XFS) */
  limitsSetTimer?: 'restart' | 'clear' | 'keep'
}

const key = (fs: Filesystem, type: QuotaType) => `${fs.mountpoint}|${type}`

export class FakeBackend implements QuotaBackend {
  readonly calls: string[] = []

  constructor(
    readonly state: FakeState,
    private readonly file?: string,
  ) {}

  static fromFile(file: string): FakeBackend {
    return new FakeBackend(JSON.parse(readFileSync(file, 'utf8')) as FakeState, file)
  }

  private now(): number {
    return this.state.now ?? Math.floor(Date.now() / 1000)
  }

  private persist(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify(this.state, null, 2))
  }

  private table(fs: Filesystem, type: QuotaType): Record<string, QuotaRecord> {
    const st = this.state.filesystems.find((f) => f.mountpoint === fs.mountpoint)?.quotas[type]
    if (!st?.accounting) {
      throw new QuotaError('unsupported', `${type} quota is not on`, {mount: fs.mountpoint, errno: 'ESRCH'})
    }
    return (this.state.records[key(fs, type)] ??= {})
  }

  filesystems(): Filesystem[] {
    return this.state.filesystems
  }

  getQuota(fs: Filesystem, type: QuotaType, id: number): QuotaRecord | null {
    this.calls.push(`get ${fs.mountpoint} ${type} ${id}`)
    const rec = this.table(fs, type)[id]
    return rec ? structuredClone(rec) : fs.fstype === 'xfs' ? null : emptyRecord(id)
  }

  setQuota(fs: Filesystem, type: QuotaType, id: number, u: QuotaUpdate): void {
    this.calls.push(`set ${fs.mountpoint} ${type} ${id} ${JSON.stringify(u)}`)
    const table = this.table(fs, type)
    const r = table[id] ?? emptyRecord(id)
    const grace = this.getInfo(fs, type)
    if (u.softLimitBytes !== undefined) r.space.softLimitBytes = u.softLimitBytes
    if (u.hardLimitBytes !== undefined) r.space.hardLimitBytes = u.hardLimitBytes
    if (u.usedBytes !== undefined) r.space.usedBytes = u.usedBytes
    if (u.inodeSoftLimit !== undefined) r.inodes.softLimit = u.inodeSoftLimit
    if (u.inodeHardLimit !== undefined) r.inodes.hardLimit = u.inodeHardLimit
    if (u.inodesUsed !== undefined) r.inodes.used = u.inodesUsed
    // The kernel's re-evaluation after Q_SETQUOTA (reference 1.6): touching a side restarts or
    // clears its timer unless the timer itself was given (state.kernel models older kernels and XFS).
    const kernel = this.state.kernel ?? {}
    const written = (t: number | undefined) => (kernel.timerWrites === 'ignored' ? undefined : t)
    const spaceTimer = written(u.spaceGraceExpiresAt)
    const inodeTimer = written(u.inodeGraceExpiresAt)
    const rearm = (old: number, given: number | undefined, period: number): number => {
      if (given !== undefined) return given
      if (kernel.limitsSetTimer === 'clear') return 0
      if (kernel.limitsSetTimer === 'keep' && old !== 0) return old
      return this.now() + period
    }
    const touchesSpace = [u.softLimitBytes, u.hardLimitBytes, u.usedBytes, spaceTimer].some((v) => v !== undefined)
    if (touchesSpace) {
      const s = r.space
      if (s.softLimitBytes === 0 || s.usedBytes <= s.softLimitBytes) s.graceExpiresAt = 0
      else s.graceExpiresAt = rearm(s.graceExpiresAt, spaceTimer, grace.blockGraceSeconds)
    }
    const touchesInodes = [u.inodeSoftLimit, u.inodeHardLimit, u.inodesUsed, inodeTimer].some((v) => v !== undefined)
    if (touchesInodes) {
      const i = r.inodes
      if (i.softLimit === 0 || i.used <= i.softLimit) i.graceExpiresAt = 0
      else i.graceExpiresAt = rearm(i.graceExpiresAt, inodeTimer, grace.inodeGraceSeconds)
    }
    const empty = !r.space.usedBytes && !r.space.softLimitBytes && !r.space.hardLimitBytes &&
      !r.inodes.used && !r.inodes.softLimit && !r.inodes.hardLimit
    if (empty) delete table[id]
    else table[id] = r
    this.persist()
  }

  *iterate(fs: Filesystem, type: QuotaType): Iterable<QuotaRecord> {
    const table = this.table(fs, type)
    const ids = Object.keys(table).map(Number).sort((a, b) => a - b)
    for (const id of ids) yield structuredClone(table[id])
  }

  getInfo(fs: Filesystem, type: QuotaType): GraceInfo {
    const st = this.state.filesystems.find((f) => f.mountpoint === fs.mountpoint)?.quotas[type]
    if (!st?.accounting || !st.grace) {
      throw new QuotaError('unsupported', `${type} quota is not on`, {mount: fs.mountpoint, errno: 'ESRCH'})
    }
    return {...st.grace}
  }

  setInfo(fs: Filesystem, type: QuotaType, info: Partial<GraceInfo>): void {
    this.calls.push(`setinfo ${fs.mountpoint} ${type} ${JSON.stringify(info)}`)
    const st = this.state.filesystems.find((f) => f.mountpoint === fs.mountpoint)?.quotas[type]
    if (!st?.accounting || !st.grace) {
      throw new QuotaError('unsupported', `${type} quota is not on`, {mount: fs.mountpoint, errno: 'ESRCH'})
    }
    Object.assign(st.grace, info)
    this.persist()
  }

  sync(fs: Filesystem, type: QuotaType): void {
    this.calls.push(`sync ${fs.mountpoint} ${type}`)
  }

  quotaOn(fs: Filesystem, type: QuotaType): void {
    const st = this.state.filesystems.find((f) => f.mountpoint === fs.mountpoint)?.quotas[type]
    if (st) st.enforcement = st.accounting = true
    this.persist()
  }

  quotaOff(fs: Filesystem, type: QuotaType): void {
    const st = this.state.filesystems.find((f) => f.mountpoint === fs.mountpoint)?.quotas[type]
    if (st) st.enforcement = fs.fstype === 'xfs' ? false : (st.accounting = false)
    this.persist()
  }
}
