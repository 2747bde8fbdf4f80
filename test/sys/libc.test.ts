// The native boundary: lazy loading, errno handling, and what a call costs (printed, so the
// numbers in the report can be re-measured with `npx vitest run --project unit test/sys/libc`).
import {openSync, closeSync, constants as fsc, readdirSync, statSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {QCMD, Q_GETQUOTA, Q_XGETQSTATV, O_PATH, USRQUOTA} from '../../src/sys/constants.js'

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

describe('raw calls', () => {
  it('quotactl reports errno only on failure', async () => {
    const {quotactl} = await import('../../src/sys/libc.js')
    const buf = Buffer.alloc(72)
    expect(quotactl(QCMD(Q_GETQUOTA, USRQUOTA), '/dev/vda', 0, buf)).toEqual({value: -1, errno: 3}) // ESRCH
    expect(quotactl(QCMD(Q_GETQUOTA, USRQUOTA), '/dev/null', 0, buf)).toEqual({value: -1, errno: 15}) // ENOTBLK
    expect(quotactl(QCMD(Q_GETQUOTA, USRQUOTA), '/nonexistent/dev', 0, buf)).toEqual({value: -1, errno: 2}) // ENOENT
    expect(quotactl(QCMD(Q_GETQUOTA, 3), '/dev/vda', 0, buf)).toEqual({value: -1, errno: 22}) // type >= MAXQUOTAS
  })

  it('a block device that is not mounted gives ENODEV', async () => {
    const {quotactl} = await import('../../src/sys/libc.js')
    const mounted = new Set((await import('../../src/sys/mounts.js')).readMountinfo().map((m) => `${m.devMajor}:${m.devMinor}`))
    const spare = readdirSync('/dev')
      .map((n) => `/dev/${n}`)
      .find((p) => {
        try {
          const st = statSync(p)
          return st.isBlockDevice() && !mounted.has(`${st.rdev >> 8}:${st.rdev & 0xff}`)
        } catch {
          return false
        }
      })
    if (!spare) return
    expect(quotactl(QCMD(Q_GETQUOTA, USRQUOTA), spare, 0, Buffer.alloc(72)).errno).toBe(19)
  })

  it('quotactl_fd through syscall(443)', async () => {
    const {quotactlFd} = await import('../../src/sys/libc.js')
    const fd = openSync('/dev/shm', O_PATH | fsc.O_DIRECTORY)
    try {
      const st = Buffer.alloc(160)
      st[0] = 1
      expect(quotactlFd(fd, QCMD(Q_XGETQSTATV, 0), 0, st)).toEqual({value: -1, errno: 38}) // tmpfs without quota: ENOSYS
      expect(quotactlFd(fd, QCMD(Q_GETQUOTA, USRQUOTA), 0, Buffer.alloc(72)).errno).toBe(38)
      expect(quotactlFd(9999, QCMD(Q_GETQUOTA, USRQUOTA), 0, Buffer.alloc(72)).errno).toBe(9) // EBADF
    } finally {
      closeSync(fd)
    }
  })
})

describe('per-call cost (ffi-rs; informational, loose bound)', () => {
  function perCall(n: number, fn: () => unknown): number {
    for (let i = 0; i < 200; i++) fn()
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn()
    return Number(process.hrtime.bigint() - t) / n / 1000
  }

  it('measures', async () => {
    const libc = await import('../../src/sys/libc.js')
    const {qGetQuota} = await import('../../src/sys/quotactl.js')
    const {userById} = await import('../../src/sys/nss.js')
    const buf = Buffer.alloc(72)
    const cmd = QCMD(Q_GETQUOTA, USRQUOTA)
    const fd = openSync('/dev/shm', O_PATH | fsc.O_DIRECTORY)
    const root = {mountpoint: '/', device: '/dev/vda', devMajor: 254, devMinor: 0}
    const r = {
      'quotactl (fails, ESRCH)': perCall(5000, () => libc.quotactl(cmd, '/dev/vda', 0, buf)),
      'quotactl_fd (fails, ENOSYS)': perCall(5000, () => libc.quotactlFd(fd, cmd, 0, buf)),
      'qGetQuota wrapper incl. QuotaError': perCall(5000, () => {
        try {
          qGetQuota(root, 'user', 0)
        } catch {
          // expected: ESRCH
        }
      }),
      'getpwuid_r(0) + decode': perCall(5000, () => userById(0)),
    }
    closeSync(fd)
    for (const [k, v] of Object.entries(r)) console.log(`per call: ${k.padEnd(36)} ${v.toFixed(2)} us`)
    for (const v of Object.values(r)) expect(v).toBeLessThan(500)
  })
})
