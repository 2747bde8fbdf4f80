import {describe, expect, it} from 'vitest'

import {batchInputLines, isSkippedLine, parseBatch, parseLimitFields, parseLimitPair} from '../../src/core/batch.js'
import {parseSpaceBytes} from '../../src/core/units.js'

const KiB = 1024

describe('parseLimitFields', () => {
  it('takes linuxquota and IEC/SI units', () => {
    expect(parseLimitFields('2000', '4M', '10k', 'none')).toEqual({
      softLimitBytes: 2000 * KiB,
      hardLimitBytes: 4 * KiB * KiB,
      inodeSoftLimit: 10_000,
      inodeHardLimit: 0,
    })
    expect(parseLimitFields('10GiB', '500MB', '0', '0x10')).toEqual({
      softLimitBytes: 10 * KiB ** 3,
      hardLimitBytes: 500_000_000,
      inodeSoftLimit: 0,
      inodeHardLimit: 16,
    })
  })
})

describe('parseLimitPair', () => {
  it('splits SOFT:HARD', () => {
    expect(parseLimitPair('10G:12G', 'space limits', (v) => parseSpaceBytes(v))).toEqual({soft: 10 * KiB ** 3, hard: 12 * KiB ** 3})
    expect(parseLimitPair('0:none', 'space limits', (v) => parseSpaceBytes(v))).toEqual({soft: 0, hard: 0})
  })

  it.each([['10G'], ['1:2:3'], ['']])('rejects %j', (text) => {
    expect(() => parseLimitPair(text, 'space limits', (v) => parseSpaceBytes(v))).toThrow(`unparsable space limits '${text}': expected SOFT:HARD`)
  })

  it('passes on the unit error of one side', () => {
    expect(() => parseLimitPair('10X:1', 'space limits', (v) => parseSpaceBytes(v))).toThrow("unparsable space limit '10X'")
  })
})

describe('batch lines', () => {
  it.each([
    ['', true],
    ['   ', true],
    ['\t', true],
    ['# comment', true],
    ['   # indented comment (linuxquota rejects this one)', true],
    ['alice 1 2 3 4', false],
    ['alice#x 1 2 3 4', false],
  ])('%j skipped: %s', (line, skipped) => {
    expect(isSkippedLine(line)).toBe(skipped)
  })

  it.each([
    ['a\nb\n', ['a', 'b']],
    ['a\nb', ['a', 'b']], // last line without newline
    ['a\r\nb\r\n', ['a', 'b']],
    ['', []],
    ['\n', ['']],
    ['a\n\n', ['a', '']],
  ])('%j -> %j', (text, lines) => {
    expect(batchInputLines(text)).toEqual(lines)
  })
})

describe('parseBatch', () => {
  it('parses every line with its number, skipping comments and blanks', () => {
    const text = ['# header', 'alice 2000 4000 10 20', '', '  # indented', 'bob\t1G  2G 0 0', '1005 none none 1k 2k'].join('\n')
    const parsed = parseBatch(text)
    expect(parsed.errors).toEqual([])
    expect(parsed.lines).toEqual([
      {lineNumber: 2, name: 'alice', limits: {softLimitBytes: 2000 * KiB, hardLimitBytes: 4000 * KiB, inodeSoftLimit: 10, inodeHardLimit: 20}},
      {lineNumber: 5, name: 'bob', limits: {softLimitBytes: KiB ** 3, hardLimitBytes: 2 * KiB ** 3, inodeSoftLimit: 0, inodeHardLimit: 0}},
      {lineNumber: 6, name: '1005', limits: {softLimitBytes: 0, hardLimitBytes: 0, inodeSoftLimit: 1000, inodeHardLimit: 2000}},
    ])
  })

  it('a bad line in the middle is reported with its number; the good ones are still parsed', () => {
    const parsed = parseBatch('alice 1 2 3 4\nbob 1 2 3 4\ncarol 10X 2 3 4\ndave 1 2 3 4\n')
    expect(parsed.lines.map((l) => l.name)).toEqual(['alice', 'bob', 'dave'])
    expect(parsed.errors).toHaveLength(1)
    expect(parsed.errors[0].lineNumber).toBe(3)
    expect(parsed.errors[0].error.kind).toBe('data')
    expect(parsed.errors[0].error.exitCode).toBe(65)
    expect(parsed.errors[0].error.message).toBe(
      "line 3: unparsable space limit '10X': valid units are K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB",
    )
  })

  it.each([
    ['alice 1 2 3', 'line 1: expected 5 fields NAME BSOFT BHARD ISOFT IHARD, found 4'],
    ['alice 1 2 3 4 5', 'line 1: expected 5 fields NAME BSOFT BHARD ISOFT IHARD, found 6'],
    ['alice 1 2 10K 4', "line 1: unparsable inode limit '10K': valid units are k, m, g, t"],
    ['alice -1 2 3 4', "line 1: unparsable space limit '-1': limits cannot be negative"],
  ])('%j', (line, message) => {
    expect(parseBatch(line).errors.map((e) => e.error.message)).toEqual([message])
  })

  it('reports every bad line, not just the first', () => {
    expect(parseBatch('a 1 2 3\nb 1 2 3 4\nc x 2 3 4').errors.map((e) => e.lineNumber)).toEqual([1, 3])
  })

  it('an empty batch is empty, not an error', () => {
    expect(parseBatch('')).toEqual({lines: [], errors: []})
    expect(parseBatch('# nothing\n\n')).toEqual({lines: [], errors: []})
  })
})
