import {describe, expect, it} from 'vitest'

import {
  ceilDiv,
  formatBytes,
  formatInodes,
  formatSpaceKiB,
  limitKiB,
  parseHumanUnits,
  parseInodeCount,
  parseSpaceBytes,
  usageKiB,
} from '../../src/core/units.js'
import {QuotaError} from '../../src/errors.js'

const KiB = 1024
const MiB = 1024 ** 2
const GiB = 1024 ** 3
const TiB = 1024 ** 4

describe('parseSpaceBytes', () => {
  it.each([
    // linuxquota: plain = KiB, K M G T binary multiples of KiB
    ['0', 0],
    ['none', 0],
    ['NONE', 0],
    ['1', KiB],
    ['2000', 2000 * KiB],
    ['4294967295', 4294967295 * KiB], // vfsv0 maximum
    ['10K', 10 * KiB],
    ['10M', 10 * MiB],
    ['10G', 10 * GiB],
    ['3T', 3 * TiB],
    // strtoull base detection
    ['0x10', 16 * KiB],
    ['0X1f', 31 * KiB],
    ['010', 8 * KiB],
    ['0x10M', 16 * MiB],
    ['0x1B', 27 * KiB], // hex digits are greedy, as in strtoull: B is a digit here
    ['00', 0],
    // IEC / SI / bytes
    ['10GiB', 10 * GiB],
    ['500MiB', 500 * MiB],
    ['1KiB', KiB],
    ['2TiB', 2 * TiB],
    ['500MB', 500_000_000],
    ['1KB', 1000],
    ['1kB', 1000],
    ['3GB', 3_000_000_000],
    ['1TB', 1e12],
    ['512B', 512],
    ['0B', 0],
    // fractions, when the result is whole bytes
    ['1.5GiB', 1.5 * GiB],
    ['1.5G', 1.5 * GiB],
    ['0.5K', 512],
    ['1.5', 1536],
    ['2.25MB', 2_250_000],
  ])('%s -> %d bytes', (text, bytes) => {
    expect(parseSpaceBytes(text)).toBe(bytes)
  })

  it('names linuxquota and IEC/SI units for an unknown unit, as a usage error', () => {
    const err = (() => {
      try {
        parseSpaceBytes('10X')
      } catch (e) {
        return e
      }
    })() as QuotaError
    expect(err).toBeInstanceOf(QuotaError)
    expect(err.kind).toBe('usage')
    expect(err.exitCode).toBe(64)
    expect(err.message).toBe("unparsable space limit '10X': valid units are K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB")
    expect(err.message).not.toContain('\n')
  })

  it.each([
    ['10X'],
    ['10k'], // lowercase is an inode unit in linuxquota
    ['10 G'],
    [' 10'],
    [''],
    ['G'],
    ['08'], // not octal: strtoull stops at 8
    ['0x'],
    ['1e3'],
    ['10GiBs'],
    ['1.5B'],
  ])('rejects %j', (text) => {
    expect(() => parseSpaceBytes(text)).toThrow(/^unparsable space limit/)
  })

  it('rejects negatives, fractions of a byte and unsafe sizes with the reason', () => {
    expect(() => parseSpaceBytes('-5')).toThrow("unparsable space limit '-5': limits cannot be negative")
    expect(() => parseSpaceBytes('1.0000000001GiB')).toThrow('not a whole number of bytes')
    expect(() => parseSpaceBytes('0.1B')).toThrow('not a whole number of bytes')
    expect(() => parseSpaceBytes('8192T')).toThrow(`too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`)
    expect(parseSpaceBytes('8191T')).toBe(8191 * TiB)
  })

  it('names what was being parsed', () => {
    expect(() => parseSpaceBytes('x', 'block soft limit')).toThrow("unparsable block soft limit 'x'")
  })
})

describe('parseInodeCount', () => {
  it.each([
    ['0', 0],
    ['none', 0],
    ['17', 17],
    ['10k', 10_000],
    ['2m', 2_000_000],
    ['3g', 3e9],
    ['1t', 1e12],
    ['0x10', 16],
    ['010', 8],
    ['1.5k', 1500],
    ['4294967295', 4294967295],
  ])('%s -> %d', (text, count) => {
    expect(parseInodeCount(text)).toBe(count)
  })

  it.each([['10K'], ['10M'], ['1.5'], ['10x'], [''], ['-1'], ['1.0001k']])('rejects %j', (text) => {
    expect(() => parseInodeCount(text)).toThrow(/^unparsable inode limit/)
  })

  it('lists the inode units', () => {
    expect(() => parseInodeCount('10K')).toThrow("unparsable inode limit '10K': valid units are k, m, g, t")
  })
})

