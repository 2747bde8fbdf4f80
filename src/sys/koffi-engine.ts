// The koffi engine of src/sys/libc.ts, the default: the only importer of koffi, loaded on first use.
//
// Why koffi next to ffi-rs: a quotactl costs ~0.3-1.5 us through koffi against ~10-15 us through
// ffi-rs on the dev VM (ecosystem.md section 3; test/sys/libc.test.ts prints both), and repquota or
// setquota -b over 100k ids make one or two calls per id: under the lab's TCG that was ~200 us per
// id with ffi-rs, more than linuxquota's whole per-id cost.
//
// Buffers passed to `void *` parameters go to C as pointers to their own memory (subarray offsets
// honoured, no copy), so the kernel's writes land in the caller's Buffer and nss.ts's pointer
// arithmetic between two subarrays of one Buffer holds. koffi.errno() reads the errno the last call
// left; it is only trusted when the call returned -1.

import {createRequire} from 'node:module'

import type * as Koffi from 'koffi'

import {SYS_quotactl_fd} from './constants.js'
import type {LibcEngine, NssByName, NssById, NssEnt, NssRewind, SysResult} from './libc-engine.js'

type Fn = ReturnType<Koffi.LibraryHandle['func']>

interface Native {
  koffi: typeof Koffi
  quotactl: Fn
  syscall4: Fn
  ioctl: Fn
  mount: Fn
  syncfs: Fn
  nss: Record<NssByName | NssById | NssEnt | NssRewind, Fn>
}

let native: Native | undefined

/**
 * koffi's native module, straight from its prebuilt package when that is there: koffi's own
 * loader reads the node binary's ELF headers twice to tell glibc from musl and wraps a few
 * deprecated names, ~5 ms of a `quotakit filesystems` start (bench/startup.ts) against ~1.5 ms
 * for the module itself (whose API, load/func/errno, is all this engine uses). A module that
 * fails to load (musl, no prebuilt package for this platform) falls back to require('koffi').
 */
function requireKoffi(): typeof Koffi {
  const require = createRequire(import.meta.url)
  try {
    const prebuilt = `@koromix/koffi-${process.platform}-${process.arch}/${process.platform}_${process.arch}/koffi.node`
    const direct = require(prebuilt) as typeof Koffi
    if (typeof direct.load === 'function' && typeof direct.errno === 'function') return direct
  } catch {
    // not a glibc build, or no prebuilt package: koffi's loader finds what fits
  }
  return require('koffi') as typeof Koffi
}

function loadNative(): Native {
  if (native) return native
  const koffi = requireKoffi()
  // null opens the running program's handle, which resolves every libc symbol (glibc and musl).
  const lib = koffi.load(null)
  native = {
    koffi,
    quotactl: lib.func('int quotactl(int cmd, const char *special, int id, void *addr)'),
    // quotactl_fd has no libc wrapper. syscall(2) is variadic, but declaring the integer arguments
    // fixed passes them in the same registers on the LP64 ABIs we support (as the ffi-rs engine does).
    syscall4: lib.func('long syscall(long nr, long fd, long cmd, long id, void *addr)'),
    // ioctl(2) is variadic too; the kernel reads request as 32 bits
    ioctl: lib.func('int ioctl(int fd, unsigned long request, void *arg)'),
    mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
    syncfs: lib.func('int syncfs(int fd)'),
    nss: {
      getpwnam_r: lib.func('int getpwnam_r(const char *name, void *ent, void *buf, size_t len, void *result)'),
      getgrnam_r: lib.func('int getgrnam_r(const char *name, void *ent, void *buf, size_t len, void *result)'),
      getpwuid_r: lib.func('int getpwuid_r(uint32_t id, void *ent, void *buf, size_t len, void *result)'),
      getgrgid_r: lib.func('int getgrgid_r(uint32_t id, void *ent, void *buf, size_t len, void *result)'),
      getpwent_r: lib.func('int getpwent_r(void *ent, void *buf, size_t len, void *result)'),
      getgrent_r: lib.func('int getgrent_r(void *ent, void *buf, size_t len, void *result)'),
      setpwent: lib.func('void setpwent()'),
      endpwent: lib.func('void endpwent()'),
      setgrent: lib.func('void setgrent()'),
      endgrent: lib.func('void endgrent()'),
    },
  }
  return native
}

function result(value: number): SysResult {
  return {value, errno: value < 0 ? native!.koffi.errno() : 0}
}

export const koffiEngine: LibcEngine = {
  name: 'koffi',
  load: () => void loadNative(),
  // koffi passes any Buffer by pointer at no extra cost: nothing to pin.
  pinned: (size) => Buffer.alloc(size),
  quotactl: (cmd, special, id, addr) => result(loadNative().quotactl(cmd | 0, special, id | 0, addr) as number),
  quotactlFd: (fd, cmd, id, addr) =>
    // the kernel reads fd/cmd/id as 32-bit: sign extension of the negative VFS cmd is harmless
    result(Number(loadNative().syscall4(SYS_quotactl_fd, fd, cmd | 0, id >>> 0, addr))),
  nssByName: (fn, name, ent, buf, res) => loadNative().nss[fn](name, ent, buf, buf.length, res) as number,
  nssById: (fn, id, ent, buf, res) => loadNative().nss[fn](id >>> 0, ent, buf, buf.length, res) as number,
  nssEnt: (fn, ent, buf, res) => loadNative().nss[fn](ent, buf, buf.length, res) as number,
  nssRewind: (fn) => void loadNative().nss[fn](),
  ioctl: (fd, request, arg) => result(loadNative().ioctl(fd | 0, request >>> 0, arg) as number),
  mount: (source, target, fstype, flags, data) => result(loadNative().mount(source, target, fstype, flags, data) as number),
  syncfs: (fd) => result(loadNative().syncfs(fd | 0) as number),
}
