import {describe, expect, it} from 'vitest'

import {formatDuration, formatGracePeriod, formatGraceRemaining, parseDurationSeconds} from '../../src/core/durations.js'

describe('parseDurationSeconds', () => {
  it.each([
    ['0', 0],
    ['90', 90],
    ['604800', 604800],
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    ['2w', 1209600],
    // edquota / linuxquota words
    ['7days', 604800],
    ['1day', 86400],
    ['1hour', 3600],
    ['30 minutes', 1800],
    ['1 minute', 60],
    ['45seconds', 45],
    ['2 Weeks', 1209600],
    ['3 HOURS', 10800],
    // sums, as formatDuration prints them
    ['1d 2h', 93600],
    ['1d2h30m', 95400],
    ['  7d  ', 604800],
  ])('%j -> %d s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds)
  })

  it.each([[''], ['7x'], ['15M'], ['-5'], ['1.5h'], ['d'], ['7 d x'], ['90 10m'], ['1hourz']])('rejects %j', (text) => {
    expect(() => parseDurationSeconds(text)).toThrow(/^unparsable duration/)
  })

  it('is a one-line usage error naming what was parsed', () => {
    try {
      parseDurationSeconds('1fortnight', 'block grace time')
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({kind: 'usage'})
      expect((err as Error).message).toBe(
        "unparsable block grace time '1fortnight': use seconds or a number with s, m, h, d or w",
      )
    }
  })
})

describe('formatGracePeriod (linuxquota time2str, rounded)', () => {
  // Observed with linuxquota 4.06 `setquota -T N` + repquota on this machine.
  it.each([
    [0, '00:00'],
    [29, '00:00'],
    [30, '00:01'],
    [89, '00:01'],
    [90, '00:02'],
    [3600, '01:00'],
    [90000, '25:00'],
    [172769, '47:59'],
    [172770, '2days'], // rounds up to 48:00, which is 2 days
    [172800, '2days'],
    [604800, '7days'],
    [604769, '6days'], // 6 days 23:59 after rounding: days are floored
    [1000000, '11days'],
  ])('%d s -> %s', (seconds, text) => {
    expect(formatGracePeriod(seconds)).toBe(text)
  })
})

describe('formatGraceRemaining (linuxquota difftime2str)', () => {
  const now = 1_795_312_823
  it.each([
    [0, ''], // no timer
    [now - 1, 'none'], // expired
    [now, 'none'], // expires now: soft already acts as hard
    [now + 1, '00:00'],
    [now + 3600, '01:00'],
    [now + 90000, '25:00'],
    [now + 604800, '7days'],
  ])('expiry %d -> %j', (expiry, text) => {
    expect(formatGraceRemaining(expiry, now)).toBe(text)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [90, '1m 30s'],
    [3600, '1h'],
    [93600, '1d 2h'],
    [604800, '7d'],
    [1209600, '14d'],
    [90061, '1d 1h 1m 1s'],
  ])('%d -> %s, and back', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text)
    expect(parseDurationSeconds(text)).toBe(seconds)
  })
})
