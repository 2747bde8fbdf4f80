// Durations: parse what admins type for grace periods and times left, format what linuxquota
// prints and what our own tables show. Pure: "now" is always a parameter.
//
// Two different things are called "grace" (quota-reference 1.6): a grace PERIOD is relative
// seconds per filesystem (`7days` in repquota's header); a grace EXPIRY is an absolute epoch
// second per id (shown as the time left: `13:15`, `6days`, `none`).

import {QuotaError} from '../errors.js'

const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY

/**
 * Unit words. Single letters are case-sensitive (so `15M` is not silently minutes); longer words
 * are matched case-insensitively. The plural words are edquota's (`7days`, `1hour`, `30 minutes`).
 */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: MINUTE, min: MINUTE, mins: MINUTE, minute: MINUTE, minutes: MINUTE,
  h: HOUR, hr: HOUR, hrs: HOUR, hour: HOUR, hours: HOUR,
  d: DAY, day: DAY, days: DAY,
  w: WEEK, week: WEEK, weeks: WEEK,
}

const PLAIN_SECONDS = /^[0-9]+$/
const COMPONENT = /([0-9]+)\s*([A-Za-z]+)\s*/y

/**
 * `90` (seconds, as linuxquota's setquota -t/-T take), `90s`, `15m`, `12h`, `7d`, `2w`,
 * `7days`, `1hour`, `30 minutes`, and sums such as `1d 2h` or `1d2h30m` (what formatDuration
 * prints). Returns seconds; throws a usage QuotaError naming `what`.
 */
export function parseDurationSeconds(text: string, what = 'duration'): number {
  const input = text.trim()
  const bad = () =>
    new QuotaError('usage', `unparsable ${what} '${text}': use seconds or a number with s, m, h, d or w`, {
      hint: 'e.g. 90s, 15m, 12h, 7d, 2w, 1d 2h, or plain seconds',
    })
  let seconds = 0
  if (PLAIN_SECONDS.test(input)) seconds = Number(input)
  else {
    if (input === '') throw bad()
    COMPONENT.lastIndex = 0
    while (COMPONENT.lastIndex < input.length) {
      const at = COMPONENT.lastIndex
      const m = COMPONENT.exec(input)
      if (!m || m.index !== at) throw bad()
      const unit = m[2].length === 1 ? m[2] : m[2].toLowerCase()
      const factor = UNIT_SECONDS[unit]
      if (factor === undefined) throw bad()
      seconds += Number(m[1]) * factor
    }
  }
  if (!Number.isSafeInteger(seconds)) throw bad()
  return seconds
}

/**
 * A grace PERIOD as linuxquota prints it (time2str with rounding): rounded to the nearest minute;
 * two days or more -> `Ndays` (days floored: 6 days 23:59 is `6days`); otherwise `HH:MM` with
 * hours up to 47 (`01:00`, `25:00`, `47:59`).
 */
export function formatGracePeriod(seconds: number): string {
  const totalMinutes = Math.floor((Math.max(0, seconds) + 30) / MINUTE)
  const days = Math.floor(totalMinutes / (DAY / MINUTE))
  if (days >= 2) return `${days}days`
  const hours = Math.floor(totalMinutes / 60)
  const minutes = totalMinutes % 60
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`
}

/**
 * The time left on a grace EXPIRY as linuxquota prints it (difftime2str): '' when no timer runs
 * (0), `none` when it has run out (expiry <= now, soft limit now acts as hard), else the
 * remaining time in formatGracePeriod's form.
 */
export function formatGraceRemaining(expiresAtEpoch: number, nowEpoch: number): string {
  if (expiresAtEpoch === 0) return ''
  if (expiresAtEpoch <= nowEpoch) return 'none'
  return formatGracePeriod(expiresAtEpoch - nowEpoch)
}

/** For our own tables: `0s`, `90s` -> `1m 30s`, `7d`, `1d 2h`; parseDurationSeconds reads it back. */
export function formatDuration(seconds: number): string {
  const parts: string[] = []
  let rest = Math.max(0, Math.floor(seconds))
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', 1]] as const) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0) parts.push(`${n}${unit}`)
  }
  return parts.length === 0 ? '0s' : parts.join(' ')
}
