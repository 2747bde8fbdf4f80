// The native boundary: every libc call quotakit makes goes through here, to one of two FFI engines.
//   koffi  (default)  ~10x cheaper per call, which per-id loops over 100k ids need (koffi-engine.ts)
//   ffi-rs            the project's original engine, kept selectable and tested (ffi-rs-engine.ts)
// QUOTAKIT_FFI=koffi|ffi-rs picks one; unset, koffi is tried first and ffi-rs is the fallback when
// koffi's prebuilt module cannot load on this platform. The engine is loaded on first use, never at
// import time, so `--help`, the unit tests and every module that merely imports src/sys stay native-free.

import {QuotaError} from '../errors.js'
import {ffiRsEngine} from './ffi-rs-engine.js'
import {koffiEngine} from './koffi-engine.js'
import type {LibcEngine, NssByName, NssById, NssEnt, NssRewind, SysResult} from './libc-engine.js'

export type {SysResult} from './libc-engine.js'

const ENGINES: Record<LibcEngine['name'], LibcEngine> = {koffi: koffiEngine, 'ffi-rs': ffiRsEngine}

let engine: LibcEngine | undefined

function selectEngine(): LibcEngine {
  if (engine) return engine
  const asked = process.env.QUOTAKIT_FFI || undefined
  if (asked !== undefined && !(asked in ENGINES)) {
    throw new QuotaError('config', `QUOTAKIT_FFI=${asked}: unknown FFI engine`, {hint: 'use koffi or ffi-rs, or unset it'})
  }
  const order = asked ? [ENGINES[asked as LibcEngine['name']]] : [koffiEngine, ffiRsEngine]
  const failures: string[] = []
  for (const candidate of order) {
    try {
      candidate.load()
      engine = candidate
      return engine
    } catch (cause) {
      failures.push(`${candidate.name}: ${(cause as Error)?.message ?? cause}`)
    }
  }
  throw new QuotaError('unsupported', `cannot load an FFI module for ${process.platform}-${process.arch} (${failures.join('; ')})`, {
    hint: 'reinstall quotakit so npm fetches the prebuilt koffi (or @yuuang/ffi-rs) package for this platform',
  })
}

/** For tests: whether anything has forced a native module in yet. */
export function nativeLoaded(): boolean {
  return engine !== undefined
}

/** Load now (e.g. to report a broken install before doing work); throws QuotaError on failure. */
export function ensureNative(): void {
  selectEngine()
}

/** The engine in use ('koffi' or 'ffi-rs'), loading it if needed. */
export function engineName(): LibcEngine['name'] {
  return selectEngine().name
}

/** A zeroed Buffer for repeated calls (pinned native memory under ffi-rs; a plain Buffer under koffi). */
export function pinned(size: number): Buffer {
  return selectEngine().pinned(size)
}

/**
 * quotactl(2). `repeatable`: a second call would leave things as the first did (reads, sets of
 * absolute values), so an engine may repeat a failed call to learn its errno (ffi-rs does, to skip
 * its costly errno capture on the calls that succeed); false (the default) for quotaon/quotaoff.
 */
export function quotactl(cmd: number, special: string, id: number, addr: Buffer, repeatable = false): SysResult {
  return selectEngine().quotactl(cmd, special, id, addr, repeatable)
}

/** quotactl_fd(2) through syscall(2); `repeatable` as for quotactl(). */
export function quotactlFd(fd: number, cmd: number, id: number, addr: Buffer, repeatable = false): SysResult {
  return selectEngine().quotactlFd(fd, cmd, id, addr, repeatable)
}

// The reentrant NSS calls return an error number (0, ERANGE, ...) rather than setting errno, and
// signal "not found" with a NULL *res: no errno capture needed.

/** getpwnam_r / getgrnam_r (same shape: struct group and struct passwd are both caller buffers). */
export function nssByName(fn: NssByName, name: string, ent: Buffer, buf: Buffer, result: Buffer): number {
  return selectEngine().nssByName(fn, name, ent, buf, result)
}

export function nssById(fn: NssById, id: number, ent: Buffer, buf: Buffer, result: Buffer): number {
  return selectEngine().nssById(fn, id, ent, buf, result)
}

export function nssEnt(fn: NssEnt, ent: Buffer, buf: Buffer, result: Buffer): number {
  return selectEngine().nssEnt(fn, ent, buf, result)
}

/** setpwent/endpwent/setgrent/endgrent: void(void). */
export function nssRewind(fn: NssRewind): void {
  selectEngine().nssRewind(fn)
}

/** ioctl(fd, request, arg) with `arg` a caller buffer the kernel reads or fills (FS_IOC_FSGETXATTR). */
export function ioctl(fd: number, request: number, arg: Buffer): SysResult {
  return selectEngine().ioctl(fd, request, arg)
}

/** mount(2). `data` '' is the same as NULL for the kernel's option parser (an empty option list). */
export function mount(source: string, target: string, fstype: string, flags: number, data: string): SysResult {
  return selectEngine().mount(source, target, fstype, flags, data)
}

/** syncfs(2): write out everything of the filesystem that holds `fd`. */
export function syncfs(fd: number): SysResult {
  return selectEngine().syncfs(fd)
}
