// Named quotactl wrappers over one private call(), as xfsprogs' libfrog/quotactl does: QCMD
// encoding, the device-path vs quotactl_fd choice and errno -> QuotaError happen once, here.
//
// Addressing: quotactl(2) wants the block device of the mounted superblock. Filesystems without
// one (tmpfs, bcachefs, btrfs-style anonymous devices, a stale /dev/root) are addressed with
// quotactl_fd(2) on an O_PATH directory fd of the mountpoint. The choice is made once per
// mount; fds are cached and closed at process exit.
//
// The per-id calls (Q_GETQUOTA, Q_GETNEXTQUOTA, Q_SETQUOTA and their XFS twins) go through
// quotactl_fd on every mount where the kernel has it (5.14+), device or not: the path form makes
// the kernel look the device path up on each call, ~10-15 us of a ~45 us Q_GETNEXTQUOTA on ext4
// and ~7-10 us of ~15 us on XFS under the lab's TCG (bench/quotactl-fd.sh). For a set,
// quotactl_fd also takes a write reference on the mount (mnt_want_write): a read-only mount of a
// writable filesystem (a read-only bind) answers EROFS where the path form, which only looks at
// the filesystem, works; such a set is repeated through the path, as quotakit always sent it.
// Everything else keeps the device path (Q_QUOTAON's quota file path has no place in quotactl_fd).
//
// One Buffer per struct kind is reused: calls are synchronous and every decoder copies out. They
// are pinned (libc.pinned: under ffi-rs, native memory passed by address, its cheap way) and
// allocated on the first call, so importing this module still loads no native code.

import {closeSync, openSync, constants as fsc, statSync} from 'node:fs'

import type {Filesystem, QuotaRecord, QuotaType, QuotaUpdate} from '../core/types.js'
import {debugEnabled} from '../debug.js'
import {QuotaError, usageError} from '../errors.js'
import {
  FS_QSTATV_VERSION1,
  O_PATH,
  QCMD,
  QTYPE,
  Q_GETFMT,
  Q_GETINFO,
  Q_GETNEXTQUOTA,
  Q_GETQUOTA,
  Q_QUOTAOFF,
  Q_QUOTAON,
  Q_SETINFO,
  Q_SETQUOTA,
  Q_SYNC,
  Q_XGETNEXTQUOTA,
  Q_XGETQSTATV,
  Q_XGETQUOTA,
  Q_XQUOTAOFF,
  Q_XQUOTAON,
  Q_XSETQLIM,
  USRQUOTA,
} from './constants.js'
import {devMajor, devMinor} from './devnum.js'
import {type ErrnoContext, errnoError, errnoName, type QuotaOp} from './errno.js'
import {type SysResult, pinned, quotactl, quotactlFd} from './libc.js'
import {
  FS_DISK_QUOTA_SIZE,
  FS_QUOTA_STATV_SIZE,
  type FsDiskQuota,
  type FsQuotaStatv,
  IF_DQBLK_SIZE,
  IF_DQINFO_SIZE,
  IF_NEXTDQBLK_SIZE,
  type IfDqblk,
  type IfDqinfo,
  fsDiskQuotaRecord,
  initFsQuotaStatv,
  nextDqblkRecord,
  readFsDiskQuota,
  readFsQuotaStatv,
  readIfDqblk,
  readIfDqinfo,
  writeFsDiskQuota,
  writeIfDqblk,
  writeIfDqinfo,
} from './structs.js'
import {writeUpdateDqblk, writeUpdateXfs} from './update-writers.js'

/** What the wrappers need to address a filesystem. */
export type QuotaTarget = Pick<Filesystem, 'mountpoint' | 'device' | 'devMajor' | 'devMinor'>

/** `perIdFd`: the device mount's O_PATH fd for per-id calls; undefined until first needed, -1 when unusable. */
type Handle = {kind: 'device'; path: string; perIdFd?: number} | {kind: 'fd'; fd: number}

/** Ops that go through quotactl_fd on device mounts too (see the top of the file). */
const PER_ID_OPS: ReadonlySet<QuotaOp> = new Set<QuotaOp>(['get', 'next', 'set'])

/** Cleared when a kernel turns quotactl_fd down (ENOSYS: before 5.14) where the path form works. */
let kernelHasQuotactlFd = true

