// grace show through the real CLI against the fake kernel: which ids, in which order, enforced or
// not, the JSON contract, table and csv, exit codes. Needs `npm run build`.

import {beforeAll, describe, expect, it} from 'vitest'

import {requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'
import {KiB, now, setup} from './grace-fixture.js'

beforeAll(() => {
  requireBuild()
  schemaErrors('error', {})
})

const show = (args: string[]) => setup().run(['show', ...args])

describe('grace show --json', () => {
  it('lists the ids in grace, soonest first, and validates against the schema', () => {
    const r = show(['/home', '--json', '-n'])
    expect(r.status, r.stderr).toBe(0)
    const out = r.json()
    expect(schemaErrors('grace-show', out)).toEqual([])
    expect(out.reports).toHaveLength(1)
    const [report] = out.reports
    expect(report).toMatchObject({mountpoint: '/home', device: '/dev/vdb', fstype: 'ext4', type: 'user', format: 'vfsv1', blockGraceSeconds: 600, inodeGraceSeconds: 3600, enforcement: true})
    expect(report.timers.map((t: {id: number; resource: string; state: string}) => [t.id, t.resource, t.state])).toEqual([
      [1001, 'space', 'expired'],
      [1003, 'inodes', 'running'],
      [1000, 'space', 'running'],
      [1004, 'space', 'not-started'],
    ])
    expect(Math.abs(out.nowEpoch - now())).toBeLessThan(5)
  })

  it('marks expired ids enforced, with usage, limits, expiry and seconds left', () => {
    const out = show(['/home', '--json']).json()
    const [expired, inodes, running, notStarted] = out.reports[0].timers
    expect(expired).toMatchObject({id: 1001, enforced: true, status: 'expired', secondsLeft: 0, usedBytes: 3000 * KiB, softLimitBytes: 1000 * KiB, hardLimitBytes: 4000 * KiB})
    expect(inodes).toMatchObject({id: 1003, resource: 'inodes', used: 12, softLimit: 10, hardLimit: 20, enforced: false, status: 'soft'})
    expect(inodes.secondsLeft).toBeGreaterThan(40)
    expect(inodes.secondsLeft).toBeLessThanOrEqual(50)
    expect(running.graceExpiresAt).toBe(new Date(running.graceExpiresAtEpoch * 1000).toISOString())
    expect(notStarted).toMatchObject({graceExpiresAt: null, graceExpiresAtEpoch: null, secondsLeft: null, enforced: false})
  })

  it('nothing is enforced where the filesystem does not enforce, nor id 0 on XFS', () => {
    const out = show(['-ug', '-a', '--json']).json()
    const group = out.reports.find((r: {type: string}) => r.type === 'group')
    expect(group).toMatchObject({mountpoint: '/home', enforcement: false})
    expect(group.timers).toEqual([expect.objectContaining({id: 1001, state: 'expired', enforced: false})])
    const xfs = out.reports.find((r: {mountpoint: string}) => r.mountpoint === '/srv')
    expect(xfs.timers.map((t: {id: number; state: string; enforced: boolean}) => [t.id, t.state, t.enforced])).toEqual([
      [0, 'expired', false],
      [1000, 'running', false],
    ])
    expect(schemaErrors('grace-show', out)).toEqual([])
  })

  it('-ugP -a: every type on every filesystem that has it, users first, empty ones too', () => {
    const out = show(['-ugP', '-a', '--json']).json()
    expect(out.reports.map((r: {mountpoint: string; type: string}) => `${r.type} ${r.mountpoint}`)).toEqual([
      'user /home',
      'user /old',
      'user /srv',
      'user /legacy',
      'group /home',
      'project /srv',
    ])
    expect(out.reports.at(-1).timers).toEqual([])
  })

  it('a device names its filesystem; -O json is --json', () => {
    const out = show(['/dev/vdd', '-O', 'json']).json()
    expect(out.reports[0].mountpoint).toBe('/srv')
  })
})

describe('grace show, human output', () => {
  it('in a pipe: a title per filesystem, plain columns, linuxquota grace words, states', () => {
    const r = show(['/home', '-n'])
    expect(r.status).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('User grace on /home (/dev/vdb, vfsv1): block 00:10, inode 01:00')
    expect(lines[1].split(/\s+/)).toEqual(['Name', 'Limit', 'Used', 'Soft', 'Hard', 'Grace', 'Expires', 'State'])
    const rows = lines.slice(2).map((l) => l.split(/\s+/))
    expect(rows.map((c) => [c[0], c[1], c[5], c[7]])).toEqual([
      ['#1001', 'block', 'none', 'enforced'],
      ['#1003', 'inode', '00:01', 'running'],
      ['#1000', 'block', '00:05', 'running'],
      ['#1004', 'block', '-', 'not-started'],
    ])
    expect(rows[0].slice(2, 5)).toEqual(['3000K', '1000K', '4000K'])
    expect(rows[1].slice(2, 5)).toEqual(['12', '10', '20'])
    expect(rows[0][6]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('csv: one table per report', () => {
    const r = show(['/home', '/srv', '-O', 'csv', '-n'])
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('name,limit,used,soft,hard,grace,expires,state')
    expect(r.stdout).toContain('#1001,block,3000K,1000K,4000K,none,')
  })

  it('a filesystem with nothing in grace prints nothing in a pipe', () => {
    const r = show(['-P', '/srv'])
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
  })
})

describe('grace show, errors', () => {
  it.each([
    [[], 64, 'quotakit grace show: no filesystem given'],
    [['-a', '/home'], 64, 'quotakit grace show: -a and mount arguments exclude each other (got /home)'],
    [['/nope'], 64, "quotakit grace show: '/nope' is not a mounted filesystem"],
    [['-P', '/home'], 69, 'quotakit grace show: /home: project quota is not on'],
    [['-g', '/srv', '/home'], 1, 'quotakit grace show: /srv: group quota is not on'],
  ])('%j -> exit %i', (args, status, line) => {
    const r = show(args as string[])
    expect(r.status).toBe(status)
    expect(r.stderr.split('\n')[0]).toBe(line)
  })

  it('errors under --json are the error document', () => {
    const r = show(['-P', '/home', '--json'])
    expect(r.status).toBe(69)
    expect(schemaErrors('error', r.json())).toEqual([])
  })
})
