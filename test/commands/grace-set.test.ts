// grace set through the real CLI against the fake kernel: periods written and read back, a period
// of 0 refused without --force per format, the JSON contract, exit codes. Needs `npm run build`.

import {beforeAll, describe, expect, it} from 'vitest'

import {requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'
import {graceState, setup} from './grace-fixture.js'

beforeAll(() => {
  requireBuild()
  schemaErrors('error', {})
})

const graceOf = (state: ReturnType<typeof graceState>, mountpoint: string, type: 'user' | 'group' | 'project' = 'user') =>
  state.filesystems.find((f) => f.mountpoint === mountpoint)?.quotas[type]?.grace

describe('grace set', () => {
  it('sets both periods with human durations, reads them back, and says so in JSON', () => {
    const r = setup().run(['set', '--block', '7d', '--inode', '3d', '/home', '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(graceOf(r.state, '/home')).toEqual({blockGraceSeconds: 604_800, inodeGraceSeconds: 259_200})
    const out = r.json()
    expect(schemaErrors('grace-set', out)).toEqual([])
    expect(out).toEqual({
      schemaVersion: 1,
      type: 'user',
      requested: {blockGraceSeconds: 604_800, inodeGraceSeconds: 259_200},
      filesystems: [
        {
          mountpoint: '/home',
          device: '/dev/vdb',
          fstype: 'ext4',
          format: 'vfsv1',
          before: {blockGraceSeconds: 600, inodeGraceSeconds: 3600},
          after: {blockGraceSeconds: 604_800, inodeGraceSeconds: 259_200},
          status: 'applied',
          error: null,
        },
      ],
    })
  })

  it('one side only leaves the other alone; plain numbers are seconds', () => {
    const r = setup().run(['set', '--inode', '90', '/home'])
    expect(r.status).toBe(0)
    expect(graceOf(r.state, '/home')).toEqual({blockGraceSeconds: 600, inodeGraceSeconds: 90})
  })

  it('-a: every filesystem with that type on; -P and -g pick the type; XFS too', () => {
    const {run} = setup()
    let r = run(['set', '--block', '2h', '-a'])
    expect(r.status, r.stderr).toBe(0)
    for (const m of ['/home', '/old', '/srv', '/legacy']) expect(graceOf(r.state, m)?.blockGraceSeconds).toBe(7200)
    r = run(['set', '-P', '--block', '1w', '/srv'])
    expect(r.status).toBe(0)
    expect(graceOf(r.state, '/srv', 'project')).toEqual({blockGraceSeconds: 604_800, inodeGraceSeconds: 90_000})
    expect(graceOf(r.state, '/home', 'group')).toEqual({blockGraceSeconds: 600, inodeGraceSeconds: 3600})
  })

  it('prints what the kernel holds, as repquota words, in a pipe', () => {
    const r = setup().run(['set', '--block', '7d', '--inode', '1h', '/home', '/srv'])
    expect(r.stdout).toBe(
      ['Filesystem  Quota  Format  Block grace  Inode grace  Status', '/home       user   vfsv1         7days        01:00  applied', '/srv        user   xfs           7days        01:00  applied', ''].join('\n'),
    )
  })
})

describe('grace set 0', () => {
  it.each([
    ['/home', 'vfsv1', /on vfsv1 a grace period of 0 means no grace: a write past the soft limit fails at once \(EDQUOT\)/],
    ['/old', 'vfsv0', /on vfsv0 a grace period of 0 means no grace/],
    ['/srv', 'xfs', /on XFS a grace period of 0 means no grace: .* until the next mount replaces 0 with the 7-day default/],
  ])('%s (%s): refused without --force, exit 64, nothing changed', (mount, _format, why) => {
    const initial = graceState()
    const r = setup(initial).run(['set', '--block', '0', '--inode', '7d', mount])
    expect(r.status).toBe(64)
    const [line, hint] = r.stderr.trimEnd().split('\n')
    expect(line).toMatch(/^quotakit grace set: refusing a grace period of 0: /)
    expect(line).toMatch(why)
    expect(hint).toBe('hint: add --force if that is what you want, or give a period such as 7d')
    expect(graceOf(r.state, mount)).toEqual(graceOf(initial, mount))
  })

  it('with --force: applied, and stderr still says what it means', () => {
    const r = setup().run(['set', '--block', '0', '--force', '/home'])
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(/^quotakit grace set: warning: on vfsv1 a grace period of 0 means no grace/)
    expect(graceOf(r.state, '/home')?.blockGraceSeconds).toBe(0)
  })

  it('one filesystem needing --force stops every one (-a), before any change', () => {
    const initial = graceState()
    const r = setup(initial).run(['set', '--inode', '0', '-a'])
    expect(r.status).toBe(64)
    expect(r.state.filesystems).toEqual(initial.filesystems)
  })

  it('vfsold reads 0 as its 7-day default: no --force, a note on stderr', () => {
    const r = setup().run(['set', '--block', '0', '/legacy'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("quotakit grace set: warning: on vfsold a grace period of 0 means the kernel's 7-day default\n")
  })
})

describe('grace set, errors', () => {
  it.each([
    [['set', '/home'], 64, 'quotakit grace set: nothing to set'],
    [['set', '--block', '7x', '/home'], 64, "quotakit grace set: unparsable block grace period '7x': use seconds or a number with s, m, h, d or w"],
    [['set', '--block', '3000000000', '/home'], 64, "quotakit grace set: block grace period '3000000000' is too long (at most 2147483647 seconds)"],
    [['set', '--block', '7d'], 64, 'quotakit grace set: no filesystem given'],
    [['set', '-u', '-g', '--block', '7d', '/home'], 64, null],
    [['set', '-P', '--block', '7d', '/home'], 69, 'quotakit grace set: /home: project quota is not on'],
    [['set', '-g', '--block', '7d', '-a', '/home'], 64, 'quotakit grace set: -a and mount arguments exclude each other (got /home)'],
  ])('%j -> exit %i', (args, status, line) => {
    const r = setup().run(args as string[])
    expect(r.status).toBe(status)
    if (line) expect(r.stderr.split('\n')[0]).toBe(line)
  })
})