// Keyed by mountpoint AND source/device number, so a remount seen by a long-running process
// (watch, serve) gets a fresh decision instead of a stale device path.
const handles = new Map<string, Handle>()
const handleKey = (t: QuotaTarget) => `${t.mountpoint}\0${t.device}\0${t.devMajor}:${t.devMinor}`
let exitHookInstalled = false

function isOwnBlockDevice(t: QuotaTarget): boolean {
  // A relative source ("tmpfs", "none") names no device; stat'ing it would look in the cwd.
  if (!t.device.startsWith('/')) return false
  try {
    const st = statSync(t.device, {bigint: true})
    return st.isBlockDevice() && devMajor(st.rdev) === t.devMajor && devMinor(st.rdev) === t.devMinor
  } catch {
    return false
  }
}

// The last target asked for and its handle: a report or batch asks for the same mount per id, and
// building the key string each time shows up in the per-id cost.
let last: {t: QuotaTarget; mountpoint: string; device: string; devMajor: number; devMinor: number; h: Handle} | undefined

function handleFor(t: QuotaTarget): Handle {
  if (last && last.t === t && last.mountpoint === t.mountpoint && last.device === t.device && last.devMajor === t.devMajor && last.devMinor === t.devMinor) {
    return last.h
  }
  const h = lookupHandle(t)
  last = {t, mountpoint: t.mountpoint, device: t.device, devMajor: t.devMajor, devMinor: t.devMinor, h}
  return h
}

function lookupHandle(t: QuotaTarget): Handle {
  const key = handleKey(t)
  let h = handles.get(key)
  if (h) return h
  h = isOwnBlockDevice(t) ? {kind: 'device', path: t.device} : {kind: 'fd', fd: openMountpoint(t)}
  handles.set(key, h)
  return h
}

function openMountpoint(t: QuotaTarget): number {
  let fd: number
  try {
    fd = openSync(t.mountpoint, O_PATH | fsc.O_DIRECTORY)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO'
    throw new QuotaError('failed', `cannot open the mountpoint: ${(e as Error).message}`, {errno: code, mount: t.mountpoint, cause: e})
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', closeHandles)
  }
  return fd
}

/** The fd a device mount's per-id calls use, or -1 for the device path (no quotactl_fd, or no fd). */
function perIdFdOf(t: QuotaTarget, h: Extract<Handle, {kind: 'device'}>): number {
  if (h.perIdFd === undefined) {
    try {
      h.perIdFd = kernelHasQuotactlFd ? openMountpoint(t) : -1
    } catch {
      h.perIdFd = -1 // the device path still works
    }
  }
  return kernelHasQuotactlFd ? h.perIdFd : -1
}

/** How a mount is addressed: 'device' (quotactl on the block device) or 'fd' (quotactl_fd). Per-id calls: see the top. */
export function addressing(t: QuotaTarget): 'device' | 'fd' {
  return handleFor(t).kind
}

/** How a mount's per-id calls are addressed. */
export function perIdAddressing(t: QuotaTarget): 'device' | 'fd' {
  const h = handleFor(t)
  return h.kind === 'fd' || perIdFdOf(t, h) >= 0 ? 'fd' : 'device'
}

/** Close the cached quotactl_fd handles (also runs at process exit). */
export function closeHandles(): void {
  for (const h of handles.values()) {
    const fd = h.kind === 'fd' ? h.fd : (h.perIdFd ?? -1)
    if (fd < 0) continue
    try {
      closeSync(fd)
    } catch {
      // already closed: nothing to release
    }
  }
  handles.clear()
  last = undefined
}

const debug = debugEnabled('quota:sys')

function checkId(id: number): number {
  // qid_t is u32; 0xFFFFFFFF is (qid_t)-1, never a valid id.
  if (!Number.isInteger(id) || id < 0 || id >= 0xffffffff) throw usageError(`id ${id} is out of range (0..4294967294)`)
  return id
}

/**
 * Operations a second call leaves as the first did: reads, and the sets, which write absolute
 * values (limits, timers, grace periods). A failed one is repeated to learn its errno (libc.ts),
 * which keeps ffi-rs's errno capture off the per-id path. quotaon/quotaoff are never repeated.
 */
const REPEATABLE: ReadonlySet<QuotaOp> = new Set<QuotaOp>(['get', 'next', 'info', 'sync', 'state', 'format', 'set', 'setinfo'])

