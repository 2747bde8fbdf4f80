// Golden tests: our default layout against linuxquota 4.06's own output for the same state
// (test/output/repquota-state.ts says how the fixtures were made).

import {describe, expect, it} from 'vitest'

import {AUTO_UNITS, parseHumanUnits} from '../../src/core/units.js'
import type {Filesystem} from '../../src/core/types.js'
import {buildReportBlock} from '../../src/core/report.js'
import {render} from '../../src/output/render.js'
import {repquotaDefault, usedAverage} from '../../src/output/repquota-default.js'
import {USER_FILE_TREE, fixture, formatOptions, loopFs, report} from './repquota-state.js'

const plain = {color: false, tty: false}
const opts = formatOptions
const text = (result = report(), o = opts(), verbose = false) => render([repquotaDefault(result, o, verbose)], 'table', plain)

/** linuxquota -v on a vfsv0 file adds the tree statistics; a report whose records the kernel gave has none. */
const withoutStatistics = (golden: string) => golden.replace(/\nStatistics:\n(?:.*\n){4}/, '\n')
const verboseFromFile = {selection: {verbose: true, withLimits: false}, tree: USER_FILE_TREE}

describe('repquota default layout (golden, linuxquota 4.06)', () => {
  it('default', () => {
    expect(text()).toBe(fixture('default.txt'))
  })

  it('contains the reference alice-style ++ row exactly', () => {
    expect(text()).toContain('daemon    ++    3001    2000    4000  7days      17    10    20  7days\n')
  })

  it('-p raw grace', () => {
    expect(text(report(), opts({rawGrace: true}))).toBe(fixture('raw.txt'))
  })

  it('-t truncates names to 9 characters', () => {
    expect(text(report(), opts({truncateNames: true}))).toBe(fixture('trunc.txt'))
  })

  it('-v lists ids without usage, then the quota file tree statistics', () => {
    expect(text(report(['user'], verboseFromFile), opts(), true)).toBe(fixture('verbose.txt'))
  })

  it('-v without statistics when the kernel gave the records (no tree known)', () => {
    const result = report(['user'], {selection: {verbose: true, withLimits: false}})
    expect(text(result, opts(), true)).toBe(withoutStatistics(fixture('verbose.txt')))
  })

  it('no statistics without -v, though the tree is known', () => {
    expect(text(report(['user'], {tree: USER_FILE_TREE}))).toBe(fixture('default.txt'))
  })

  it('-s human units with -v', () => {
    expect(text(report(['user'], verboseFromFile), opts({units: AUTO_UNITS}), true)).toBe(fixture('human-verbose.txt'))
  })

  it('-s without -v', () => {
    expect(text(report(), opts({units: AUTO_UNITS}))).toBe(fixture('human.txt'))
  })

  it('--human-readable=g,k', () => {
    expect(text(report(['user'], verboseFromFile), opts({units: parseHumanUnits('g,k')}), true)).toBe(fixture('human-gk.txt'))
  })

  it('-u -g: one report after the other', () => {
    expect(text(report(['user', 'group']))).toBe(fixture('ug.txt'))
  })

  it('-n: #id names; rows in id order (linuxquota 4.06 used the quota file order)', () => {
    const golden = fixture('noname.txt').split('\n')
    const rows = golden.slice(5, 12)
    const byId = [...rows].sort((a, b) => Number(a.slice(1, 10).trim()) - Number(b.slice(1, 10).trim()))
    const expected = [...golden.slice(0, 5), ...byId, ...golden.slice(12)].join('\n')
    expect(text(report(['user'], {nameOf: () => null}))).toBe(expected)
  })
})

