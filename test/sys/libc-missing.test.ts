// A broken install (no prebuilt koffi nor ffi-rs binary for this platform) must fail loudly and typed.
import {describe, expect, it, vi} from 'vitest'

import {QuotaError} from '../../src/errors.js'

vi.mock('node:module', () => ({
  createRequire: () => () => {
    throw new Error('Cannot find module (prebuilt binary missing)')
  },
}))

describe('native module missing', () => {
  it('throws QuotaError(unsupported) naming the platform and the cause', async () => {
    const libc = await import('../../src/sys/libc.js')
    let err: unknown
    try {
      libc.ensureNative()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(QuotaError)
    const q = err as QuotaError
    expect(q.kind).toBe('unsupported')
    expect(q.message).toContain(`${process.platform}-${process.arch}`)
    expect(q.message).toContain('koffi: Cannot find module (prebuilt binary missing)')
    expect(q.message).toContain('ffi-rs: Cannot find module (prebuilt binary missing)')
    expect(q.hint).toMatch(/reinstall/)
    expect(libc.nativeLoaded()).toBe(false)
  })

  it('discovery does not turn it into "no quota anywhere"', async () => {
    const {discover} = await import('../../src/sys/discovery.js')
    const {parseMountinfo} = await import('../../src/sys/mounts.js')
    const mounts = parseMountinfo('27 1 254:0 / / rw - ext4 /dev/vda rw\n')
    expect(() => discover(mounts)).toThrowError(QuotaError)
    expect(discover(parseMountinfo('22 27 0:21 / /proc rw - proc proc rw\n'))[0].quotas).toEqual({}) // nothing to probe: no load
  })
})