/** One quotactl through `fd`, or through the device path when fd is -1 (a device handle). */
function attempt(h: Handle, fd: number, qcmd: number, id: number, addr: Buffer, repeatable: boolean): SysResult {
  const r = h.kind === 'device' && fd < 0 ? quotactl(qcmd, h.path, id, addr, repeatable) : quotactlFd(fd, qcmd, id, addr, repeatable)
  if (debug) {
    const res = r.value < 0 ? errnoName(r.errno) : String(r.value)
    const via = h.kind === 'device' && fd < 0 ? h.path : `fd ${fd}`
    process.stderr.write(`quota:sys quotactl${fd >= 0 ? '_fd' : ''}(0x${(qcmd >>> 0).toString(16)}, ${via}, ${id}) -> ${res}\n`)
  }
  return r
}

/** The one syscall chokepoint. Throws QuotaError (kind from errno.ts) when the kernel says no. */
function call(t: QuotaTarget, cmd: number, type: QuotaType | undefined, id: number, addr: Buffer, op: QuotaOp): void {
  const h = handleFor(t)
  const qcmd = QCMD(cmd, type === undefined ? USRQUOTA : QTYPE[type])
  const repeatable = REPEATABLE.has(op)
  const qid = checkId(id)
  let fd = h.kind === 'fd' ? h.fd : PER_ID_OPS.has(op) ? perIdFdOf(t, h) : -1
  let r = attempt(h, fd, qcmd, qid, addr, repeatable)
  if (r.value < 0 && fd >= 0 && h.kind === 'device') {
    const errno = errnoName(r.errno)
    // ENOSYS: no quotactl_fd in this kernel, or no quota on this mount at all; the path form tells
    // which. EROFS on a set: a read-only mount of a writable filesystem (see the top).
    if (errno === 'ENOSYS' || (errno === 'EROFS' && op === 'set')) {
      fd = -1
      r = attempt(h, fd, qcmd, qid, addr, repeatable)
      if (errno === 'ENOSYS' && (r.value >= 0 || errnoName(r.errno) !== 'ENOSYS')) kernelHasQuotactlFd = false
    }
  }
  if (r.value < 0) {
    const ctx: ErrnoContext = {op, mount: t.mountpoint, type, id: op === 'get' || op === 'set' ? id : undefined}
    throw errnoError(r.errno, ctx)
  }
}

interface Buffers {
  dqblk: Buffer
  nextdqblk: Buffer
  dqinfo: Buffer
  fsdq: Buffer
  statv: Buffer
  u32: Buffer // Q_GETFMT result, Q_XQUOTAON/OFF flags
  none: Buffer // addr the kernel ignores (Q_SYNC, Q_QUOTAOFF)
}

let allocated: Buffers | undefined

const bufs = (): Buffers =>
  (allocated ??= {
    dqblk: pinned(IF_DQBLK_SIZE),
    nextdqblk: pinned(IF_NEXTDQBLK_SIZE),
    dqinfo: pinned(IF_DQINFO_SIZE),
    fsdq: pinned(FS_DISK_QUOTA_SIZE),
    statv: pinned(FS_QUOTA_STATV_SIZE),
    u32: pinned(8),
    none: pinned(8),
  })

// ------------------------------------------------------------------ VFS family

export function qSync(t: QuotaTarget, type: QuotaType): void {
  call(t, Q_SYNC, type, 0, bufs().none, 'sync')
}

/** The active format's QFMT_* id (ESRCH when the type is off). */
export function qGetFmt(t: QuotaTarget, type: QuotaType): number {
  const buf = bufs().u32
  buf.fill(0)
  call(t, Q_GETFMT, type, 0, buf, 'format')
  return buf.readUInt32LE(0)
}

export function qGetInfo(t: QuotaTarget, type: QuotaType): IfDqinfo {
  const buf = bufs().dqinfo
  buf.fill(0)
  call(t, Q_GETINFO, type, 0, buf, 'info')
  return readIfDqinfo(buf)
}

export function qSetInfo(t: QuotaTarget, type: QuotaType, info: IfDqinfo): void {
  call(t, Q_SETINFO, type, 0, writeIfDqinfo(bufs().dqinfo, info), 'setinfo')
}

export function qGetQuota(t: QuotaTarget, type: QuotaType, id: number): IfDqblk {
  const buf = bufs().dqblk
  buf.fill(0)
  call(t, Q_GETQUOTA, type, id, buf, 'get')
  return readIfDqblk(buf)
}

export function qSetQuota(t: QuotaTarget, type: QuotaType, id: number, d: IfDqblk): void {
  call(t, Q_SETQUOTA, type, id, writeIfDqblk(bufs().dqblk, d), 'set')
}

