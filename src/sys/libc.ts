// The only importer of ffi-rs. The native module is loaded on first use, never at import time, so
// `--help`, the unit tests and every module that merely imports src/sys stay native-free.
//
// Call cost (ffi-rs 1.3.7, Node 20, measured on the dev VM, see test/sys/libc.test.ts): `load()`
// with a fixed-shape object literal is ~5 us cheaper per call than `define()` (which spreads the
// descriptor into a fresh object on every call), so each signature is declared once as a
// paramsType array and called through `load()` with a literal.
//
// Buffers go in as U8Array and are passed by pointer (zero copy, subarray offsets honoured), so
// the kernel's writes land in the caller's Buffer.

import {createRequire} from 'node:module'

import type * as FfiRs from 'ffi-rs'

import {QuotaError} from '../errors.js'
import {SYS_quotactl_fd} from './constants.js'

type Ffi = typeof FfiRs
type FieldType = FfiRs.FieldType

const LIB = 'libc'

interface Native {
  ffi: Ffi
  sig: {
    quotactl: FieldType[]
    syscall4: FieldType[]
    getpwnam_r: FieldType[]
    getpwuid_r: FieldType[]
    getpwent_r: FieldType[]
    ioctl: FieldType[]
    mount: FieldType[]
    none: FieldType[]
  }
}

let native: Native | undefined

function loadNative(): Native {
  if (native) return native
  let ffi: Ffi
  try {
    ffi = createRequire(import.meta.url)('ffi-rs') as Ffi
    // path '' opens the running program's handle, which resolves every libc symbol.
    ffi.open({library: LIB, path: ''})
  } catch (cause) {
    throw new QuotaError('unsupported', `cannot load the ffi-rs native module (${process.platform}-${process.arch}): ${(cause as Error)?.message ?? cause}`, {
      cause,
      hint: 'reinstall quotakit so npm fetches the prebuilt @yuuang/ffi-rs package for this platform (glibc or musl, x64 or arm64)',
    })
  }
  const T = ffi.DataType
  native = {
    ffi,
    sig: {
      // int quotactl(int cmd, const char *special, int id, caddr_t addr)
      quotactl: [T.I32, T.String, T.I32, T.U8Array],
      // long syscall(long nr, long fd, long cmd, long id, void *addr): quotactl_fd has no glibc wrapper
      syscall4: [T.I64, T.I64, T.I64, T.I64, T.U8Array],
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
      none: [],
    },
  }
  return native
}

/** For tests: whether anything has forced the native module in yet. */
export function nativeLoaded(): boolean {
  return native !== undefined
}

/** Load now (e.g. to report a broken install before doing work); throws QuotaError on failure. */
export function ensureNative(): void {
  loadNative()
}

/** A syscall's result: errno is only meaningful when value < 0 (ffi-rs reports a stale errno on success). */
export interface SysResult {
  value: number
  errno: number
}

interface ErrnoResult {
  value: number
  errnoCode: number
}

const checked = (r: ErrnoResult): SysResult => ({value: r.value, errno: r.value < 0 ? r.errnoCode : 0})

export function quotactl(cmd: number, special: string, id: number, addr: Buffer): SysResult {
  const {ffi, sig} = loadNative()
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

export function quotactlFd(fd: number, cmd: number, id: number, addr: Buffer): SysResult {
  const {ffi, sig} = loadNative()
  const r = ffi.load({
    library: LIB,
    funcName: 'syscall',
    retType: ffi.DataType.I64,
    paramsType: sig.syscall4,
    // the kernel reads fd/cmd/id as 32-bit: sign extension of the negative VFS cmd is harmless
    paramsValue: [SYS_quotactl_fd, fd, cmd | 0, id >>> 0, addr],
    errno: true,
    freeResultMemory: false,
  }) as unknown as ErrnoResult
  return checked(r)
}

// The reentrant NSS calls return an error number (0, ERANGE, ...) rather than setting errno, and
// signal "not found" with a NULL *res: no errno capture needed.

type NssByName = 'getpwnam_r' | 'getgrnam_r'
type NssById = 'getpwuid_r' | 'getgrgid_r'
type NssEnt = 'getpwent_r' | 'getgrent_r'

function callInt(funcName: string, paramsType: FieldType[], paramsValue: unknown[]): number {
  const {ffi} = loadNative()
  return ffi.load({library: LIB, funcName, retType: ffi.DataType.I32, paramsType, paramsValue, freeResultMemory: false}) as number
}

/** getpwnam_r / getgrnam_r (same shape: struct group and struct passwd are both caller buffers). */
export function nssByName(fn: NssByName, name: string, ent: Buffer, buf: Buffer, result: Buffer): number {
  return callInt(fn, loadNative().sig.getpwnam_r, [name, ent, buf, buf.length, result])
}

export function nssById(fn: NssById, id: number, ent: Buffer, buf: Buffer, result: Buffer): number {
  return callInt(fn, loadNative().sig.getpwuid_r, [id >>> 0, ent, buf, buf.length, result])
}

export function nssEnt(fn: NssEnt, ent: Buffer, buf: Buffer, result: Buffer): number {
  return callInt(fn, loadNative().sig.getpwent_r, [ent, buf, buf.length, result])
}

/** setpwent/endpwent/setgrent/endgrent: void(void). */
export function nssRewind(fn: 'setpwent' | 'endpwent' | 'setgrent' | 'endgrent'): void {
  const {ffi, sig} = loadNative()
  ffi.load({library: LIB, funcName: fn, retType: ffi.DataType.Void, paramsType: sig.none, paramsValue: [], freeResultMemory: false})
}

/**
 * ioctl(fd, request, arg) with `arg` a caller buffer the kernel reads or fills. Called once per
 * inode by the project-id scan, so the common case skips ffi-rs's errno capture (measured: it
 * adds ~5 us per call, half the call's cost); a failed call is repeated once with errno captured,
 * which is harmless for the read-only requests this is used for (FS_IOC_FSGETXATTR).
 */
export function ioctl(fd: number, request: number, arg: Buffer): SysResult {
  const {ffi, sig} = loadNative()
  const base = {library: LIB, funcName: 'ioctl', retType: ffi.DataType.I32, paramsType: sig.ioctl, paramsValue: [fd | 0, request | 0, arg], freeResultMemory: false}
  const value = ffi.load(base) as number
  if (value >= 0) return {value, errno: 0}
  return checked(ffi.load({...base, errno: true}) as unknown as ErrnoResult)
}

/** mount(2). `data` '' is the same as NULL for the kernel's option parser (an empty option list). */
export function mount(source: string, target: string, fstype: string, flags: number, data: string): SysResult {
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
