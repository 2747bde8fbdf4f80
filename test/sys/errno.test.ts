import {describe, expect, it} from 'vitest'

import {QuotaError} from '../../src/errors.js'
import {errnoError, errnoName, errnoNumber, hasErrno} from '../../src/sys/errno.js'

describe('errno names', () => {
  it.each([
    [1, 'EPERM'], [2, 'ENOENT'], [3, 'ESRCH'], [13, 'EACCES'], [15, 'ENOTBLK'], [16, 'EBUSY'], [19, 'ENODEV'],
    [22, 'EINVAL'], [30, 'EROFS'], [34, 'ERANGE'], [38, 'ENOSYS'], [95, 'EOPNOTSUPP'], [9, 'EBADF'], [117, 'EUCLEAN'],
  ])('%i is %s', (n, name) => {
    expect(errnoName(n)).toBe(name)
    expect(errnoNumber(name)).toBe(n)
  })

  it('agrees with Node for every name both know', async () => {
    const {constants} = await import('node:os')
    for (const n of [1, 2, 3, 13, 16, 19, 22, 30, 34, 38, 95]) expect((constants.errno as Record<string, number>)[errnoName(n)]).toBe(n)
  })

  it('ENOTSUP is EOPNOTSUPP; unknown numbers stay visible', () => {
    expect(errnoNumber('ENOTSUP')).toBe(95)
    expect(errnoName(4242)).toBe('errno 4242')
  })
})

describe('errno -> QuotaError', () => {
  const ctx = {op: 'get' as const, mount: '/home', type: 'user' as const, id: 1000}

  it.each([
    ['EPERM', 1, 'permission', 77, /permission denied/],
    ['EACCES', 13, 'permission', 77, /permission denied/],
    ['ESRCH', 3, 'unsupported', 69, /user quota is not on/],
    ['ENOSYS', 38, 'unsupported', 69, /does not support quota/],
    ['ENOTBLK', 15, 'unsupported', 69, /does not support quota/],
    ['EOPNOTSUPP', 95, 'unsupported', 69, /does not support quota/],
    ['ERANGE', 34, 'data', 65, /maximum/],
    ['EINVAL', 22, 'failed', 1, /invalid argument/],
    ['ENOENT', 2, 'failed', 1, /no such device/],
    ['ENODEV', 19, 'failed', 1, /not mounted/],
    ['EBUSY', 16, 'failed', 1, /already on/],
    ['EROFS', 30, 'failed', 1, /read-only/],
    ['EIO', 5, 'failed', 1, /input\/output error/],
  ])('%s', (name, n, kind, exit, message) => {
    const e = errnoError(n, ctx)
    expect(e).toBeInstanceOf(QuotaError)
    expect(e.errno).toBe(name)
    expect(e.kind).toBe(kind)
    expect(e.exitCode).toBe(exit)
    expect(e.message).toMatch(message)
    expect(e.mount).toBe('/home')
    expect(e.line).toBe(`/home: ${e.message} (${name})`)
  })

  it('hints where the admin can act', () => {
    expect(errnoError(1, ctx).hint).toMatch(/root.*CAP_SYS_ADMIN/)
    expect(errnoError(3, ctx).hint).toMatch(/quotaon/)
  })

  it('quotaon gets its own wording', () => {
    const on = {...ctx, op: 'quotaon' as const}
    expect(errnoError(3, on).message).toMatch(/format not supported by the kernel/)
    expect(errnoError(2, on).message).toMatch(/quota file not found/)
    expect(errnoError(22, on).message).toMatch(/cannot turn quota on/)
    expect(errnoError(13, on).kind).toBe('permission')
  })

  it('names the type in ESRCH messages', () => {
    expect(errnoError(3, {op: 'info', type: 'project'}).message).toBe('project quota is not on')
  })

  it('hasErrno', () => {
    expect(hasErrno(errnoError(2, ctx), 'ENOENT', 'ESRCH')).toBe(true)
    expect(hasErrno(errnoError(2, ctx), 'ESRCH')).toBe(false)
    expect(hasErrno(new Error('x'), 'ENOENT')).toBe(false)
  })
})
