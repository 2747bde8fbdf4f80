// The ffi-rs engine of src/sys/libc.ts (QUOTAKIT_FFI=ffi-rs, and the fallback when koffi cannot load):
// the only importer of ffi-rs. The native module is loaded on first use, never at import time.
//
// Call cost (ffi-rs 1.3.7, Node 20, measured on the dev VM, see test/sys/libc.test.ts): `load()`
// with a fixed-shape object literal is ~5 us cheaper per call than `define()` (which spreads the
// descriptor into a fresh object on every call), so each signature is declared once as a
// paramsType array and called through `load()` with a literal.
//
// Buffers go in as U8Array and are passed by pointer (zero copy, subarray offsets honoured), so
// the kernel's writes land in the caller's Buffer. A U8Array parameter is the expensive kind,
// though: ffi-rs converts its type descriptor (an object) on every call, and a String parameter
// is copied into a fresh C string. The per-id paths therefore use pinned memory (pinned()): a
// Buffer over calloc'd memory whose address is known, passed as a plain integer, with device
// paths kept as pinned C strings. Measured per quotactl call: ~29 us -> ~10 us on the dev VM,
// about 3x under the lab's TCG (bench/lab-quota.ts). ffi-rs's errno capture costs another ~25%
// (it formats a message each call), so calls the caller marks repeatable (reads, and sets of
// absolute values, which a second call leaves as the first did) go without it and are repeated
// once with errno captured when they fail; the others capture errno on their one call.

import {createRequire} from 'node:module'

import type * as FfiRs from 'ffi-rs'

import {SYS_quotactl_fd} from './constants.js'
import type {LibcEngine, NssByName, NssById, NssEnt, NssRewind, SysResult} from './libc-engine.js'

type Ffi = typeof FfiRs
type FieldType = FfiRs.FieldType

const LIB = 'libc'

interface Native {
  ffi: Ffi
  sig: {
    quotactl: FieldType[]
    quotactlPinned: FieldType[]
    syscall4: FieldType[]
    syscall4Pinned: FieldType[]
    getpwnam_r: FieldType[]
    getpwuid_r: FieldType[]
    getpwent_r: FieldType[]
    ioctl: FieldType[]
    mount: FieldType[]
    syncfs: FieldType[]
    none: FieldType[]
  }
}

let native: Native | undefined

function loadNative(): Native {
  if (native) return native
  const ffi = createRequire(import.meta.url)('ffi-rs') as Ffi
  // path '' opens the running program's handle, which resolves every libc symbol.
  ffi.open({library: LIB, path: ''})
  const T = ffi.DataType
  native = {
    ffi,
    sig: {
      // int quotactl(int cmd, const char *special, int id, caddr_t addr)
      quotactl: [T.I32, T.String, T.I32, T.U8Array],
      // the same with the special file and addr as addresses of pinned memory
      quotactlPinned: [T.I32, T.I64, T.I32, T.I64],
      // long syscall(long nr, long fd, long cmd, long id, void *addr): quotactl_fd has no glibc wrapper
      syscall4: [T.I64, T.I64, T.I64, T.I64, T.U8Array],
      syscall4Pinned: [T.I64, T.I64, T.I64, T.I64, T.I64],
      // int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t len, struct passwd **res)
      getpwnam_r: [T.String, T.U8Array, T.U8Array, T.U64, T.U8Array],
      // int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t len, struct passwd **res)
      getpwuid_r: [T.U32, T.U8Array, T.U8Array, T.U64, T.U8Array],
      // int getpwent_r(struct passwd *pwd, char *buf, size_t len, struct passwd **res)
      getpwent_r: [T.U8Array, T.U8Array, T.U64, T.U8Array],
      // int ioctl(int fd, unsigned long request, void *arg): the kernel reads request as 32 bits
      ioctl: [T.I32, T.I32, T.U8Array],
      // int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)
      mount: [T.String, T.String, T.String, T.I64, T.String],
      // int syncfs(int fd)
      syncfs: [T.I32],
      none: [],
    },
  }
  return native
}

interface ErrnoResult {
  value: number
  errnoCode: number
}

const checked = (r: ErrnoResult): SysResult => ({value: r.value, errno: r.value < 0 ? r.errnoCode : 0})

// ------------------------------------------------------------------ pinned memory

/** Addresses of the Buffers pinned() made; a Buffer not in here goes to C as a U8Array. */
const pinnedAddress = new WeakMap<Buffer, number>()
/** C strings (device paths) in pinned memory, by content; a handful per process, never freed. */
const pinnedStrings = new Map<string, number>()
/** undefined: not tried yet; false: this runtime cannot share native memory with a Buffer. */
let pinning: boolean | undefined

