// Pinned memory (the ffi-rs engine's pinned()): Buffers over native memory passed to C by address,
// its per-id fast path of quotactl. The kernel must see exactly what the U8Array path shows it, errno included.
import {closeSync, constants as fsc, openSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {O_PATH, QCMD, Q_GETQUOTA, Q_XGETQSTATV, USRQUOTA} from '../../src/sys/constants.js'
import {ffiRsEngine} from '../../src/sys/ffi-rs-engine.js'

const {pinned} = ffiRsEngine
const quotactl = (cmd: number, special: string, id: number, addr: Buffer, repeatable = false) => ffiRsEngine.quotactl(cmd, special, id, addr, repeatable)
const quotactlFd = (fd: number, cmd: number, id: number, addr: Buffer, repeatable = false) => ffiRsEngine.quotactlFd(fd, cmd, id, addr, repeatable)

describe('ffi-rs pinned()', () => {
  it('is a zeroed Buffer of the size asked for, writable from JS', async () => {
    const buf = pinned(72)
    expect(buf.length).toBe(72)
    expect(buf.every((b) => b === 0)).toBe(true)
    buf.writeUInt32LE(0xdeadbeef, 4)
    expect(buf.readUInt32LE(4)).toBe(0xdeadbeef)
  })

  it('quotactl through pinned memory fails as the U8Array path does (errno from the repeat)', async () => {
    const cmd = QCMD(Q_GETQUOTA, USRQUOTA)
    for (const repeatable of [true, false]) {
      const buf = pinned(72)
      const plain = Buffer.alloc(72)
      for (const special of ['/dev/vda', '/dev/null', '/nonexistent/dev']) {
        expect(quotactl(cmd, special, 0, buf, repeatable), special).toEqual(quotactl(cmd, special, 0, plain))
      }
      expect(quotactl(QCMD(Q_GETQUOTA, 3), '/dev/vda', 0, buf, repeatable)).toEqual({value: -1, errno: 22})
    }
  })

  it('quotactl_fd through pinned memory: the kernel reads the buffer (Q_XGETQSTATV version)', async () => {
    const fd = openSync('/dev/shm', O_PATH | fsc.O_DIRECTORY)
    try {
      const st = pinned(160)
      st[0] = 1
      expect(quotactlFd(fd, QCMD(Q_XGETQSTATV, 0), 0, st, true)).toEqual({value: -1, errno: 38})
      expect(quotactlFd(9999, QCMD(Q_GETQUOTA, USRQUOTA), 0, pinned(72), true).errno).toBe(9)
    } finally {
      closeSync(fd)
    }
  })

  it('costs less per call than the U8Array path (informational, loose bound)', async () => {
    const cmd = QCMD(Q_GETQUOTA, 3) // EINVAL before any device lookup: mostly ffi cost
    const perCall = (buf: Buffer, repeatable: boolean) => {
      for (let i = 0; i < 200; i++) quotactl(cmd, '/dev/vda', 0, buf, repeatable)
      const t = process.hrtime.bigint()
      for (let i = 0; i < 3000; i++) quotactl(cmd, '/dev/vda', 0, buf, repeatable)
      return Number(process.hrtime.bigint() - t) / 3000 / 1000
    }
    const plain = perCall(Buffer.alloc(72), false)
    const fast = perCall(pinned(72), false)
    console.log(`per call: quotactl U8Array+String ${plain.toFixed(2)} us, pinned ${fast.toFixed(2)} us (failing calls capture errno)`)
    expect(fast).toBeLessThan(500)
  })
})
