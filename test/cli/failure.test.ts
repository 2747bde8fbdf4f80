import {Errors} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {errorLines, oneLine, toQuotaError} from '../../src/cli/failure.js'
import {outputFromArgv} from '../../src/cli/flags.js'
import {QuotaError} from '../../src/errors.js'

const HINT = "see 'quotakit x --help'"

describe('toQuotaError', () => {
  it('keeps a QuotaError as it is', () => {
    const err = new QuotaError('permission', 'permission denied', {mount: '/home', errno: 'EPERM'})
    expect(toQuotaError(err, HINT)).toBe(err)
  })

  it("restores a QuotaError that oclif rewrote as a flag's parse failure, keeping its kind", () => {
    const err = new QuotaError('no-such-id', 'no user "zed"', {hint: 'check getent passwd'})
    err.message = `Parsing --user \n\t${err.message}\nSee more help with --help`
    ;(err as unknown as {oclif: {exit: number}}).oclif = {exit: 64}
    const q = toQuotaError(err, HINT)
    expect(q.kind).toBe('no-such-id')
    expect(q.message).toBe('--user: no user "zed"')
    expect(q.hint).toBe('check getent passwd')
  })

  it('turns an oclif parse error into usage with the help hint', () => {
    const err = Object.assign(new Errors.CLIError('Nonexistent flag: --bogus\nSee more help with --help', {exit: 64}), {parse: {}})
    const q = toQuotaError(err, HINT)
    expect([q.kind, q.message, q.hint, q.exitCode]).toEqual(['usage', 'Nonexistent flag: --bogus', HINT, 64])
  })

  it("keeps a CLIError's exit code when it is in the table, otherwise 1", () => {
    expect(toQuotaError(new Errors.CLIError('x', {exit: 77}), HINT).kind).toBe('permission')
    expect(toQuotaError(new Errors.CLIError('x', {exit: 2}), HINT).exitCode).toBe(1)
  })

  it('anything else fails with exit 1 and keeps the cause', () => {
    const cause = new TypeError('x is undefined')
    const q = toQuotaError(cause, HINT)
    expect([q.kind, q.message, q.cause]).toEqual(['failed', 'x is undefined', cause])
    expect(toQuotaError('a string', HINT).message).toBe('a string')
  })
})

describe('oneLine', () => {
  it('joins lines, drops oclif trailer and escape codes', () => {
    expect(oneLine('Expected a\n  value\nSee more help with --help')).toBe('Expected a value')
    expect(oneLine('\u001B[1mbold\u001B[22m')).toBe('bold')
  })
})

describe('errorLines', () => {
  it('prefix line, then hint line when there is a hint', () => {
    expect(errorLines('quotakit setquota', new QuotaError('permission', 'permission denied', {mount: '/home', errno: 'EPERM'}))).toEqual([
      'quotakit setquota: /home: permission denied (EPERM)',
    ])
    expect(errorLines('quotakit x', new QuotaError('usage', 'bad', {hint: 'h'}))).toEqual(['quotakit x: bad', 'hint: h'])
  })
})

describe('outputFromArgv: -O json is seen before parsing', () => {
  it.each([
    [['-O', 'json'], 'json'],
    [['-Ojson'], 'json'],
    [['-O=json'], 'json'],
    [['--output', 'csv'], 'csv'],
    [['--output=json'], 'json'],
    [['-O', 'csv', '-O', 'json'], 'json'],
    [['--', '-O', 'json'], undefined],
    [['-a'], undefined],
  ])('%j -> %s', (argv, expected) => {
    expect(outputFromArgv(argv)).toBe(expected)
  })
})
