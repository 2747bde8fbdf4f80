import {describe, expect, it} from 'vitest'

import {
  type EnforcementContext,
  type GraceTimer,
  MAX_GRACE_SECONDS,
  compareTimers,
  exemptIdsFor,
  graceTimer,
  graceTimerJson,
  graceTimers,
  inGrace,
  judgeReadBack,
  parseGracePeriod,
  parseTimerArg,
  planReset,
  resetHonoured,
  resetMethods,
  safeResetInterval,
  sameLimits,
  sideOf,
  timerGranularitySeconds,
  timerTarget,
  unsetEnforcesAtOnce,
  zeroGraceMeaning,
  zeroGraceNeedsForce,
  zeroGraceText,
} from '../../src/core/grace.js'
import type {LimitSide} from '../../src/core/limits.js'
import type {QuotaRecord} from '../../src/core/types.js'

const NOW = 1_795_312_823
const KiB = 1024
const ENFORCING: EnforcementContext = {enforcement: true, exemptIds: []}
const grace = {blockGraceSeconds: 600, inodeGraceSeconds: 3600}

/** space in KiB: [used, soft, hard, timer]; inodes: [used, soft, hard, timer] */
function rec(id: number, space: number[], inodes: number[] = [0, 0, 0, 0]): QuotaRecord {
  return {
    id,
    space: {usedBytes: space[0] * KiB, softLimitBytes: space[1] * KiB, hardLimitBytes: space[2] * KiB, graceExpiresAt: space[3]},
    inodes: {used: inodes[0], softLimit: inodes[1], hardLimit: inodes[2], graceExpiresAt: inodes[3]},
  }
}

const side = (used: number, soft: number, hard: number, graceExpiresAt: number): LimitSide => ({used, soft, hard, graceExpiresAt})

describe('inGrace: the sides repquota fills its grace column for, with a timer or over the soft limit', () => {
  it.each([
    ['under soft, no timer', side(5, 10, 20, 0), false],
    ['at soft, no timer (kernel starts none)', side(10, 10, 20, 0), false],
    ['at soft with a timer (repquota shows it)', side(10, 10, 20, NOW + 5), true],
    ['over soft, timer running', side(11, 10, 20, NOW + 5), true],
    ['over soft, not started', side(11, 10, 20, 0), true],
    ['over soft, expired', side(11, 10, 20, NOW - 5), true],
    ['no soft limit, over hard (XFS may start a timer)', side(30, 0, 20, NOW + 5), false],
    ['no limits at all', side(30, 0, 0, 0), false],
  ])('%s', (_, s, expected) => {
    expect(inGrace(s)).toBe(expected)
  })

  it('space is compared in KiB as the kernel reports it: 1 byte over a KiB rounds up', () => {
    const r: QuotaRecord = {id: 1, space: {usedBytes: 512 * KiB + 1, softLimitBytes: 512 * KiB, hardLimitBytes: 0, graceExpiresAt: 0}, inodes: rec(1, [0, 0, 0, 0]).inodes}
    expect(inGrace(sideOf(r, 'space'))).toBe(true)
  })
})

