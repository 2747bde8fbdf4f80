import {describe, expect, it} from 'vitest'

import {type BatchParse, isSkippedLine, parseBatch, parseLimitFields, parseLimitPair} from '../../src/core/batch.js'
import {parseSpaceBytes} from '../../src/core/units.js'
import {prng} from '../prng.js'

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
    ['a 1 2 3 4\nb 1 2 3 4\n', [1, 2]],
    ['a 1 2 3 4\nb 1 2 3 4', [1, 2]], // last line without newline
    ['a 1 2 3 4\r\nb 1 2 3 4\r\n', [1, 2]],
    ['\na 1 2 3 4\n\n', [2]],
    ['\r\n\r\na 1 2 3 4\r', [3]],
  ])('%j: lines %j', (text, numbers) => {
    expect(parseBatch(text).lines.map((l) => l.lineNumber)).toEqual(numbers)
  })
})

/** The batch parser as it was before the char-code scanner: split, trim and /\s+/ on every line. */
function referenceParse(text: string): BatchParse {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  if (lines.at(-1) === '') lines.pop()
  const result: BatchParse = {lines: [], errors: []}
  lines.forEach((raw, index) => {
    if (isSkippedLine(raw)) return
    const fields = raw.trim().split(/\s+/)
    try {
      if (fields.length !== 5) throw new Error(`expected 5 fields NAME BSOFT BHARD ISOFT IHARD, found ${fields.length}`)
      const [name, bsoft, bhard, isoft, ihard] = fields
      result.lines.push({lineNumber: index + 1, name, limits: parseLimitFields(bsoft, bhard, isoft, ihard)})
    } catch (err) {
      result.errors.push({lineNumber: index + 1, name: fields[0], error: err as never})
    }
  })
  return result
}

describe('parseBatch agrees with the split/trim/regex parser', () => {
  // Pieces chosen to hit both paths: blanks the plain-line regex takes (space, tab) and those it
  // leaves to the general split (\v, \f, NBSP, U+2028, a lone \r), comments, numbers with and
  // without units, past 2^53 bytes or digits, names with '#' and non-ASCII.
  const pieces = [' ', '  ', '\t', '\v', '\f', '\u00a0', '\u2028', '\r', '\n', '\r\n', '#', '# c', 'alice', 'b#b', 'ünï', '1000',
    '0', '007', '0x10', '10G', '1.5K', '10k', 'none', '-1', '999999999999999', '9999999999999999', '10X']
  const next = prng(7)
  const rand = (n: number) => Math.floor(next() * n)
  const summary = (p: BatchParse) => ({
    lines: p.lines,
    errors: p.errors.map((e) => ({lineNumber: e.lineNumber, name: e.name, message: e.error.message.replace(/^line \d+: /, '')})),
  })

  it('on 3000 random inputs', () => {
    for (let n = 0; n < 3000; n++) {
      const parts: string[] = []
      const count = rand(24)
      for (let i = 0; i < count; i++) parts.push(pieces[rand(pieces.length)], rand(3) === 0 ? '\n' : ' ')
      const text = parts.join('')
      expect(summary(parseBatch(text)), JSON.stringify(text)).toEqual(summary(referenceParse(text)))
    }
  })

  it('on lines of five fields, the common case', () => {
    const names = ['alice', '#', '#5', 'b#b', 'ünï', '1000', '0', '-']
    const numbers = ['0', '1', '007', '1000', '10G', '10k', 'none', '-1', '999999999999', '8796093022207', '8796093022208',
      '999999999999999', '9999999999999999', '1e3', '0x10']
    const field = (list: string[]) => list[rand(list.length)]
    for (let n = 0; n < 2000; n++) {
      const line = () => [field(names), field(numbers), field(numbers), field(numbers), field(numbers)].join(rand(2) ? ' ' : ' \t')
      const text = `${line()}\n  ${line()}\r\n${line()} `
      expect(summary(parseBatch(text)), JSON.stringify(text)).toEqual(summary(referenceParse(text)))
    }
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
