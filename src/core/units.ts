// Space and inode amounts: parse what admins type, format what linuxquota prints. Parse and format
// live side by side so each pair can be tested as a round trip. Pure: no I/O.
//
// Space is always BYTES once parsed. Input follows linuxquota (quota-reference 3.0): a plain
// number is KiB, suffixes K M G T are binary multiples of KiB (uppercase only), numbers take C's
// base auto-detection (0x.. hex, 0.. octal). On top of that we accept IEC and SI byte forms
// (10GiB, 500MB = 500*10^6 bytes, 1.5GiB if that is a whole number of bytes, 512B), which
// linuxquota rejects. Inodes are counts: plain, or k m g t (lowercase, decimal x10^3..10^12).
// `0` and `none` mean "no limit", as the kernel's 0 does.

import {QuotaError} from '../errors.js'

export const BYTES_PER_KIB = 1024

/** Space units for input, as a multiplier in bytes. A plain number means KiB (linuxquota). */
const SPACE_UNIT_BYTES: Readonly<Record<string, bigint>> = {
  '': 1024n,
  K: 1024n,
  M: 1024n ** 2n,
  G: 1024n ** 3n,
  T: 1024n ** 4n,
  KiB: 1024n,
  MiB: 1024n ** 2n,
  GiB: 1024n ** 3n,
  TiB: 1024n ** 4n,
  KB: 1000n,
  kB: 1000n, // the SI spelling; KB is the common one
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  B: 1n,
}

const INODE_UNIT_COUNT: Readonly<Record<string, bigint>> = {
  '': 1n,
  k: 1000n,
  m: 1000n ** 2n,
  g: 1000n ** 3n,
  t: 1000n ** 4n,
}

const SPACE_UNITS_HELP = 'valid units are K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB'
const SPACE_HINT = 'a plain number is KiB as in linuxquota; B is bytes; 0 or none means no limit'
const INODE_UNITS_HELP = 'valid units are k, m, g, t'
const INODE_HINT = 'inode limits are counts; k m g t multiply by 10^3..10^12; 0 or none means no limit'

/**
 * A number as C's strtoull(…, 0) reads it (hex 0x.., octal 0.., decimal), optionally with a
 * decimal fraction (ours), then the unit text. Hex digits are taken greedily, as strtoull
 * does, so `0x1B` is 27 KiB, not 1 byte.
 */
const AMOUNT = /^(?:0[xX](?<hex>[0-9a-fA-F]+)|(?<int>[0-9]+)(?:\.(?<frac>[0-9]+))?)(?<unit>.*)$/s

interface ParseSpec {
  what: string // "space limit", "inode limit": names the thing in the error
  noun: 'bytes' | 'inodes' // what the parsed value counts
  units: Readonly<Record<string, bigint>>
  unitsHelp: string
  hint: string
}

/** A plain decimal without leading zeros, short enough to be exact as a number: the usual batch field. */
const PLAIN_DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/

function parseAmount(text: string, spec: ParseSpec): number {
  // Fast path for batch files (once per field per line): what the general path computes for a
  // plain number, when the product is exact. Anything else, including a product past 2^53 (an
  // error), goes the general way.
  if (PLAIN_DECIMAL.test(text)) {
    const value = Number(text) * Number(spec.units[''])
    if (value <= Number.MAX_SAFE_INTEGER) return value
  }
  const bad = (why: string) => new QuotaError('usage', `unparsable ${spec.what} '${text}': ${why}`, {hint: spec.hint})
  if (text.toLowerCase() === 'none') return 0
  if (text.startsWith('-')) throw bad('limits cannot be negative')
  const m = AMOUNT.exec(text)
  if (!m?.groups) throw bad(spec.unitsHelp)
  const {hex, int, frac = '', unit} = m.groups
  const multiplier = spec.units[unit]
  if (multiplier === undefined) throw bad(spec.unitsHelp)

  let scaled: bigint // value * 10^frac.length, exact
  if (hex !== undefined) scaled = BigInt(`0x${hex}`)
  else if (int.length > 1 && int.startsWith('0') && frac === '') {
    // C octal; strtoull stops at 8 or 9 and the rest would be an unknown unit
    if (/[89]/.test(int)) throw bad(spec.unitsHelp)
    scaled = BigInt(`0o${int.slice(1)}`)
  } else scaled = BigInt(int + frac)

  const divisor = 10n ** BigInt(frac.length)
  const product = scaled * multiplier
  if (product % divisor !== 0n) throw bad(`not a whole number of ${spec.noun}`)
  const value = product / divisor
  // Above 2^53 a JS number is no longer exact; the codec would have to round silently.
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`too large (at most ${Number.MAX_SAFE_INTEGER} ${spec.noun})`)
  return Number(value)
}

/** `10G`, `500MiB`, `500MB`, `2048` (KiB), `0x400`, `none` -> bytes; 0 = no limit. */
export const parseSpaceBytes = (text: string, what = 'space limit'): number =>
  parseAmount(text, {what, noun: 'bytes', units: SPACE_UNIT_BYTES, unitsHelp: SPACE_UNITS_HELP, hint: SPACE_HINT})