describe('graceTimer: state, status, seconds left, enforced', () => {
  it.each([
    // name, record, resource, ctx, expected subset
    ['running', rec(1, [11, 10, 20, NOW + 90]), 'space', ENFORCING, {state: 'running', status: 'soft', secondsLeft: 90, enforced: false, expiresAt: NOW + 90}],
    ['expires exactly now: expired (timer <= now)', rec(1, [11, 10, 20, NOW]), 'space', ENFORCING, {state: 'expired', status: 'expired', secondsLeft: 0, enforced: true}],
    ['expired long ago', rec(1, [11, 10, 20, NOW - 999]), 'space', ENFORCING, {state: 'expired', secondsLeft: 0, enforced: true}],
    ['expired but enforcement off', rec(1, [11, 10, 20, NOW - 1]), 'space', {enforcement: false, exemptIds: []}, {state: 'expired', enforced: false}],
    ['expired but XFS id 0', rec(0, [11, 10, 20, NOW - 1]), 'space', {enforcement: true, exemptIds: [0]}, {state: 'expired', enforced: false}],
    ['not started', rec(1, [11, 10, 20, 0]), 'space', ENFORCING, {state: 'not-started', secondsLeft: null, enforced: false, expiresAt: 0}],
    ['over hard with a running timer', rec(1, [25, 10, 20, NOW + 5]), 'space', ENFORCING, {state: 'running', status: 'hard', enforced: false}],
    ['inodes', rec(1, [0, 0, 0, 0], [12, 10, 20, NOW + 7]), 'inodes', ENFORCING, {resource: 'inodes', state: 'running', secondsLeft: 7}],
  ] as const)('%s', (_, r, resource, ctx, expected) => {
    expect(graceTimer(r, resource, NOW, ctx)).toMatchObject(expected)
  })

  it('is null for a side not in grace', () => {
    expect(graceTimer(rec(1, [5, 10, 20, 0]), 'space', NOW, ENFORCING)).toBeNull()
    expect(graceTimer(rec(1, [5, 10, 20, 0]), 'inodes', NOW, ENFORCING)).toBeNull()
  })
})

describe('graceTimers: soonest first', () => {
  it('orders expired first, then by expiry, not-started last; ties by id then space before inodes', () => {
    const records = [
      rec(5, [11, 10, 0, 0]), // not started
      rec(4, [11, 10, 0, NOW + 300], [11, 10, 0, NOW + 300]), // same expiry both sides
      rec(3, [11, 10, 0, NOW + 100]),
      rec(2, [11, 10, 0, NOW - 50]), // expired
      rec(1, [5, 10, 0, 0], [11, 10, 0, NOW + 300]), // inodes only, same expiry as id 4
      rec(6, [1, 10, 0, 0]), // not in grace
    ]
    const order = graceTimers(records, NOW, ENFORCING).map((t) => `${t.id}:${t.resource}`)
    expect(order).toEqual(['2:space', '3:space', '1:inodes', '4:space', '4:inodes', '5:space'])
  })

  it('compareTimers is a total order on distinct timers', () => {
    const t = (id: number, expiresAt: number, resource: 'space' | 'inodes' = 'space'): GraceTimer => ({
      id,
      resource,
      expiresAt,
      state: 'running',
      status: 'soft',
      secondsLeft: 1,
      enforced: false,
    })
    expect(compareTimers(t(1, 10), t(2, 10))).toBeLessThan(0)
    expect(compareTimers(t(1, 0), t(2, 10))).toBeGreaterThan(0)
    expect(compareTimers(t(1, 10, 'inodes'), t(1, 10, 'space'))).toBeGreaterThan(0)
    expect(compareTimers(t(1, 0), t(1, 0))).toBe(0)
  })
})

describe('graceTimerJson', () => {
  it('space: bytes, null for no limit, ISO and epoch expiry', () => {
    const r = rec(1000, [2048, 1024, 0, NOW + 60])
    const t = graceTimer(r, 'space', NOW, ENFORCING) as GraceTimer
    expect(graceTimerJson(t, r, 'alice')).toEqual({
      id: 1000,
      name: 'alice',
      resource: 'space',
      state: 'running',
      status: 'soft',
      usedBytes: 2048 * KiB,
      softLimitBytes: 1024 * KiB,
      hardLimitBytes: null,
      graceExpiresAt: new Date((NOW + 60) * 1000).toISOString(),
      graceExpiresAtEpoch: NOW + 60,
      secondsLeft: 60,
      enforced: false,
    })
  })

  it('inodes, not started: null expiry', () => {
    const r = rec(7, [0, 0, 0, 0], [12, 10, 20, 0])
    const t = graceTimer(r, 'inodes', NOW, ENFORCING) as GraceTimer
    expect(graceTimerJson(t, r, null)).toMatchObject({resource: 'inodes', used: 12, softLimit: 10, hardLimit: 20, graceExpiresAt: null, graceExpiresAtEpoch: null, secondsLeft: null})
  })
})

describe('exemptIdsFor', () => {
  it.each([
    ['xfs', [0]],
    ['ext4', []],
  ])('%s', (fstype, ids) => expect(exemptIdsFor(fstype)).toEqual(ids))
})