describe('KiB conversions', () => {
  it.each([
    [0, 0],
    [1, 1],
    [1023, 1],
    [1024, 1],
    [1025, 2],
    [3001 * 1024, 3001],
    [Number.MAX_SAFE_INTEGER, 8796093022208],
  ])('usage %d bytes -> %d KiB (rounded up)', (bytes, kib) => {
    expect(usageKiB(bytes)).toBe(kib)
  })

  it('limits round down (XFS 512-byte blocks, as linuxquota shifts them)', () => {
    expect(limitKiB(2000 * 1024)).toBe(2000)
    expect(limitKiB(1536)).toBe(1)
  })

  it('ceilDiv is exact where float division is not', () => {
    // 2^53 - 1 = 9007199254740991; / 1000 as a float rounds to an integer-looking value
    expect(ceilDiv(9007199254740991, 1000)).toBe(9007199254741)
    expect(ceilDiv(9007199254740000, 1000)).toBe(9007199254740)
    expect(ceilDiv(0, 1000)).toBe(0)
  })
})

describe('formatSpaceKiB (linuxquota -s)', () => {
  it.each([
    // raw: plain KiB
    [3001, 'raw', '3001'],
    [0, 'raw', '0'],
    // auto: largest unit with value >= 100 units, always a suffix, rounded up
    [0, 'auto', '0K'],
    [13, 'auto', '13K'],
    [102399, 'auto', '102399K'],
    [102400, 'auto', '100M'],
    [102401, 'auto', '101M'],
    [10 * 1024 * 1024, 'auto', '10240M'],
    [100 * 1024 * 1024, 'auto', '100G'],
    [3 * 1024 ** 3, 'auto', '3072G'],
    [100 * 1024 ** 3, 'auto', '100T'],
    // explicit unit, rounded up (quota-reference 3.0: 3001 KiB with g is 1G)
    [3001, 'g', '1G'],
    [0, 'g', '0G'],
    [3001, 'k', '3001K'],
    [3001, 'm', '3M'],
    [3 * 1024 ** 3, 't', '3T'],
    [2049, 'm', '3M'],
  ] as const)('%d KiB %s -> %s', (kib, unit, text) => {
    expect(formatSpaceKiB(kib, unit)).toBe(text)
  })
})

describe('formatInodes (linuxquota -s)', () => {
  it.each([
    [17, 'raw', '17'],
    [0, 'auto', '0'],
    [99_999, 'auto', '99999'],
    [100_000, 'auto', '100k'],
    [150_000, 'auto', '150k'],
    [2_000_000, 'auto', '2000k'],
    [100_000_000, 'auto', '100m'],
    [100_000_001, 'auto', '101m'],
    [17, 'k', '1k'],
    [0, 'k', '0k'],
    [17, 't', '1t'],
    [2_000_000, 'm', '2m'],
  ] as const)('%d %s -> %s', (count, unit, text) => {
    expect(formatInodes(count, unit)).toBe(text)
  })
})

describe('parseHumanUnits (-s=S,I)', () => {
  it.each([
    ['g,t', {space: 'g', inodes: 't'}],
    ['M,K', {space: 'm', inodes: 'k'}],
    [',k', {space: 'raw', inodes: 'k'}],
    ['k,', {space: 'k', inodes: 'raw'}],
    [',', {space: 'raw', inodes: 'raw'}],
  ])('%s', (spec, units) => {
    expect(parseHumanUnits(spec)).toEqual(units)
  })

  it.each([['m'], ['x,k'], [''], ['k,k,k'], ['kk,m'], ['vQ']])('rejects %j as linuxquota does', (spec) => {
    expect(() => parseHumanUnits(spec)).toThrow(`unparsable human-readable units '${spec}'`)
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1024 ** 2 - 1, '1 MiB'],
    [10 * GiB, '10 GiB'],
    [1.25 * TiB, '1.3 TiB'],
    [1024 ** 5, '1 PiB'],
  ])('%d -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })

  it('round-trips through parseSpaceBytes for whole units', () => {
    for (const bytes of [KiB, 3 * MiB, 10 * GiB, 2 * TiB]) {
      expect(parseSpaceBytes(formatBytes(bytes).replace(' ', ''))).toBe(bytes)
    }
  })
})