/**
 * A zeroed Buffer over native memory (calloc) whose address C calls can take as an integer, so
 * calls that pass it skip ffi-rs's per-call Buffer conversion. Never freed: callers allocate one
 * per struct kind and reuse it. Falls back to an ordinary Buffer (passed as U8Array, correct and
 * slower) when the runtime copies instead of sharing external memory (ffi-rs documents that for
 * Electron) or anything else about the trick fails.
 */
function pinned(size: number): Buffer {
  const {ffi} = loadNative()
  if (pinning !== false) {
    try {
      const T = ffi.DataType
      const call = (funcName: string, retType: FieldType, paramsType: FieldType[], paramsValue: unknown[]) =>
        ffi.load({library: LIB, funcName, retType, paramsType, paramsValue, freeResultMemory: false}) as unknown
      const ext = call('calloc', T.External, [T.U64, T.U64], [1, size]) as FfiRs.JsExternal
      if (ffi.isNullPointer(ext)) throw new Error('calloc failed')
      // memset(p, 0, 0) returns p: the address as a number (user-space addresses fit in 2^53).
      const addr = call('memset', T.I64, [T.External, T.I32, T.U64], [ext, 0, 0]) as number
      const buf = ffi.createExternalBuffer(ext, size)
      // Proof that the Buffer and the address are the same memory: write through one, read the other.
      call('memset', T.I64, [T.I64, T.I32, T.U64], [addr, 0x5a, 1])
      const shared = buf.length === size && buf[0] === 0x5a && Number.isSafeInteger(addr) && addr > 0
      buf[0] = 0
      if (!shared) throw new Error('external memory is copied, not shared')
      pinning = true
      pinnedAddress.set(buf, addr)
      return buf
    } catch {
      pinning = false
    }
  }
  return Buffer.alloc(size)
}

/** The address of a pinned C string holding `text`, or undefined when pinning is unavailable. */
function pinnedString(text: string): number | undefined {
  let addr = pinnedStrings.get(text)
  if (addr !== undefined) return addr
  if (text.includes('\0')) return undefined
  const bytes = Buffer.from(`${text}\0`)
  const buf = pinned(bytes.length)
  addr = pinnedAddress.get(buf)
  if (addr === undefined) return undefined
  bytes.copy(buf)
  pinnedStrings.set(text, addr)
  return addr
}

/**
 * Both pinned variants. `repeatable`: call without errno capture, and repeat a failed call once
 * with it (the repeat's outcome is the answer); otherwise capture errno on the one call made.
 */
function callPinned(funcName: string, retType: FieldType, paramsType: FieldType[], paramsValue: unknown[], repeatable: boolean): SysResult {
  const {ffi} = loadNative()
  if (repeatable) {
    const value = ffi.load({library: LIB, funcName, retType, paramsType, paramsValue, freeResultMemory: false}) as unknown as number
    if (value >= 0) return {value, errno: 0}
  }
  const r = ffi.load({library: LIB, funcName, retType, paramsType, paramsValue, errno: true, freeResultMemory: false}) as unknown as ErrnoResult
  return checked(r)
}

/**
 * quotactl(2). `repeatable`: a second call would leave things as the first did (reads, sets of
 * absolute values), so a failure may be repeated to learn its errno; false (the default) for the
 * others (quotaon, quotaoff).
 */
function quotactl(cmd: number, special: string, id: number, addr: Buffer, repeatable = false): SysResult {
  const {ffi, sig} = loadNative()
  const addrPtr = pinnedAddress.get(addr)
  const specialPtr = addrPtr === undefined ? undefined : pinnedString(special)
  if (addrPtr !== undefined && specialPtr !== undefined) {
    return callPinned('quotactl', ffi.DataType.I32, sig.quotactlPinned, [cmd | 0, specialPtr, id | 0, addrPtr], repeatable)
  }
  const r = ffi.load({
    library: LIB,
    funcName: 'quotactl',
    retType: ffi.DataType.I32,
    paramsType: sig.quotactl,
    paramsValue: [cmd | 0, special, id | 0, addr],
    errno: true,
    freeResultMemory: false,
  }) as unknown as ErrnoResult
  return checked(r)
}

