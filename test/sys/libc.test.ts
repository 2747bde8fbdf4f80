// The native boundary: lazy loading, engine choice, and both engines (koffi, ffi-rs) answering the
// same calls the same way, with what a call costs through each (printed, so the figures in the
// report can be re-measured with `npx vitest run --project unit test/sys/libc`).
import {closeSync, constants as fsc, openSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {QCMD, Q_GETQUOTA, Q_XGETQSTATV, O_PATH, USRQUOTA} from '../../src/sys/constants.js'
import {ffiRsEngine} from '../../src/sys/ffi-rs-engine.js'
import {koffiEngine} from '../../src/sys/koffi-engine.js'
import type {LibcEngine} from '../../src/sys/libc-engine.js'

describe('lazy loading', () => {
  it('importing every src/sys module loads no native code', async () => {
    const libc = await import('../../src/sys/libc.js')
    await Promise.all([
      import('../../src/sys/constants.js'),
      import('../../src/sys/structs.js'),
      import('../../src/sys/errno.js'),
      import('../../src/sys/mounts.js'),
      import('../../src/sys/quotactl.js'),
      import('../../src/sys/discovery.js'),
      import('../../src/sys/nss.js'),
      import('../../src/sys/linux-backend.js'),
      import('../../src/names.js'),
    ])
    expect(libc.nativeLoaded()).toBe(false)
    libc.ensureNative()
    expect(libc.nativeLoaded()).toBe(true)
  })
})

describe('engine choice (QUOTAKIT_FFI)', () => {
  afterEach(() => {
    delete process.env.QUOTAKIT_FFI
    vi.resetModules()
  })

  async function freshLibc(env: string | undefined) {
    vi.resetModules()
    if (env === undefined) delete process.env.QUOTAKIT_FFI
    else process.env.QUOTAKIT_FFI = env
    return import('../../src/sys/libc.js')
  }

  it('defaults to koffi', async () => {
    expect((await freshLibc(undefined)).engineName()).toBe('koffi')
  })

  it('honours ffi-rs and koffi', async () => {
    expect((await freshLibc('ffi-rs')).engineName()).toBe('ffi-rs')
    expect((await freshLibc('koffi')).engineName()).toBe('koffi')
  })

  it('rejects an unknown engine as a configuration error naming it', async () => {
    const libc = await freshLibc('node-ffi')
    expect(() => libc.ensureNative()).toThrowError(/QUOTAKIT_FFI=node-ffi: unknown FFI engine/)
    try {
      libc.ensureNative()
    } catch (e) {
      expect((e as {kind: string}).kind).toBe('config')
    }
  })
})

// A block device of this machine that is not mounted (ENODEV), if there is one.
function unmountedBlockDevice(mounted: Set<string>): string | undefined {
  return readdirSync('/dev')
    .map((n) => `/dev/${n}`)
    .find((p) => {
      try {
        const st = statSync(p)
        return st.isBlockDevice() && !mounted.has(`${st.rdev >> 8}:${st.rdev & 0xff}`)
      } catch {
        return false
      }
    })
}

describe.each([koffiEngine, ffiRsEngine])('engine $name', (engine: LibcEngine) => {
  it('loads', () => {
    expect(() => engine.load()).not.toThrow()
  })

  it('quotactl reports errno only on failure, repeatable or not', () => {
    const cmd = QCMD(Q_GETQUOTA, USRQUOTA)
    for (const repeatable of [false, true]) {
      for (const buf of [Buffer.alloc(72), engine.pinned(72)]) {
        expect(engine.quotactl(cmd, '/dev/vda', 0, buf, repeatable)).toEqual({value: -1, errno: 3}) // ESRCH
        expect(engine.quotactl(cmd, '/dev/null', 0, buf, repeatable)).toEqual({value: -1, errno: 15}) // ENOTBLK
        expect(engine.quotactl(cmd, '/nonexistent/dev', 0, buf, repeatable)).toEqual({value: -1, errno: 2}) // ENOENT
        expect(engine.quotactl(QCMD(Q_GETQUOTA, 3), '/dev/vda', 0, buf, repeatable)).toEqual({value: -1, errno: 22}) // type >= MAXQUOTAS
      }
    }
  })

  it('a block device that is not mounted gives ENODEV', async () => {
    const mounted = new Set((await import('../../src/sys/mounts.js')).readMountinfo().map((m) => `${m.devMajor}:${m.devMinor}`))
    const spare = unmountedBlockDevice(mounted)
    expect(spare, 'this machine has an unmounted block device (/dev/vdb... or a loop device)').toBeDefined()
    expect(engine.quotactl(QCMD(Q_GETQUOTA, USRQUOTA), spare!, 0, Buffer.alloc(72), true).errno).toBe(19)
  })

  it('quotactl_fd through syscall(443)', () => {
    const fd = openSync('/dev/shm', O_PATH | fsc.O_DIRECTORY)
    try {
      const st = engine.pinned(160)
      st[0] = 1
      expect(engine.quotactlFd(fd, QCMD(Q_XGETQSTATV, 0), 0, st, true)).toEqual({value: -1, errno: 38}) // tmpfs without quota: ENOSYS
      expect(engine.quotactlFd(fd, QCMD(Q_GETQUOTA, USRQUOTA), 0, Buffer.alloc(72), false).errno).toBe(38)
      expect(engine.quotactlFd(9999, QCMD(Q_GETQUOTA, USRQUOTA), 0, Buffer.alloc(72), false).errno).toBe(9) // EBADF
    } finally {
      closeSync(fd)
    }
  })

  it('getpwuid_r fills the caller buffer: result points at the struct, pw_name into the string area', () => {
    const mem = Buffer.alloc(4096)
    const result = Buffer.alloc(8)
    expect(engine.nssById('getpwuid_r', 0, mem.subarray(0, 64), mem.subarray(64), result)).toBe(0)
    const base = result.readBigUInt64LE(0)
    expect(base).not.toBe(0n)
    const nameOffset = Number(mem.readBigUInt64LE(0) - base)
    expect(nameOffset).toBeGreaterThanOrEqual(64)
    expect(mem.toString('utf8', nameOffset, mem.indexOf(0, nameOffset))).toBe('root')
    expect(mem.readUInt32LE(16)).toBe(0) // pw_uid
    // not found: 0 with a NULL result
    result.fill(0xff)
    expect(engine.nssByName('getpwnam_r', 'no-such-user-quotakit', mem.subarray(0, 64), mem.subarray(64), result)).toBe(0)
    expect(result.readBigUInt64LE(0)).toBe(0n)
  })

  it('ioctl and mount report errno', () => {
    const file = join(tmpdir(), `quotakit-ioctl-${process.pid}`)
    writeFileSync(file, '')
    const fd = openSync(file, 'r')
    try {
      expect(engine.ioctl(9999, 0x801c581f, Buffer.alloc(28))).toEqual({value: -1, errno: 9}) // EBADF
      const r = engine.ioctl(fd, 0x801c581f, Buffer.alloc(28))
      // 0, or ENOTTY/EOPNOTSUPP depending on the filesystem holding the temp dir
      if (r.value === 0) expect(r.errno).toBe(0)
      else expect([25, 95]).toContain(r.errno)
    } finally {
      closeSync(fd)
    }
    expect(engine.mount('none', '/nonexistent/quotakit', 'tmpfs', 0, '')).toEqual({value: -1, errno: 2}) // ENOENT
  })

  it('syncfs succeeds on an open file and reports EBADF for a closed descriptor', () => {
    const fd = openSync(tmpdir(), 'r')
    try {
      expect(engine.syncfs(fd)).toEqual({value: 0, errno: 0})
    } finally {
      closeSync(fd)
    }
    expect(engine.syncfs(9999)).toEqual({value: -1, errno: 9})
  })
})

describe('per-call cost by engine (informational, loose bound)', () => {
  function perCall(n: number, fn: () => unknown): number {
    for (let i = 0; i < 200; i++) fn()
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn()
    return Number(process.hrtime.bigint() - t) / n / 1000
  }

  it.each([koffiEngine, ffiRsEngine])('$name', (engine: LibcEngine) => {
    const cmd = QCMD(Q_GETQUOTA, USRQUOTA)
    const fd = openSync('/dev/shm', O_PATH | fsc.O_DIRECTORY)
    const buf = engine.pinned(72)
    const mem = Buffer.alloc(4096)
    const result = Buffer.alloc(8)
    const r = {
      'quotactl (fails, ESRCH)': perCall(5000, () => engine.quotactl(cmd, '/dev/vda', 0, buf, true)),
      'quotactl_fd (fails, ENOSYS)': perCall(5000, () => engine.quotactlFd(fd, cmd, 0, buf, true)),
      'getpwuid_r(0)': perCall(5000, () => engine.nssById('getpwuid_r', 0, mem.subarray(0, 64), mem.subarray(64), result)),
    }
    closeSync(fd)
    for (const [k, v] of Object.entries(r)) console.log(`per call (${engine.name}): ${k.padEnd(28)} ${v.toFixed(2)} us`)
    for (const v of Object.values(r)) expect(v).toBeLessThan(500)
  })
})