/** `10k`, `2m`, `500`, `none` -> inode count; 0 = no limit. */
export const parseInodeCount = (text: string, what = 'inode limit'): number =>
  parseAmount(text, {what, noun: 'inodes', units: INODE_UNIT_COUNT, unitsHelp: INODE_UNITS_HELP, hint: INODE_HINT})

// ---- KiB, the unit of the VFS quota interface and of linuxquota's columns ----

/** ceil(a / b) for non-negative safe integers, exact (float division alone can land on an integer). */
export function ceilDiv(a: number, b: number): number {
  let q = Math.floor(a / b)
  while (q * b < a) q++
  while (q > 0 && (q - 1) * b >= a) q--
  return q
}

/** Usage in KiB as the kernel reports it to Q_GETQUOTA users and linuxquota prints it: ceil(bytes/1024). */
export const usageKiB = (usedBytes: number): number => ceilDiv(usedBytes, BYTES_PER_KIB)

/**
 * A limit in KiB. VFS limits are whole KiB already; XFS keeps 512-byte blocks and linuxquota
 * shifts them down (floor), so floor is exact for both.
 */
export const limitKiB = (limitBytes: number): number => Math.floor(limitBytes / BYTES_PER_KIB)

// ---- linuxquota's -s/--human-readable[=S,I] ----

/** 'auto' picks a unit per value; 'raw' prints the plain number; a letter forces that unit. */
export type HumanUnit = 'auto' | 'raw' | 'k' | 'm' | 'g' | 't'
export interface HumanUnits {
  space: HumanUnit
  inodes: HumanUnit
}

export const RAW_UNITS: HumanUnits = {space: 'raw', inodes: 'raw'}
export const AUTO_UNITS: HumanUnits = {space: 'auto', inodes: 'auto'}

const UNIT_LETTERS = ['k', 'm', 'g', 't'] as const

/**
 * The argument of `-s=S,I`: exactly two comma-separated fields, each one of k m g t (any case)
 * or empty for raw, as linuxquota 4.06 accepts (`g,t`, `,k`, `m,`).
 */
export function parseHumanUnits(spec: string): HumanUnits {
  const parts = spec.split(',')
  const valid = (p: string) => p === '' || (p.length === 1 && 'kmgt'.includes(p.toLowerCase()))
  if (parts.length !== 2 || !parts.every(valid)) {
    throw new QuotaError('usage', `unparsable human-readable units '${spec}': expected S,I with each one of k, m, g, t or empty`, {
      hint: 'e.g. --human-readable=g,k (space in GiB, inodes in thousands); -s alone picks units per value',
    })
  }
  const unit = (p: string): HumanUnit => (p === '' ? 'raw' : (p.toLowerCase() as HumanUnit))
  return {space: unit(parts[0]), inodes: unit(parts[1])}
}

/** linuxquota names the space columns "Space" instead of "Block" whenever space is not raw KiB. */
export const spaceIsHuman = (units: HumanUnits): boolean => units.space !== 'raw'

const SPACE_SUFFIX = ['K', 'M', 'G', 'T'] as const

/**
 * A KiB amount as linuxquota prints it (space2str): raw -> `3001`; auto -> the largest of K M G T
 * in which the value is at least 100 units, always with a suffix (`13K`, `10240M`, `3072G`);
 * a letter -> that unit. Values are rounded UP (3001 KiB in G is `1G`).
 */
export function formatSpaceKiB(kib: number, unit: HumanUnit): string {
  if (unit === 'raw') return String(kib)
  let power = unit === 'auto' ? 0 : UNIT_LETTERS.indexOf(unit)
  if (unit === 'auto') {
    for (let p = 3; p >= 0; p--) {
      if (kib >= 100 * 1024 ** p) {
        power = p
        break
      }
    }
  }
  return `${ceilDiv(kib, 1024 ** power)}${SPACE_SUFFIX[power]}`
}

const INODE_SUFFIX = ['', 'k', 'm', 'g', 't'] as const

/**
 * An inode count as linuxquota prints it (number2str): raw -> `17`; auto -> the largest of
 * k m g t in which the value is at least 100 units, plain below 100 000; a letter -> that unit,
 * rounded up (`17` in k is `1k`, `0` is `0k`).
 */
export function formatInodes(count: number, unit: HumanUnit): string {
  if (unit === 'raw') return String(count)
  let power = unit === 'auto' ? 0 : UNIT_LETTERS.indexOf(unit) + 1
  if (unit === 'auto') {
    for (let p = 4; p >= 1; p--) {
      if (count >= 100 * 1000 ** p) {
        power = p
        break
      }
    }
  }
  return power === 0 ? String(count) : `${ceilDiv(count, 1000 ** power)}${INODE_SUFFIX[power]}`
}

// ---- IEC bytes for our own tables ----

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/** `0 B`, `1023 B`, `1.5 KiB`, `10 GiB`: one decimal at most, never `1024 KiB`. */
export function formatBytes(bytes: number): string {
  let power = 0
  while (power < IEC.length - 1 && bytes >= 1024 ** (power + 1)) power++
  if (power === 0) return `${bytes} B`
  let tenths = Math.round((bytes / 1024 ** power) * 10)
  if (tenths >= 10240 && power < IEC.length - 1) {
    power++
    tenths = Math.round((bytes / 1024 ** power) * 10)
  }
  const text = tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1)
  return `${text} ${IEC[power]}`
}