/** quotactl_fd(2) through syscall(2); `repeatable` as for quotactl(). */
function quotactlFd(fd: number, cmd: number, id: number, addr: Buffer, repeatable = false): SysResult {
  const {ffi, sig} = loadNative()
  // the kernel reads fd/cmd/id as 32-bit: sign extension of the negative VFS cmd is harmless
  const addrPtr = pinnedAddress.get(addr)
  if (addrPtr !== undefined) {
    return callPinned('syscall', ffi.DataType.I64, sig.syscall4Pinned, [SYS_quotactl_fd, fd, cmd | 0, id >>> 0, addrPtr], repeatable)
  }
  const r = ffi.load({
    library: LIB,
    funcName: 'syscall',
    retType: ffi.DataType.I64,
    paramsType: sig.syscall4,
    paramsValue: [SYS_quotactl_fd, fd, cmd | 0, id >>> 0, addr],
    errno: true,
    freeResultMemory: false,
  }) as unknown as ErrnoResult
  return checked(r)
}

// The reentrant NSS calls return an error number (0, ERANGE, ...) rather than setting errno, and
// signal "not found" with a NULL *res: no errno capture needed.

function callInt(funcName: string, paramsType: FieldType[], paramsValue: unknown[]): number {
  const {ffi} = loadNative()
  return ffi.load({library: LIB, funcName, retType: ffi.DataType.I32, paramsType, paramsValue, freeResultMemory: false}) as number
}

/** getpwnam_r / getgrnam_r (same shape: struct group and struct passwd are both caller buffers). */
function nssByName(fn: NssByName, name: string, ent: Buffer, buf: Buffer, result: Buffer): number {
  return callInt(fn, loadNative().sig.getpwnam_r, [name, ent, buf, buf.length, result])
}

function nssById(fn: NssById, id: number, ent: Buffer, buf: Buffer, result: Buffer): number {
  return callInt(fn, loadNative().sig.getpwuid_r, [id >>> 0, ent, buf, buf.length, result])
}

function nssEnt(fn: NssEnt, ent: Buffer, buf: Buffer, result: Buffer): number {
  return callInt(fn, loadNative().sig.getpwent_r, [ent, buf, buf.length, result])
}

/** setpwent/endpwent/setgrent/endgrent: void(void). */
function nssRewind(fn: NssRewind): void {
  const {ffi, sig} = loadNative()
  ffi.load({library: LIB, funcName: fn, retType: ffi.DataType.Void, paramsType: sig.none, paramsValue: [], freeResultMemory: false})
}

/**
 * ioctl(fd, request, arg) with `arg` a caller buffer the kernel reads or fills. Called once per
 * inode by the project-id scan, so the common case skips ffi-rs's errno capture (measured: it
 * adds ~5 us per call, half the call's cost); a failed call is repeated once with errno captured,
 * which is harmless for the read-only requests this is used for (FS_IOC_FSGETXATTR).
 */
function ioctl(fd: number, request: number, arg: Buffer): SysResult {
  const {ffi, sig} = loadNative()
  const base = {library: LIB, funcName: 'ioctl', retType: ffi.DataType.I32, paramsType: sig.ioctl, paramsValue: [fd | 0, request | 0, arg], freeResultMemory: false}
  const value = ffi.load(base) as number
  if (value >= 0) return {value, errno: 0}
  return checked(ffi.load({...base, errno: true}) as unknown as ErrnoResult)
}

/** mount(2). `data` '' is the same as NULL for the kernel's option parser (an empty option list). */
function mount(source: string, target: string, fstype: string, flags: number, data: string): SysResult {
  const {ffi, sig} = loadNative()
  const r = ffi.load({
    library: LIB,
    funcName: 'mount',
    retType: ffi.DataType.I32,
    paramsType: sig.mount,
    paramsValue: [source, target, fstype, flags, data],
    errno: true,
    freeResultMemory: false,
  }) as unknown as ErrnoResult
  return checked(r)
}

/** syncfs(2): write out everything of the filesystem that holds `fd`. */
function syncfs(fd: number): SysResult {
  const {ffi, sig} = loadNative()
  const r = ffi.load({library: LIB, funcName: 'syncfs', retType: ffi.DataType.I32, paramsType: sig.syncfs, paramsValue: [fd | 0], errno: true, freeResultMemory: false}) as unknown as ErrnoResult
  return checked(r)
}

export const ffiRsEngine: LibcEngine = {
  name: 'ffi-rs',
  load: () => void loadNative(),
  pinned,
  quotactl,
  quotactlFd,
  nssByName,
  nssById,
  nssEnt,
  nssRewind,
  ioctl,
  mount,
  syncfs,
}
