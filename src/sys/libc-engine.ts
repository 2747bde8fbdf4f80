// What src/sys/libc.ts needs from an FFI library: the handful of libc calls quotakit makes. Two
// engines implement it (koffi-engine.ts, ffi-rs-engine.ts) so they can be swapped and compared;
// nothing outside src/sys/libc.ts picks one.

/** A syscall's result: errno is only meaningful when value < 0. */
export interface SysResult {
  value: number
  errno: number
}

export type NssByName = 'getpwnam_r' | 'getgrnam_r'
export type NssById = 'getpwuid_r' | 'getgrgid_r'
export type NssEnt = 'getpwent_r' | 'getgrent_r'
export type NssRewind = 'setpwent' | 'endpwent' | 'setgrent' | 'endgrent'

export interface LibcEngine {
  readonly name: 'koffi' | 'ffi-rs'
  /** Loads the native module; throws (any error) when it cannot. */
  load(): void
  /** A zeroed Buffer meant for repeated calls (the engine may back it with memory it can pass cheaply). */
  pinned(size: number): Buffer
  /** `repeatable`: a second identical call would leave things as the first did (see libc.ts). */
  quotactl(cmd: number, special: string, id: number, addr: Buffer, repeatable: boolean): SysResult
  quotactlFd(fd: number, cmd: number, id: number, addr: Buffer, repeatable: boolean): SysResult
  /** The reentrant NSS calls return an error number (0 when found or not found; ERANGE: buffer too small). */
  nssByName(fn: NssByName, name: string, ent: Buffer, buf: Buffer, result: Buffer): number
  nssById(fn: NssById, id: number, ent: Buffer, buf: Buffer, result: Buffer): number
  nssEnt(fn: NssEnt, ent: Buffer, buf: Buffer, result: Buffer): number
  nssRewind(fn: NssRewind): void
  ioctl(fd: number, request: number, arg: Buffer): SysResult
  mount(source: string, target: string, fstype: string, flags: number, data: string): SysResult
  syncfs(fd: number): SysResult
}
