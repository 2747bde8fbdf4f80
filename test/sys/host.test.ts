// The real kernel on this host: CONFIG_QUOTA but no QFMT_V2 and no quota-enabled mount, so every
// filesystem must come back with empty `quotas`, and a quotactl must fail with a typed error.
import {describe, expect, it} from 'vitest'

import type {Filesystem} from '../../src/core/types.js'
import {QuotaError} from '../../src/errors.js'
import {discover, mayHaveQuota} from '../../src/sys/discovery.js'
import {LinuxBackend} from '../../src/sys/linux-backend.js'
import {readMountinfo} from '../../src/sys/mounts.js'
import {addressing, closeHandles, qGetNextRecord, qGetQuota, qXGetQStatV, perIdAddressing} from '../../src/sys/quotactl.js'

const backend = new LinuxBackend()

function caught(fn: () => unknown): QuotaError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(QuotaError)
    return e as QuotaError
  }
  throw new Error('expected a QuotaError')
}

describe('discovery on this host', () => {
  it('takes < 300 ms for the whole host, native module load included', () => {
    const t0 = performance.now()
    discover()
    const first = performance.now() - t0
    const t1 = performance.now()
    for (let i = 0; i < 10; i++) discover()
    const warm = (performance.now() - t1) / 10
    console.log(`discovery: first ${first.toFixed(1)} ms, warm ${warm.toFixed(2)} ms, ${readMountinfo().length} mounts`)
    expect(first).toBeLessThan(300)
    expect(warm).toBeLessThan(300)
  })

  it('lists the mounts, none with quota, without throwing', () => {
    const all = backend.filesystems()
    expect(all.some((f) => f.mountpoint === '/')).toBe(true)
    for (const f of all) {
      expect(f.quotas).toEqual({})
      expect(f.fstype).not.toBe('')
    }
    const root = all.find((f) => f.mountpoint === '/')!
    expect(root.device).toMatch(/^\/dev\//)
    expect(root.options.length).toBeGreaterThan(0)
  })

  it('lists each mountpoint once (overmounts hidden)', () => {
    const points = backend.filesystems().map((f) => f.mountpoint)
    expect(new Set(points).size).toBe(points.length)
  })

  it('only probes filesystems that can have quota', () => {
    expect(mayHaveQuota('proc', ['rw'])).toBe(false)
    expect(mayHaveQuota('cgroup2', ['rw'])).toBe(false)
    expect(mayHaveQuota('tmpfs', ['rw', 'size=1k'])).toBe(false)
    expect(mayHaveQuota('tmpfs', ['rw', 'usrquota'])).toBe(true)
    expect(mayHaveQuota('tmpfs', ['rw', 'quota'])).toBe(true)
    expect(mayHaveQuota('nfs4', ['rw', 'noquota'])).toBe(false)
    expect(mayHaveQuota('ext4', ['rw'])).toBe(true)
    expect(mayHaveQuota('xfs', ['rw', 'noquota'])).toBe(true)
  })
})

describe('quotactl on this host', () => {
  const root = () => backend.filesystems().find((f) => f.mountpoint === '/')!

  it("addresses '/' by its block device", () => {
    expect(addressing(root())).toBe('device')
  })

  it("reads '/' per id through quotactl_fd (this kernel has it), with the same errors", () => {
    expect(perIdAddressing(root())).toBe('fd')
    expect(addressing(root())).toBe('device') // everything but the per-id calls
    expect(caught(() => qGetNextRecord(root(), 'user', 0)).errno).toBe('ESRCH')
    closeHandles()
  })

  it('addresses a device-less mount (tmpfs /dev/shm) with quotactl_fd', () => {
    const shm = readMountinfo().find((m) => m.mountpoint === '/dev/shm')
    if (!shm) return
    const fs = {mountpoint: shm.mountpoint, device: shm.source, devMajor: shm.devMajor, devMinor: shm.devMinor}
    expect(addressing(fs)).toBe('fd')
    const e = caught(() => qXGetQStatV(fs))
    expect(e.errno).toBe('ENOSYS')
    expect(e.kind).toBe('unsupported')
    closeHandles()
  })

  it("Q_GETQUOTA on '/' is a typed error: quota is off (ESRCH)", () => {
    const e = caught(() => qGetQuota(root(), 'user', 0))
    expect(e.errno).toBe('ESRCH')
    expect(e.kind).toBe('unsupported')
    expect(e.exitCode).toBe(69)
    expect(e.mount).toBe('/')
    expect(e.line).toBe('/: user quota is not on (ESRCH)')
  })

  it('the backend surfaces the same errors', () => {
    const fs = root()
    expect(caught(() => backend.getQuota(fs, 'group', 0)).errno).toBe('ESRCH')
    expect(caught(() => backend.getInfo(fs, 'user')).errno).toBe('ESRCH')
    expect(caught(() => [...backend.iterate(fs, 'user')]).errno).toBe('ESRCH')
    expect(caught(() => backend.quotaOn(fs, 'user', 'vfsv1')).errno).toMatch(/^(ENOENT|ESRCH|EINVAL)$/)
  })

  it('a mount source that is not its own block device is addressed by fd', () => {
    const fake: Filesystem = {mountpoint: '/', device: '/dev/null', fstype: 'ext4', devMajor: 254, devMinor: 0, options: [], quotas: {}}
    expect(addressing(fake)).toBe('fd') // /dev/null is a char device
    expect(caught(() => qGetQuota(fake, 'user', 0)).errno).toBe('ESRCH') // same superblock, reached via the fd
    const wrongDev: Filesystem = {...fake, device: root().device, devMinor: 99}
    expect(addressing(wrongDev)).toBe('fd') // a block device, but not the one mounted here
    expect(addressing(root())).toBe('device')
    closeHandles()
  })

  it('refuses ids outside qid_t before calling the kernel', () => {
    const e = caught(() => qGetQuota(root(), 'user', 0xffffffff))
    expect(e.kind).toBe('usage')
    expect(caught(() => qGetQuota(root(), 'user', -1)).kind).toBe('usage')
  })
})
