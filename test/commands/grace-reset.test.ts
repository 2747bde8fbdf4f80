// grace reset through the real CLI against the fake kernel, including kernels that behave like
// old ones (state.kernel): which ids are reset, how (the write the kernel honours, found by reading
// back), that nothing else changes, --dry-run, the JSON contract and exit codes. Needs a build.

import {beforeAll, describe, expect, it} from 'vitest'

import type {FakeState} from '../../src/testing/fake-backend.js'
import {requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'
import {graceState, now, setup, timerOf, withoutTimers} from './grace-fixture.js'

beforeAll(() => {
  requireBuild()
  schemaErrors('error', {})
})

const near = (actual: number | undefined | null, expected: number) => {
  expect(actual).toBeTypeOf('number')
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(3)
}

type Entry = {id: number; resource: string; action: string; reason: string | null; method: string | null; readBack: string | null}
const summary = (out: {reports: Array<{entries: Entry[]}>}) =>
  out.reports.flatMap((r) => r.entries.map((e) => `${e.id} ${e.resource} ${e.action} ${e.reason ?? e.method ?? '-'}${e.readBack ? ` ${e.readBack}` : ''}`))

/** Every record of `key` except the ids listed, which must be untouched. */
const others = (s: FakeState, key: string, except: number[]) =>
  Object.fromEntries(Object.entries(s.records[key] ?? {}).filter(([id]) => !except.includes(Number(id))))

describe('grace reset --all', () => {
  it('restarts running and expired timers at now + grace by writing a fresh expiry; nothing else changes', () => {
    const initial = graceState()
    const r = setup(initial).run(['reset', '--all', '/home', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    const out = r.json()
    expect(schemaErrors('grace-reset', out)).toEqual([])
    expect(out.dryRun).toBe(false)
    expect(out.reports).toHaveLength(1)
    expect(out.reports[0]).toMatchObject({mountpoint: '/home', type: 'user', method: 'expiry', blockGraceSeconds: 600, inodeGraceSeconds: 3600, maxIntervalSeconds: 300})
    expect(summary(out)).toEqual([
      '1000 space reset expiry kept',
      '1001 space reset expiry kept',
      '1003 inodes reset expiry kept',
      '1004 space skipped not-started',
    ])
    near(timerOf(r.state, '/home|user', 1000), now() + 600)
    near(timerOf(r.state, '/home|user', 1001), now() + 600)
    near(timerOf(r.state, '/home|user', 1003, 'inodes'), now() + 3600)
    for (const id of [1000, 1001, 1003, 1004]) expect(withoutTimers(r.state, '/home|user', id)).toEqual(withoutTimers(initial, '/home|user', id))
    expect(others(r.state, '/home|user', [1000, 1001, 1003])).toEqual(others(initial, '/home|user', [1000, 1001, 1003]))
    expect(r.state.records['/old|user']).toEqual(initial.records['/old|user'])
    const e = out.reports[0].entries[1]
    expect(e.before.expiresAtEpoch).toBe(initial.records['/home|user'][1001].space.graceExpiresAt)
    expect(e.after).toEqual(e.target)
  })

  it('--dry-run reports what would be reset and changes nothing', () => {
    const initial = graceState()
    const r = setup(initial).run(['reset', '--all', '--dry-run', '-a', '--json'])
    expect(r.status).toBe(0)
    expect(r.state.records).toEqual(initial.records)
    const out = r.json()
    expect(schemaErrors('grace-reset', out)).toEqual([])
    expect(out.dryRun).toBe(true)
    expect(summary(out)).toEqual([
      '1000 space would-reset -',
      '1001 space would-reset -',
      '1003 inodes would-reset -',
      '1004 space skipped not-started',
      '1000 space would-reset -', // /old: 9000 s left of a 7-day grace
      '0 space would-reset -', // /srv
      '1000 space would-reset -',
    ])
    expect(out.reports.map((x: {mountpoint: string}) => x.mountpoint)).toEqual(['/home', '/old', '/srv', '/legacy'])
    expect(out.reports[1].entries[0]).toMatchObject({id: 1000, action: 'would-reset', method: null, after: null})
  })

  it('-ugP -a: every type on every filesystem; timers that already run longer are left alone', () => {
    const initial = graceState()
    initial.records['/home|user'][1000].space.graceExpiresAt = now() + 99_999
    const r = setup(initial).run(['reset', '-ugP', '--all', '-a', '--json'])
    expect(r.status, r.stderr).toBe(0)
    const out = r.json()
    expect(out.reports.map((x: {type: string; mountpoint: string}) => `${x.type} ${x.mountpoint}`)).toEqual([
      'user /home',
      'user /old',
      'user /srv',
      'user /legacy',
      'group /home',
      'project /srv',
    ])
    expect(out.reports[0].entries[0]).toMatchObject({id: 1000, action: 'skipped', reason: 'runs-longer'})
    expect(timerOf(r.state, '/home|user', 1000)).toBe(initial.records['/home|user'][1000].space.graceExpiresAt)
    near(timerOf(r.state, '/home|group', 1001), now() + 600)
    near(timerOf(r.state, '/srv|user', 1000), now() + 3600)
  })
})

describe('grace reset finds the write the kernel honours', () => {
  it.each([
    ['>= 5.10: a written expiry is kept', {}, 'expiry', 'kept', 600],
    ['<= 4.9 (timer writes ignored), >= 4.15: re-applied limits restart the timer', {timerWrites: 'ignored', limitsSetTimer: 'restart'}, 'limits', 'restarted', 600],
    ['<= 4.9, and re-applied limits clear the timer (<= 4.14): next write starts a full grace', {timerWrites: 'ignored', limitsSetTimer: 'clear'}, 'limits', 'cleared', 0],
    ['XFS: a written expiry is kept (re-applying would not restart)', {limitsSetTimer: 'keep'}, 'expiry', 'kept', 600],
  ] as const)('%s', (_, kernel, method, readBack, offset) => {
    const initial = graceState(kernel)
    const r = setup(initial).run(['reset', '1001', '1000', '/home', '--json'])
    expect(r.status, r.stderr).toBe(0)
    const out = r.json()
    expect(schemaErrors('grace-reset', out)).toEqual([])
    expect(out.reports[0].method).toBe(method)
    expect(summary(out)).toEqual([
      `1001 space reset ${method} ${readBack}`,
      '1001 inodes skipped not-over-soft',
      `1000 space reset ${method} ${readBack}`,
      '1000 inodes skipped not-over-soft',
    ])
    if (offset === 0) expect(timerOf(r.state, '/home|user', 1001)).toBe(0)
    else near(timerOf(r.state, '/home|user', 1001), now() + offset)
    for (const id of [1000, 1001]) expect(withoutTimers(r.state, '/home|user', id)).toEqual(withoutTimers(initial, '/home|user', id))
  })

  it('a kernel that honours neither: failed per id with both tried, exit 1', () => {
    const initial = graceState({timerWrites: 'ignored', limitsSetTimer: 'keep'})
    const r = setup(initial).run(['reset', '1001', '/home', '--json'])
    expect(r.status).toBe(1)
    const out = r.json()
    expect(schemaErrors('grace-reset', out)).toEqual([])
    expect(summary(out)[0]).toBe('1001 space failed limits ignored')
    expect(out.reports[0].method).toBeNull()
    expect(r.stderr.split('\n')[0]).toBe(
      `quotakit grace reset: /home: #1001: the kernel did not restart the block grace timer (tried writing a fresh expiry and re-applying the limits; it holds ${new Date(initial.records['/home|user'][1001].space.graceExpiresAt * 1000).toISOString()})`,
    )
    expect(r.state.records['/home|user'][1001]).toEqual(initial.records['/home|user'][1001])
  })

  it('--method limits forces re-applying the limits', () => {
    const r = setup().run(['reset', '--all', '--method', 'limits', '/home', '--json'])
    expect(r.status).toBe(0)
    expect(summary(r.json()).slice(0, 2)).toEqual(['1000 space reset limits restarted', '1001 space reset limits restarted'])
  })

  it('--method limits on a kernel that keeps the timer (XFS): failed, with a hint', () => {
    const r = setup(graceState({limitsSetTimer: 'keep'})).run(['reset', '1001', '--method', 'limits', '/home'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('(tried re-applying the limits;')
    expect(r.stderr).toContain('hint: try --method auto')
  })
})

describe('grace reset, policy edges', () => {
  it('a grace period of 0: skipped with a warning, nothing written', () => {
    const initial = graceState()
    const home = initial.filesystems[0].quotas.user
    if (home?.grace) home.grace.blockGraceSeconds = 0
    const r = setup(initial).run(['reset', '--all', '/home', '--json'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('quotakit grace reset: warning: /home: the user block grace period is 0, so a restarted timer would run out at once; set one with `quotakit grace set`\n')
    expect(summary(r.json()).slice(0, 2)).toEqual(['1000 space skipped no-grace', '1001 space skipped no-grace'])
    expect(r.json().reports[0].maxIntervalSeconds).toBeNull()
  })

  it('in a pipe: a title with the cadence rule and the method, one row per id side', () => {
    const r = setup().run(['reset', '--all', '-n', '/home'])
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('user quota on /home (vfsv1): block grace 00:10, inode grace 01:00; run at least every 5m, by writing a fresh expiry')
    expect(lines[1].split(/\s{2,}/)).toEqual(['Name', 'Limit', 'Action', 'Expired/expires', 'Now expires', 'Note'])
    expect(lines.slice(2).map((l) => l.split(/\s+/).filter((_, i) => i !== 3 && i !== 4))).toEqual([
      ['#1000', 'block', 'reset', 'kept'],
      ['#1001', 'block', 'reset', 'kept'],
      ['#1003', 'inode', 'reset', 'kept'],
      ['#1004', 'block', 'skipped', 'not-started'],
    ])
  })
})

describe('grace reset, errors', () => {
  it.each([
    [['reset', '/home'], 64, 'quotakit grace reset: no NAME given'],
    [['reset', '--all', '1000', '/home'], 64, 'quotakit grace reset: --all and NAMEs exclude each other (got 1000)'],
    [['reset', '--all'], 64, 'quotakit grace reset: no filesystem given'],
    [['reset', '--all', '-a', '/home'], 64, 'quotakit grace reset: -a and mount arguments exclude each other (got /home)'],
    [['reset', 'no-such-user-here', '/home'], 67, "quotakit grace reset: unknown user 'no-such-user-here'"],
    [['reset', '--all', '-g', '/old'], 69, 'quotakit grace reset: /old: group quota is not on'],
    [['reset', '--all', '-ug', '/home', '/old'], 69, 'quotakit grace reset: /old: group quota is not on'],
    [['reset', '--all', '--method', 'magic', '/home'], 64, null],
  ])('%j -> exit %i, nothing changed', (args, status, line) => {
    const initial = graceState()
    const r = setup(initial).run(args as string[])
    expect(r.status).toBe(status)
    if (line) expect(r.stderr.split('\n')[0]).toBe(line)
    expect(r.state.records).toEqual(initial.records)
  })
})
