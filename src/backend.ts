// What commands need from a kernel. LinuxBackend (src/sys/linux-backend.ts) implements it over
// quotactl(2); test/fake-backend.ts implements it in memory for unit tests of command logic.
// All calls are synchronous: the FFI calls are, and an admin tool gains nothing from a promise per id.

import type {Filesystem, GraceInfo, QuotaRecord, QuotaType, QuotaUpdate} from './core/types.js'

export interface QuotaBackend {
  /** Every mounted filesystem, with the quota state the kernel reports for each type. */
  filesystems(): Filesystem[]

  /** One id's record, or null when the kernel has no dquot for it (XFS ENOENT). */
  getQuota(fs: Filesystem, type: QuotaType, id: number): QuotaRecord | null

  /** Apply only the fields present in `update`. */
  setQuota(fs: Filesystem, type: QuotaType, id: number, update: QuotaUpdate): void

  /**
   * Every id the kernel holds a dquot for, in id order (Q_GETNEXTQUOTA / Q_XGETNEXTQUOTA), falling
   * back to the passwd / group / projid databases where the kernel cannot enumerate.
   */
  iterate(fs: Filesystem, type: QuotaType): Iterable<QuotaRecord>

  getInfo(fs: Filesystem, type: QuotaType): GraceInfo

  /** Set filesystem grace periods; only the fields present change. */
  setInfo(fs: Filesystem, type: QuotaType, info: Partial<GraceInfo>): void

  sync(fs: Filesystem, type: QuotaType): void

  /** Q_QUOTAON: for file formats `quotaFile` names the file; ignored for hidden/XFS quota. */
  quotaOn(fs: Filesystem, type: QuotaType, format: 'vfsold' | 'vfsv0' | 'vfsv1', quotaFile?: string): void

  quotaOff(fs: Filesystem, type: QuotaType): void
}

/** The backend commands use unless a test injected another; sys/ is only imported when needed. */
let injected: QuotaBackend | undefined

export function setBackend(backend: QuotaBackend | undefined): void {
  injected = backend
}

export async function getBackend(): Promise<QuotaBackend> {
  if (injected) return injected
  const fakeState = process.env.QUOTAKIT_FAKE_STATE
  if (fakeState) {
    // Test hook: a spawned CLI runs against an in-memory kernel stored in a JSON file.
    const {FakeBackend} = await import('./testing/fake-backend.js')
    injected = FakeBackend.fromFile(fakeState)
    return injected
  }
  const {LinuxBackend} = await import('./sys/linux-backend.js')
  injected = new LinuxBackend()
  return injected
}