describe('repquota default layout: beyond the goldens', () => {
  it('hidden system-file quota (ext4 quota feature) ends with two empty lines, -v adds no statistics', () => {
    // As linuxquota 4.06 prints it on a 6.1 kernel (seen in the lab).
    const fs: Filesystem = {...loopFs, quotas: {user: {...loopFs.quotas.user!, systemFile: true, format: 'vfsv1'}}}
    expect(text(report(['user'], {fs}))).toBe(fixture('default.txt'))
    expect(text(report(['user'], {fs}), opts(), true)).toMatch(/ 01:00\n\n\n$/)
  })

  it('XFS: empty line, with -v the accounting/enforcement status, empty line', () => {
    const fs: Filesystem = {...loopFs, fstype: 'xfs', quotas: {user: {...loopFs.quotas.user!, systemFile: true, format: 'xfs'}}}
    expect(text(report(['user'], {fs}))).toMatch(/ 01:00\n\n\n$/)
    expect(text(report(['user'], {fs}), opts(), true)).toMatch(
      / 01:00\n\n\*\*\* Status for user quotas on device \/dev\/loop0\nAccounting: ON; Enforcement: ON\n\n$/,
    )
  })

  it('project reports say project / Project', () => {
    const fs: Filesystem = {...loopFs, quotas: {project: loopFs.quotas.user}}
    const lines = text(report(['project'], {fs})).split('\n')
    expect(lines[0]).toBe('*** Report for project quotas on device /dev/loop0')
    expect(lines[3]).toBe('Project         used    soft    hard  grace    used  soft  hard  grace')
  })

  it('--with-limits adds ids with limits and no usage, without the all-zero ones', () => {
    const rows = text(report(['user'], {selection: {verbose: false, withLimits: true}})).split('\n')
    expect(rows.filter((l) => l.startsWith('#5000'))).toHaveLength(1)
  })

  it('an empty report prints the headers only', () => {
    const result = report(['user'], {selection: {verbose: false, withLimits: false}})
    result.reports[0].entries = []
    expect(text(result)).toBe(fixture('default.txt').split('\n').slice(0, 5).join('\n') + '\n\n\n')
  })

  it('names pad by bytes, like printf', () => {
    const lines = text(report(['user'], {nameOf: (id) => (id === 0 ? 'rené' : null)})).split('\n')
    expect(lines[5].startsWith('rené     --')).toBe(true) // 5 bytes + 4 spaces = 9 columns of bytes
  })

  it('rows carry the worse status of their two sides, for colour', () => {
    const block = repquotaDefault(report(), opts(), false)
    // rows within their limits share one entry per chunk (status ok); each other row has its own
    const rows = block.lines.filter((l) => l.status).flatMap((l) => l.text.split('\n').map((row) => [row.split(' ')[0], l.status]))
    expect(block.lines.filter((l) => l.status && l.status !== 'ok').every((l) => !l.text.includes('\n'))).toBe(true)
    const status = Object.fromEntries(rows)
    expect(status).toEqual({
      root: 'ok',
      daemon: 'soft',
      bin: 'ok',
      sys: 'ok',
      'www-data': 'hard',
      'systemd-network': 'expired',
      '#4242': 'hard',
    })
  })

  it('colour on a terminal: yellow over soft, red over hard or past grace, headers plain', () => {
    const out = render([repquotaDefault(report(), opts(), false)], 'table', {color: true, tty: true})
    const lines = out.split('\n')
    expect(lines[0]).toBe('*** Report for user quotas on device /dev/loop0')
    expect(lines[5]).toBe('root      --      13       0       0              2     0     0       ')
    expect(lines[6]).toBe('\u001B[33mdaemon    ++    3001    2000    4000  7days      17    10    20  7days\u001B[39m')
    expect(lines[9]).toMatch(/^\u001B\[31mwww-data/)
    expect(lines[10]).toMatch(/^\u001B\[31msystemd-network/)
  })
})

describe('repquota default layout: many rows', () => {
  it('prints every row once, in id order, across the joined chunks of rows within their limits', () => {
    const records = Array.from({length: 1000}, (_, k) => ({
      id: 1000 + k,
      // every 97th id is over its hard limit (no timer: no grace shown): a row of its own between chunks
      space: {usedBytes: k % 97 === 0 ? 9 * 1024 : 1024, softLimitBytes: 4 * 1024, hardLimitBytes: 8 * 1024, graceExpiresAt: 0},
      inodes: {used: 1, softLimit: 0, hardLimit: 0, graceExpiresAt: 0},
    }))
    const block = buildReportBlock({fs: loopFs, type: 'user', records, nameOf: () => null, nowEpoch: 0, selection: null})
    const rows = text({schemaVersion: 1, reports: [block]}).split('\n').slice(5, -3)
    expect(rows).toHaveLength(1000)
    const row = (k: number) => `#${1000 + k}`.padEnd(9) + (k % 97 === 0 ? ' +-       9' : ' --       1') + '       4       8        ' + '      1     0     0       '
    rows.forEach((text, k) => expect(text).toBe(row(k)))
  })
})

describe("usedAverage: linuxquota's printf(\"%f\", (float)entries / dataBlocks)", () => {
  // Expected values are glibc's printf of the float quotient (checked with a C program), the
  // first also as linuxquota 4.06 printed it for a generated 1000-id file.
  it.each([
    [1000, 48, '20.833334'], // single precision: the double quotient prints 20.833333
    [10_000, 477, '20.964361'],
    [8, 1, '8.000000'],
    [100_000, 4762, '20.999580'],
    [2, 3, '0.666667'],
    [5, 8, '0.625000'],
    [3843, 384, '10.007812'], // 10.0078125 exactly: a tie, to even (toFixed(6) gives 10.007813)
    [1281, 128, '10.007812'],
    [1283, 128, '10.023438'], // 10.0234375: a tie, to even upwards
    [0, 0, '0.000000'], // no data block: linuxquota prints 0
  ])('%i entries in %i data blocks: %s', (entries, dataBlocks, printed) => {
    expect(usedAverage(entries, dataBlocks)).toBe(printed)
  })
})