/** Q_SETQUOTA of an update giving both sides of each limit pair, encoded without BigInt (setquota -b's call). */
export function qSetQuotaUpdate(t: QuotaTarget, type: QuotaType, id: number, u: QuotaUpdate): void {
  const buf = bufs().dqblk
  if (writeUpdateDqblk(buf, u) !== 0) call(t, Q_SETQUOTA, type, id, buf, 'set')
}

/**
 * Q_GETNEXTQUOTA: the record of the first id >= `id` holding a dquot (its id in the record);
 * ENOENT (QuotaError errno 'ENOENT') past the last one. Decoded without BigInt: the report loop's call.
 */
export function qGetNextRecord(t: QuotaTarget, type: QuotaType, id: number): QuotaRecord {
  // Not zeroed first, unlike the other reads: on success the kernel copies out the whole struct
  // (zeroed, then filled: copy_to_if_dqblk / copy_to_xfs_dqblk), on failure nothing is decoded,
  // and this runs once per id of a report (Buffer#fill was ~5 us of an id under TCG).
  const buf = bufs().nextdqblk
  call(t, Q_GETNEXTQUOTA, type, id, buf, 'next')
  return nextDqblkRecord(buf)
}

/**
 * Q_QUOTAON with a QFMT_* id and the quota file path. Filesystems with hidden system-file quota
 * ignore both and only switch enforcement on.
 */
export function qQuotaOn(t: QuotaTarget, type: QuotaType, qfmt: number, quotaFile: string): void {
  call(t, Q_QUOTAON, type, qfmt, Buffer.from(`${quotaFile}\0`), 'quotaon')
}

export function qQuotaOff(t: QuotaTarget, type: QuotaType): void {
  call(t, Q_QUOTAOFF, type, 0, bufs().none, 'quotaoff')
}

// ------------------------------------------------------------------ XFS family

/** Q_XQUOTAON with FS_QUOTA_* flags (XFS: enforcement only; accounting comes from mount options). */
export function qXQuotaOn(t: QuotaTarget, type: QuotaType, flags: number): void {
  const buf = bufs().u32
  buf.writeUInt32LE(flags >>> 0, 0)
  call(t, Q_XQUOTAON, type, 0, buf, 'quotaon')
}

export function qXQuotaOff(t: QuotaTarget, type: QuotaType, flags: number): void {
  const buf = bufs().u32
  buf.writeUInt32LE(flags >>> 0, 0)
  call(t, Q_XQUOTAOFF, type, 0, buf, 'quotaoff')
}

/** XFS answers ENOENT for an id without a dquot; the caller decides whether that means "none". */
export function qXGetQuota(t: QuotaTarget, type: QuotaType, id: number): FsDiskQuota {
  const buf = bufs().fsdq
  buf.fill(0)
  call(t, Q_XGETQUOTA, type, id, buf, 'get')
  return readFsDiskQuota(buf)
}

export function qXSetQLim(t: QuotaTarget, type: QuotaType, id: number, d: FsDiskQuota): void {
  call(t, Q_XSETQLIM, type, id, writeFsDiskQuota(bufs().fsdq, d), 'set')
}

/** Q_XSETQLIM of an update, encoded without BigInt (setquota -b's call on XFS). */
export function qXSetQLimUpdate(t: QuotaTarget, type: QuotaType, id: number, u: QuotaUpdate): void {
  const buf = bufs().fsdq
  if (writeUpdateXfs(buf, type, id, u) !== 0) call(t, Q_XSETQLIM, type, id, buf, 'set')
}

/** Q_XGETNEXTQUOTA as Q_GETNEXTQUOTA above: a record, decoded without BigInt. */
export function qXGetNextRecord(t: QuotaTarget, type: QuotaType, id: number): QuotaRecord {
  const buf = bufs().fsdq // not zeroed first: see qGetNextRecord
  call(t, Q_XGETNEXTQUOTA, type, id, buf, 'next')
  return fsDiskQuotaRecord(buf)
}

/**
 * Per-type accounting/enforcement state. Answers on XFS and, on modern kernels, on every
 * dquot-based filesystem; ENOSYS when no quota type is active at all.
 */
export function qXGetQStatV(t: QuotaTarget): FsQuotaStatv {
  const buf = bufs().statv
  call(t, Q_XGETQSTATV, undefined, 0, initFsQuotaStatv(buf, FS_QSTATV_VERSION1), 'state')
  return readFsQuotaStatv(buf)
}