describe('a grace period of 0, per format', () => {
  it.each([
    ['vfsv0', 'immediate', true, /vfsv0 .*fails at once/],
    ['vfsv1', 'immediate', true, /soft limit acts as a hard limit/],
    ['xfs', 'immediate-until-mount', true, /next mount .*7-day default/],
    ['ocfs2', 'immediate', true, /no grace/],
    ['unknown', 'immediate', true, /no grace/],
    ['vfsold', 'default', false, /7-day default/],
  ] as const)('%s: %s', (format, meaning, force, text) => {
    expect(zeroGraceMeaning(format)).toBe(meaning)
    expect(zeroGraceNeedsForce(format)).toBe(force)
    expect(zeroGraceText(format)).toMatch(text)
  })
})

describe('parsing', () => {
  it.each([
    ['7d', 604_800],
    ['90', 90],
    ['1d 2h', 93_600],
    ['0', 0],
    [String(MAX_GRACE_SECONDS), MAX_GRACE_SECONDS],
  ])('grace period %s', (text, seconds) => expect(parseGracePeriod(text, 'block grace period')).toBe(seconds))

  it.each([['-1'], ['7x'], [''], [String(MAX_GRACE_SECONDS + 1)], ['1e3']])('refuses %j (usage)', (text) => {
    expect(() => parseGracePeriod(text, 'block grace period')).toThrow(expect.objectContaining({kind: 'usage'}))
  })

  it.each([
    ['unset', 'unset', 0],
    ['UNSET', 'unset', 0],
    ['2d', {seconds: 172_800}, NOW + 172_800],
    ['0', {seconds: 0}, NOW],
  ] as const)('timer %s', (text, arg, target) => {
    expect(parseTimerArg(text, 'block grace time')).toEqual(arg)
    expect(timerTarget(parseTimerArg(text, 'block grace time'), NOW)).toBe(target)
  })
})

describe('judgeReadBack: what the kernel kept', () => {
  const T = NOW + 600
  it.each([
    // name, method, target, after side, granularity, expected
    ['expiry kept exactly', 'expiry', T, side(11, 10, 0, T), 1, 'kept'],
    ['expiry one second off on ext4', 'expiry', T, side(11, 10, 0, T + 1), 1, 'ignored'],
    ['expiry rounded up 3 s on XFS', 'expiry', T, side(11, 10, 0, T + 3), 4, 'kept'],
    ['expiry 4 s off on XFS', 'expiry', T, side(11, 10, 0, T + 4), 4, 'ignored'],
    ['expiry earlier than asked', 'expiry', T, side(11, 10, 0, T - 1), 4, 'ignored'],
    ['expiry ignored (<= 4.9): old timer stays', 'expiry', T, side(11, 10, 0, NOW - 5), 1, 'ignored'],
    ['expiry dropped: not over soft', 'expiry', T, side(5, 10, 0, 0), 1, 'dropped'],
    ['unset kept', 'expiry', 0, side(11, 10, 0, 0), 1, 'kept'],
    ['unset on XFS over soft: stored as epoch 4', 'expiry', 0, side(11, 10, 0, 4), 4, 'ignored'],
    ['limits restarted (>= 4.15)', 'limits', T, side(11, 10, 0, T), 1, 'restarted'],
    ['limits restarted a second later', 'limits', T, side(11, 10, 0, T + 1), 1, 'restarted'],
    ['limits cleared (<= 4.14)', 'limits', T, side(11, 10, 0, 0), 1, 'cleared'],
    ['limits kept the old timer (XFS)', 'limits', T, side(11, 10, 0, NOW - 5), 4, 'ignored'],
    ['limits: usage fell under soft meanwhile', 'limits', T, side(5, 10, 0, 0), 1, 'dropped'],
  ] as const)('%s', (_, method, target, after, granularitySeconds, expected) => {
    expect(judgeReadBack({method, target, after, granularitySeconds})).toBe(expected)
  })

  it.each([
    ['kept', true],
    ['restarted', true],
    ['cleared', true],
    ['dropped', false],
    ['ignored', false],
  ] as const)('resetHonoured(%s) = %s', (r, honoured) => expect(resetHonoured(r)).toBe(honoured))
})

