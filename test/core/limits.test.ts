import {describe, expect, it} from 'vitest'

import {
  type LimitSide,
  atOrOverHard,
  atOrOverSoft,
  graceColumnApplies,
  graceExpired,
  hasLimits,
  hasUsage,
  inodeStatus,
  overHard,
  overSoft,
  sideStatus,
  softAboveHard,
  spaceSideKiB,
  spaceStatus,
  statusFlag,
  worseStatus,
} from '../../src/core/limits.js'
import type {QuotaRecord} from '../../src/core/types.js'

const NOW = 1_795_312_823
const KiB = 1024

function record(usedBytes: number, soft: number, hard: number, timer = 0, inodes: Partial<QuotaRecord['inodes']> = {}): QuotaRecord {
  return {
    id: 1000,
    space: {usedBytes, softLimitBytes: soft, hardLimitBytes: hard, graceExpiresAt: timer},
    inodes: {used: 0, softLimit: 0, hardLimit: 0, graceExpiresAt: 0, ...inodes},
  }
}

describe('space at the boundary, in bytes (soft 2000 KiB, hard 4000 KiB)', () => {
  const soft = 2000 * KiB
  const hard = 4000 * KiB
  // used, overSoft (repquota +, kernel timer), atOrOverSoft (grace column, warnquota), overHard, atOrOverHard (quota *)
  it.each([
    ['soft - 1024 B', soft - 1024, false, false, false, false],
    ['soft - 1023 B', soft - 1023, false, true, false, false], // rounds up to 2000 KiB
    ['soft - 1 B', soft - 1, false, true, false, false],
    ['soft', soft, false, true, false, false],
    ['soft + 1 B', soft + 1, true, true, false, false],
    ['hard - 1 B', hard - 1, true, true, false, true],
    ['hard', hard, true, true, false, true],
    ['hard + 1 B', hard + 1, true, true, true, true],
  ])('%s', (_label, used, oSoft, aSoft, oHard, aHard) => {
    const side = spaceSideKiB(record(used, soft, hard).space)
    expect(overSoft(side)).toBe(oSoft)
    expect(atOrOverSoft(side)).toBe(aSoft)
    expect(graceColumnApplies(side)).toBe(aSoft)
    expect(overHard(side)).toBe(oHard)
    expect(atOrOverHard(side)).toBe(aHard)
  })

  it('in KiB, "over" agrees with the kernel\'s byte comparison for KiB-aligned limits', () => {
    for (let used = soft - 3000; used <= soft + 3000; used++) {
      expect(overSoft(spaceSideKiB(record(used, soft, 0).space))).toBe(used > soft)
    }
  })

  it.each([
    [soft, 'ok'],
    [soft + 1, 'soft'],
    [hard, 'soft'], // at hard is not over hard (linuxquota csv says soft)
    [hard + 1, 'hard'],
  ])('status of %d bytes is %s', (used, status) => {
    expect(spaceStatus(record(used, soft, hard, used > soft ? NOW + 60 : 0), NOW)).toBe(status)
  })
})

describe('zero means no limit', () => {
  it.each([
    [0, 0, 'ok'],
    [0, 5, 'hard'],
    [5, 0, 'soft'],
  ])('soft %d hard %d with 10 used', (soft, hard, status) => {
    const side: LimitSide = {used: 10, soft, hard, graceExpiresAt: 0}
    expect(sideStatus(side, NOW)).toBe(status)
    expect(atOrOverSoft({used: 0, soft: 0, hard: 0, graceExpiresAt: 0})).toBe(false)
  })
})

describe('grace', () => {
  const over: Omit<LimitSide, 'graceExpiresAt'> = {used: 11, soft: 10, hard: 20}
  it.each([
    [0, false, 'soft'], // not started yet
    [NOW + 1, false, 'soft'],
    [NOW, true, 'expired'], // expiry <= now: soft acts as hard
    [NOW - 1, true, 'expired'],
  ])('timer %d', (timer, expired, status) => {
    const side = {...over, graceExpiresAt: timer}
    expect(graceExpired(side, NOW)).toBe(expired)
    expect(sideStatus(side, NOW)).toBe(status)
  })

  it('over hard wins over an expired grace', () => {
    expect(sideStatus({used: 21, soft: 10, hard: 20, graceExpiresAt: NOW - 100}, NOW)).toBe('hard')
  })

  it('a stale timer under the soft limit is ok', () => {
    expect(sideStatus({used: 5, soft: 10, hard: 20, graceExpiresAt: NOW - 100}, NOW)).toBe('ok')
  })
})

describe('inodes use plain counts', () => {
  it.each([
    [9, 'ok'],
    [10, 'ok'],
    [11, 'soft'],
    [20, 'soft'],
    [21, 'hard'],
  ])('%d used of 10/20', (used, status) => {
    expect(inodeStatus(record(0, 0, 0, 0, {used, softLimit: 10, hardLimit: 20, graceExpiresAt: NOW + 5}), NOW)).toBe(status)
  })
})

describe('helpers', () => {
  it('statusFlag is + exactly when not ok', () => {
    expect(statusFlag('ok')).toBe('-')
    expect(statusFlag('soft')).toBe('+')
    expect(statusFlag('expired')).toBe('+')
    expect(statusFlag('hard')).toBe('+')
  })

  it('worseStatus orders ok < soft < expired < hard', () => {
    expect(worseStatus('ok', 'soft')).toBe('soft')
    expect(worseStatus('expired', 'soft')).toBe('expired')
    expect(worseStatus('expired', 'hard')).toBe('hard')
    expect(worseStatus('ok', 'ok')).toBe('ok')
  })

  it('hasUsage / hasLimits / softAboveHard', () => {
    expect(hasUsage(record(0, 0, 0))).toBe(false)
    expect(hasUsage(record(1, 0, 0))).toBe(true)
    expect(hasUsage(record(0, 0, 0, 0, {used: 1}))).toBe(true)
    expect(hasLimits(record(0, 0, 0))).toBe(false)
    expect(hasLimits(record(0, 0, 1))).toBe(true)
    expect(hasLimits(record(0, 0, 0, 0, {softLimit: 1}))).toBe(true)
    expect(softAboveHard(10, 5)).toBe(true)
    expect(softAboveHard(10, 0)).toBe(false)
    expect(softAboveHard(0, 5)).toBe(false)
    expect(softAboveHard(5, 5)).toBe(false)
  })
})
