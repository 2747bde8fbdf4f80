// Per-id calls go through quotactl_fd on device mounts too (src/sys/quotactl.ts), and fall back to
// the device path for good when the kernel has no quotactl_fd, and for one set on a read-only mount. The syscalls are faked here; the
// real kernel's side is in host.test.ts and the lab suites.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {readMountinfo} from '../../src/sys/mounts.js'

const ENOSYS = 38
const EROFS = 30
const calls: string[] = []
const answer = {fd: 0, path: 0} // errno per form; 0 = success

vi.mock('../../src/sys/libc.js', () => ({
  pinned: (size: number) => Buffer.alloc(size),
  quotactl: (_cmd: number, special: string) => {
    calls.push(`path ${special}`)
    return answer.path ? {value: -1, errno: answer.path} : {value: 0, errno: 0}
  },
  quotactlFd: (fd: number) => {
    calls.push(`fd ${fd >= 0 ? 'ok' : fd}`)
    return answer.fd ? {value: -1, errno: answer.fd} : {value: 0, errno: 0}
  },
}))

const rootMount = readMountinfo().find((m) => m.mountpoint === '/')!
const root = {mountpoint: '/', device: rootMount.source, devMajor: rootMount.devMajor, devMinor: rootMount.devMinor}
const dqblk = {dqb_bhardlimit: 0n, dqb_bsoftlimit: 0n, dqb_curspace: 0n, dqb_ihardlimit: 0n, dqb_isoftlimit: 0n, dqb_curinodes: 0n, dqb_btime: 0n, dqb_itime: 0n, dqb_valid: 0}

let q: typeof import('../../src/sys/quotactl.js')

/** A fresh quotactl.ts (no cached handles, quotactl_fd not yet turned down) for root's device. */
async function fresh() {
  vi.resetModules()
  q = await import('../../src/sys/quotactl.js')
  expect(q.addressing(root)).toBe('device') // as host.test.ts checks: / has its own block device here
  calls.length = 0
  return q
}

describe('quotactl addressing of per-id calls', () => {
  beforeEach(() => {
    answer.fd = 0
    answer.path = 0
  })
  afterEach(() => q.closeHandles())

  it('sends Q_GETQUOTA, Q_GETNEXTQUOTA and Q_SETQUOTA through the fd, everything else through the device path', async () => {
    await fresh()
    q.qGetQuota(root, 'user', 1)
    q.qGetNextRecord(root, 'user', 0)
    q.qSetQuota(root, 'user', 1, dqblk)
    q.qGetInfo(root, 'user')
    q.qSetInfo(root, 'user', {dqi_bgrace: 0n, dqi_igrace: 0n, dqi_flags: 0, dqi_valid: 0})
    expect(calls).toEqual(['fd ok', 'fd ok', 'fd ok', `path ${root.device}`, `path ${root.device}`])
  })

  it('repeats a set that a read-only mount refused (EROFS) through the device path, and keeps the fd', async () => {
    await fresh()
    answer.fd = EROFS
    q.qSetQuota(root, 'user', 1, dqblk) // the path form works: a read-only bind of a writable filesystem
    answer.path = EROFS
    expect(() => q.qSetQuota(root, 'user', 1, dqblk)).toThrow(expect.objectContaining({errno: 'EROFS'}))
    expect(() => q.qGetQuota(root, 'user', 1)).toThrow(expect.objectContaining({errno: 'EROFS'})) // reads are not repeated
    expect(calls).toEqual(['fd ok', `path ${root.device}`, 'fd ok', `path ${root.device}`, 'fd ok'])
    expect(q.perIdAddressing(root)).toBe('fd')
  })

  it('falls back to the device path for good when quotactl_fd is ENOSYS but the path form works', async () => {
    await fresh()
    answer.fd = ENOSYS
    q.qGetQuota(root, 'user', 1)
    q.qGetQuota(root, 'user', 2)
    expect(calls).toEqual(['fd ok', `path ${root.device}`, `path ${root.device}`])
    expect(q.perIdAddressing(root)).toBe('device')
  })

  it('keeps the fd when both forms say ENOSYS (no quota on the mount) and reports that error', async () => {
    await fresh()
    answer.fd = ENOSYS
    answer.path = ENOSYS
    expect(() => q.qGetQuota(root, 'user', 1)).toThrow(expect.objectContaining({errno: 'ENOSYS'}))
    calls.length = 0
    answer.fd = 0
    q.qGetQuota(root, 'user', 1)
    expect(calls).toEqual(['fd ok'])
  })
})
