// grace set-user through the real CLI against the fake kernel: timers written and read back, the
// kernel's answer reported per timer (kept, dropped, ignored, refused), exit codes. Needs a build.

import {beforeAll, describe, expect, it} from 'vitest'

import {requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'
import {graceState, now, setup, timerOf, withoutTimers} from './grace-fixture.js'

beforeAll(() => {
  requireBuild()
  schemaErrors('error', {})
})

const near = (actual: number | undefined | null, expected: number) => {
  expect(actual).toBeTypeOf('number')
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(3)
}

describe('grace set-user', () => {
  it('writes a block timer, reads it back as kept, and touches nothing else', () => {
    const initial = graceState()
    const r = setup(initial).run(['set-user', '1000', '--block', '2d', '/home', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    near(timerOf(r.state, '/home|user', 1000), now() + 172_800)
    expect(withoutTimers(r.state, '/home|user', 1000)).toEqual(withoutTimers(initial, '/home|user', 1000))
    expect(timerOf(r.state, '/home|user', 1000, 'inodes')).toBe(0)
    const out = r.json()
    expect(schemaErrors('grace-set-user', out)).toEqual([])
    expect(out.items).toHaveLength(1)
    const [item] = out.items
    expect(item).toMatchObject({name: '1000', id: 1000, mountpoint: '/home', device: '/dev/vdb', fstype: 'ext4', format: 'vfsv1', error: null})
    expect(item.timers).toHaveLength(1)
    const [t] = item.timers
    expect(t).toMatchObject({resource: 'space', outcome: 'kept'})
    expect(t.after).toEqual(t.requested)
    expect(t.before.expiresAtEpoch).toBe(initial.records['/home|user'][1000].space.graceExpiresAt)
  })

  it('unset clears a running timer (kept as 0: "not started")', () => {
    const r = setup().run(['set-user', '1003', '--inode', 'unset', '/home', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(timerOf(r.state, '/home|user', 1003, 'inodes')).toBe(0)
    expect(r.json().items[0].timers[0]).toMatchObject({resource: 'inodes', outcome: 'kept', requested: {expiresAt: null, expiresAtEpoch: null}, after: {expiresAt: null, expiresAtEpoch: null}})
  })

  it('any id, even under its soft limit: written, dropped by the kernel, a warning (exit 0)', () => {
    const r = setup().run(['set-user', '1002', '--block', '1d', '/home', '--json'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('quotakit grace set-user: warning: /home: 1002 is not over its block soft limit; the kernel keeps no block timer for it\n')
    expect(r.json().items[0].timers[0]).toMatchObject({outcome: 'dropped', after: {expiresAtEpoch: null}})
  })

  it('both sides, several names and filesystems, names and mounts mixed', () => {
    const r = setup().run(['set-user', '/home', '1000', '--block', '1h', '--inode', '2h', '1001', '/old', '--json'])
    expect(r.status).toBe(0)
    const out = r.json()
    expect(out.items.map((i: {name: string; mountpoint: string}) => `${i.name} ${i.mountpoint}`)).toEqual(['1000 /home', '1000 /old', '1001 /home', '1001 /old'])
    near(timerOf(r.state, '/home|user', 1001), now() + 3600)
    near(timerOf(r.state, '/old|user', 1000), now() + 3600)
  })

  it('XFS: a timer over the soft limit is kept', () => {
    const r = setup().run(['set-user', '1000', '--block', '3000w', '/srv', '--json'])
    expect(r.status).toBe(0)
    near(timerOf(r.state, '/srv|user', 1000), now() + 3000 * 604_800)
    expect(r.json().items[0].timers[0].outcome).toBe('kept')
  })

  it('XFS: unset over the soft limit is refused (XFS would enforce it at once), exit 1, nothing written', () => {
    const initial = graceState()
    const r = setup(initial).run(['set-user', '1000', '--block', 'unset', '/srv', '--json'])
    expect(r.status).toBe(1)
    expect(r.stderr.split('\n')).toEqual([
      'quotakit grace set-user: /srv: 1000: not clearing the block timer: 1000 is over its soft limit, and XFS stores an unset timer as its earliest expiry, which enforces the soft limit at once',
      'hint: give a duration instead (e.g. --block 7d), or --force to write it anyway',
      '',
    ])
    expect(r.state.records['/srv|user']).toEqual(initial.records['/srv|user'])
    expect(r.json().items[0].timers[0]).toMatchObject({outcome: 'refused', after: null})
    expect(setup().run(['set-user', '1000', '--block', 'unset', '--force', '/srv']).status).toBe(0)
  })

  it('a kernel that ignores timer writes (<= 4.9): reported as ignored, exit 1', () => {
    const r = setup(graceState({timerWrites: 'ignored'})).run(['set-user', '1000', '--block', '2d', '/home', '--json'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^quotakit grace set-user: \/home: 1000: the kernel did not keep the block timer \(it holds \d{4}-/)
    expect(r.json().items[0].timers[0].outcome).toBe('ignored')
  })

  it('in a pipe: one row per timer', () => {
    const r = setup().run(['set-user', '1000', '--block', '2d', '--inode', '1d', '/home'])
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0].split(/\s{2,}/)).toEqual(['Name', 'Filesystem', 'Limit', 'Requested', 'Kernel holds', 'Grace', 'Outcome'])
    expect(lines[1]).toMatch(/^1000 +\/home +block +\S+Z +\S+Z +2days +kept$/)
    expect(lines[2]).toMatch(/^1000 +\/home +inode +\S+Z +unset +- +dropped$/)
  })
})

describe('grace set-user, errors', () => {
  it.each([
    [['set-user', '--block', '1d', '/home'], 64, 'quotakit grace set-user: no NAME given'],
    [['set-user', '1000', '/home'], 64, 'quotakit grace set-user: nothing to set'],
    [['set-user', '1000', '--block', 'soon', '/home'], 64, "quotakit grace set-user: unparsable block grace time 'soon': use seconds or a number with s, m, h, d or w"],
    [['set-user', '1000', '--block', '1d'], 64, 'quotakit grace set-user: no filesystem given'],
    [['set-user', 'no-such-user-here', '--block', '1d', '/home'], 67, "quotakit grace set-user: unknown user 'no-such-user-here'"],
    [['set-user', '-P', '42', '--block', '1d', '/home'], 69, 'quotakit grace set-user: /home: project quota is not on'],
  ])('%j -> exit %i', (args, status, line) => {
    const initial = graceState()
    const r = setup(initial).run(args as string[])
    expect(r.status).toBe(status)
    expect(r.stderr.split('\n')[0]).toBe(line)
    expect(r.state.records).toEqual(initial.records)
  })
})