describe('planReset: the notification-only decision', () => {
  it.each([
    ['under soft', rec(1, [5, 10, 20, 0]), 'space', {action: 'skip', reason: 'not-over-soft'}],
    ['at soft', rec(1, [10, 10, 20, 0]), 'space', {action: 'skip', reason: 'not-over-soft'}],
    ['no soft limit, over hard', rec(1, [30, 0, 20, NOW + 5]), 'space', {action: 'skip', reason: 'not-over-soft'}],
    ['over soft, not started', rec(1, [11, 10, 20, 0]), 'space', {action: 'skip', reason: 'not-started'}],
    ['running', rec(1, [11, 10, 20, NOW + 5]), 'space', {action: 'reset', target: NOW + 600}],
    ['expired: restarted too (the policy keeps soft limits warning-only)', rec(1, [11, 10, 20, NOW - 999]), 'space', {action: 'reset', target: NOW + 600}],
    ['over hard too: reset, so it is not enforced once under the hard limit', rec(1, [25, 10, 20, NOW + 5]), 'space', {action: 'reset', target: NOW + 600}],
    ['already ends at now + grace', rec(1, [11, 10, 20, NOW + 600]), 'space', {action: 'skip', reason: 'runs-longer'}],
    ['ends later (set-user gave more)', rec(1, [11, 10, 20, NOW + 9999]), 'space', {action: 'skip', reason: 'runs-longer'}],
    ['inodes use the inode grace period', rec(1, [0, 0, 0, 0], [11, 10, 0, NOW + 5]), 'inodes', {action: 'reset', target: NOW + 3600}],
  ] as const)('%s', (_, r, resource, expected) => {
    expect(planReset(r, resource, grace, NOW)).toEqual(expected)
  })

  it('a grace period of 0 cannot be kept warning-only', () => {
    expect(planReset(rec(1, [11, 10, 20, NOW - 1]), 'space', {blockGraceSeconds: 0, inodeGraceSeconds: 60}, NOW)).toEqual({action: 'skip', reason: 'no-grace'})
  })
})

describe('resetMethods', () => {
  it.each([
    ['auto', null, ['expiry', 'limits']],
    ['auto', 'expiry', ['expiry']],
    ['auto', 'limits', ['limits']],
    ['limits', null, ['limits']],
    ['expiry', 'limits', ['expiry']],
  ] as const)('forced %s, known %s', (forced, known, expected) => {
    expect(resetMethods(forced, known)).toEqual(expected)
  })
})

describe('helpers', () => {
  it('sameLimits looks at the four limits only', () => {
    const a = rec(1, [11, 10, 20, NOW], [1, 2, 3, 0])
    expect(sameLimits(a, rec(1, [99, 10, 20, 0], [7, 2, 3, NOW]))).toBe(true)
    expect(sameLimits(a, rec(1, [11, 10, 21, NOW], [1, 2, 3, 0]))).toBe(false)
    expect(sameLimits(a, rec(1, [11, 10, 20, NOW], [1, 2, 4, 0]))).toBe(false)
  })

  it.each([
    [[600, 3600], 300],
    [[604_800, 604_800], 302_400],
    [[0, 3600], null],
    [[], null],
  ])('safeResetInterval(%j) = %s', (periods, interval) => expect(safeResetInterval(periods)).toBe(interval))

  it.each([
    ['xfs', side(11, 10, 0, NOW), true],
    ['xfs', side(5, 10, 0, 0), false],
    ['ext4', side(11, 10, 0, NOW), false],
  ] as const)('unsetEnforcesAtOnce(%s, …) = %s', (fstype, s, expected) => expect(unsetEnforcesAtOnce(fstype, s)).toBe(expected))

  it('timer granularity: XFS bigtime 4 s, others 1 s', () => {
    expect(timerGranularitySeconds('xfs')).toBe(4)
    expect(timerGranularitySeconds('ext4')).toBe(1)
  })
})
