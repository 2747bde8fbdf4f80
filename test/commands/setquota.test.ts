// setquota through the real CLI (bin/run.js, built) against the fake kernel in a state file: exit
// codes, stderr and the resulting records as a script would see them. Needs `npm run build`.
// Names: root (uid/gid 0) exists everywhere; other ids are numeric so no passwd entry is assumed.

import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import type {FakeState} from '../../src/testing/fake-backend.js'
import {fakeState, quotakit, requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'

const KiB = 1024
const GiB = 1024 ** 3

function state(): FakeState {
  const fs = (mountpoint: string, device: string, format: 'vfsv0' | 'vfsv1', group: boolean) => ({
    mountpoint,
    device,
    fstype: 'ext4',
    devMajor: 253,
    devMinor: 16,
    options: ['rw'],
    quotas: {
      user: {accounting: true, enforcement: true, format, systemFile: format === 'vfsv1', grace: {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}},
      ...(group ? {group: {accounting: true, enforcement: true, format, systemFile: false, grace: {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}}} : {}),
    },
  })
  return {
    filesystems: [fs('/home', '/dev/vdb', 'vfsv1', true), fs('/srv', '/dev/vdc', 'vfsv0', false), {...fs('/', '/dev/vda1', 'vfsv1', false), quotas: {}}],
    records: {
      '/home|user': {
        '1001': {
          id: 1001,
          space: {usedBytes: 3000 * KiB, softLimitBytes: 2000 * KiB, hardLimitBytes: 4000 * KiB, graceExpiresAt: 0},
          inodes: {used: 17, softLimit: 10, hardLimit: 20, graceExpiresAt: 0},
        },
      },
    },
  }
}

interface Setup {
  file: string
  run: (args: string[], input?: string) => ReturnType<typeof quotakit> & {state: FakeState}
}

function setup(initial: FakeState = state()): Setup {
  const file = fakeState(initial)
  return {
    file,
    run(args, input) {
      const env = {QUOTAKIT_FAKE_STATE: file}
      const r = quotakit(['setquota', ...args], env, input)
      return {...r, state: JSON.parse(readFileSync(file, 'utf8')) as FakeState}
    },
  }
}

const rec = (s: FakeState, key: string, id: number) => s.records[key]?.[String(id)]
const limitsOf = (s: FakeState, key: string, id: number) => {
  const r = rec(s, key, id)
  return r && [r.space.softLimitBytes, r.space.hardLimitBytes, r.inodes.softLimit, r.inodes.hardLimit]
}

beforeAll(() => {
  requireBuild()
  schemaErrors('error', {}) // registers error.schema.json, which setquota.schema.json refers to
})

const valid = (stdout: string) => expect(schemaErrors('setquota', JSON.parse(stdout))).toEqual([])

describe('setquota NAME BSOFT BHARD ISOFT IHARD', () => {
  it('sets all four limits, linuxquota units (KiB default) and ours, quietly', () => {
    const {run} = setup()
    const r = run(['1002', '2000', '4M', '10k', 'none', '/home'])
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([2000 * KiB, 4 * KiB * KiB, 10_000, 0])
  })

  it('repeated values keep their places (oclif reorders its own argv)', () => {
    const r = setup().run(['1002', '0', '0', '100', '0', '/home'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([0, 0, 100, 0])
  })

  it('IEC and SI byte units', () => {
    const {run} = setup()
    const r = run(['1002', '10GiB', '500MB', '0', '0x10', '/home'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([10 * GiB, 500_000_000, 0, 16])
  })

  it('a mountpoint or a device, several at once, or -a', () => {
    const {run} = setup()
    expect(run(['1002', '1', '2', '3', '4', '/dev/vdb', '/srv/']).status).toBe(0)
    const r = run(['-a', '1003', '1', '2', '3', '4'])
    expect(r.status).toBe(0)
    for (const key of ['/home|user', '/srv|user']) {
      expect(limitsOf(r.state, key, 1002)).toEqual([KiB, 2 * KiB, 3, 4])
      expect(limitsOf(r.state, key, 1003)).toEqual([KiB, 2 * KiB, 3, 4])
    }
  })

  it('group and project by flag; names resolve (root)', () => {
    const {run} = setup()
    const r = run(['-g', 'root', '1', '2', '3', '4', '/home'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/home|group', 0)).toEqual([KiB, 2 * KiB, 3, 4])
  })

  it('soft above hard warns on stderr and still applies', () => {
    const {run} = setup()
    const r = run(['1002', '3G', '2G', '10', '5', '/home'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe(
      'quotakit setquota: warning: 1002: space soft limit is above the hard limit; the hard limit is reached first\n' +
        'quotakit setquota: warning: 1002: inode soft limit is above the hard limit; the hard limit is reached first\n',
    )
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([3 * GiB, 2 * GiB, 10, 5])
  })

  it.each([
    [['1002', '10X', '2', '3', '4', '/home'], 64, "quotakit setquota: unparsable space limit '10X': valid units are K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB"],
    [['1002', '1', '2', '3K', '4', '/home'], 64, "quotakit setquota: unparsable inode limit '3K': valid units are k, m, g, t"],
    [['1002', '1', '2', '3', '/home'], 64, 'quotakit setquota: expected NAME BSOFT BHARD ISOFT IHARD followed by -a or mountpoints'],
    [['1002', '1', '2', '3', '4'], 64, 'quotakit setquota: no filesystem given'],
    [['-a', '1002', '1', '2', '3', '4', '/home'], 64, 'quotakit setquota: -a and mount arguments exclude each other (got /home)'],
    [['1002', '1', '2', '3', '4', '/nope'], 64, "quotakit setquota: '/nope' is not a mounted filesystem"],
    [['-g', '1002', '1', '2', '3', '4', '/srv'], 69, 'quotakit setquota: /srv: group quota is not on'],
    [['-P', '1002', '1', '2', '3', '4', '-a'], 69, 'quotakit setquota: no filesystem has project quota on'],
    [['no-such-user-x', '1', '2', '3', '4', '/home'], 67, "quotakit setquota: unknown user 'no-such-user-x'"],
    [['-u', '-g', '1002', '1', '2', '3', '4', '/home'], 64, undefined],
    [['-F', 'rpc', '1002', '1', '2', '3', '4', '/home'], 64, 'quotakit setquota: setting quota through RPC is not supported'],
    [['1002', '5T', '5T', '0', '0', '/srv'], 65, 'quotakit setquota: /srv: 1002: space soft limit of 5368709120 KiB is above the vfsv0 maximum of 4294967295 KiB (4 TiB - 1 KiB) (ERANGE)'],
    [['1002', '0', '0', '4294967296', '0', '/srv'], 65, 'quotakit setquota: /srv: 1002: inode soft limit of 4294967296 is above the vfsv0 maximum of 4294967295 inodes (ERANGE)'],
  ])('%j -> exit %d, nothing changed', (args, status, firstLine) => {
    const {run} = setup()
    const before = state().records
    const r = run(args)
    expect(r.status).toBe(status)
    expect(r.stdout).toBe('')
    if (firstLine) expect(r.stderr.split('\n')[0]).toBe(firstLine)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(r.state.records).toEqual(before)
  })

  it('the vfsv0 maximum itself is accepted', () => {
    const {run} = setup()
    const r = run(['1002', '4294967295', '4294967295', '4294967295', '4294967295', '/srv'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/srv|user', 1002)).toEqual([4294967295 * KiB, 4294967295 * KiB, 4294967295, 4294967295])
  })

  it('errors under --json are JSON on stdout with the same exit status', () => {
    const {run} = setup()
    const r = run(['--json', '-g', '1002', '1', '2', '3', '4', '/srv'])
    expect(r.status).toBe(69)
    expect(JSON.parse(r.stdout).error).toMatchObject({kind: 'unsupported', mount: '/srv', exitCode: 69})
  })
})

describe('setquota --space / --inodes', () => {
  it('--space changes only the space limits', () => {
    const {run} = setup()
    const r = run(['1001', '--space', '10G:12G', '/home'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/home|user', 1001)).toEqual([10 * GiB, 12 * GiB, 10, 20])
  })

  it('--inodes changes only the inode limits; both together work too', () => {
    const {run} = setup()
    expect(limitsOf(run(['1001', '--inodes', '1k:2k', '/home']).state, '/home|user', 1001)).toEqual([2000 * KiB, 4000 * KiB, 1000, 2000])
    expect(limitsOf(run(['1001', '--space', '0:none', '--inodes', '5:6', '/home']).state, '/home|user', 1001)).toEqual([0, 0, 5, 6])
  })

  it('--json tells what was sent: only the fields given', () => {
    const {run} = setup()
    const r = run(['1001', '--space', '1G:2G', '--json', '/home'])
    expect(r.status).toBe(0)
    valid(r.stdout)
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      type: 'user',
      mode: 'partial',
      items: [
        {
          line: null,
          name: '1001',
          id: 1001,
          status: 'applied',
          error: null,
          mounts: [{mountpoint: '/home', device: '/dev/vdb', change: {softLimitBytes: GiB, hardLimitBytes: 2 * GiB}, status: 'applied', error: null}],
        },
      ],
    })
  })

  it.each([
    [['1001', '--space', '10G', '/home'], "unparsable space limits '10G': expected SOFT:HARD"],
    [['1001', '--space', '1:2', '-p', 'root', '/home'], '-p and --space cannot be used together'],
    [['1001', '1', '2', '--inodes', '1:2', '/home'], undefined], // extra positional limits are taken as mounts: '1' is not mounted
  ])('%j is a usage error', (args, message) => {
    const r = setup().run(args)
    expect(r.status).toBe(64)
    if (message) expect(r.stderr).toContain(message)
  })
})

describe('setquota -p PROTO NAME...', () => {
  it('copies the four limits to every name, per filesystem', () => {
    const {run} = setup()
    const r = run(['-p', '1001', '1002', '1003', '/home'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([2000 * KiB, 4000 * KiB, 10, 20])
    expect(limitsOf(r.state, '/home|user', 1003)).toEqual([2000 * KiB, 4000 * KiB, 10, 20])
  })

  it('needs at least one name', () => {
    expect(setup().run(['-p', '1001', '/home']).status).toBe(64)
  })
})

describe('setquota -b / --file', () => {
  const good = '# limits\n1002 1 2 3 4\n\n   # indented comment\n1003 1G 2G 1k 2k\n'

  it('applies every line; comments, blank lines and a last line without newline are fine', () => {
    const {run} = setup()
    const r = run(['-b', '/home'], `${good}1004 5 6 7 8`)
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([KiB, 2 * KiB, 3, 4])
    expect(limitsOf(r.state, '/home|user', 1003)).toEqual([GiB, 2 * GiB, 1000, 2000])
    expect(limitsOf(r.state, '/home|user', 1004)).toEqual([5 * KiB, 6 * KiB, 7, 8])
  })

  it('--file reads the lines from a file', () => {
    const {run, file} = setup()
    const batch = join(file, '..', 'batch.txt')
    writeFileSync(batch, good)
    const r = run(['--file', batch, '-a'])
    expect(r.status).toBe(0)
    expect(limitsOf(r.state, '/srv|user', 1003)).toEqual([GiB, 2 * GiB, 1000, 2000])
  })

  it('a bad line in the middle: nothing applied, exit 65, the error names the line', () => {
    const {run} = setup()
    const r = run(['-b', '/home'], '1002 1 2 3 4\n1003 10X 2 3 4\n1004 1 2 3 4\n')
    expect(r.status).toBe(65)
    expect(r.stderr.split('\n')[0]).toBe(
      "quotakit setquota: line 2: unparsable space limit '10X': valid units are K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB",
    )
    expect(r.state.records).toEqual(state().records)
  })

  it('the exit status is the first bad line\'s, whatever went wrong with it', () => {
    const r = setup().run(['-b', '/home'], 'no-such-user-x 1 2 3 4\n1003 10X 2 3 4\n')
    expect(r.status).toBe(67)
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      "quotakit setquota: line 1: unknown user 'no-such-user-x'",
      "quotakit setquota: line 2: unparsable space limit '10X': valid units are K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB",
    ])
  })

  it('an unknown name: nothing applied, exit 67', () => {
    const {run} = setup()
    const r = run(['-b', '/home'], '1002 1 2 3 4\nno-such-user-x 1 2 3 4\n')
    expect(r.status).toBe(67)
    expect(r.stderr.split('\n')[0]).toBe("quotakit setquota: line 2: unknown user 'no-such-user-x'")
    expect(r.state.records).toEqual(state().records)
  })

  it('every bad line is reported, not only the first', () => {
    const r = setup().run(['-b', '/home'], '1002 x 2 3 4\n1003 1 2 3\n1004 1 2 3 4\n')
    expect(r.stderr).toContain('line 1: ')
    expect(r.stderr).toContain('line 2: expected 5 fields NAME BSOFT BHARD ISOFT IHARD, found 4')
  })

  it.each([['-c'], ['--continue-batch'], ['--continue']])('%s applies the good lines and still exits 1', (flag) => {
    const {run} = setup()
    const r = run(['-b', flag, '/home'], '1002 1 2 3 4\n1003 10X 2 3 4\n1004 5 6 7 8\n')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("line 2: unparsable space limit '10X'")
    expect(limitsOf(r.state, '/home|user', 1002)).toEqual([KiB, 2 * KiB, 3, 4])
    expect(rec(r.state, '/home|user', 1003)).toBeUndefined()
    expect(limitsOf(r.state, '/home|user', 1004)).toEqual([5 * KiB, 6 * KiB, 7, 8])
  })

  it('a limit above the vfsv0 maximum is a bad line, checked before anything is applied', () => {
    const {run} = setup()
    const r = run(['-b', '/srv'], '1002 1 2 3 4\n1003 10T 0 0 0\n')
    expect(r.status).toBe(65)
    expect(r.stderr).toContain('/srv: line 2: space soft limit of 10737418240 KiB is above the vfsv0 maximum')
    expect(rec(r.state, '/srv|user', 1002)).toBeUndefined()
  })

  it('--json: one result per line', () => {
    const r = setup().run(['-b', '-c', '--json', '/home'], '1002 1 2 3 4\n# skip\n1003 10X 2 3 4\n')
    expect(r.status).toBe(1)
    valid(r.stdout)
    const items = JSON.parse(r.stdout).items
    expect(items.map((i: {line: number; name: string; status: string}) => [i.line, i.name, i.status])).toEqual([
      [1, '1002', 'applied'],
      [3, '1003', 'failed'],
    ])
    expect(items[1].error).toMatchObject({kind: 'data', exitCode: 65})
  })

  it('without -c under --json, the good lines say not-applied', () => {
    const r = setup().run(['-b', '--json', '/home'], '1002 1 2 3 4\n1003 10X 2 3 4\n')
    expect(r.status).toBe(65)
    valid(r.stdout)
    expect(JSON.parse(r.stdout).items.map((i: {status: string}) => i.status)).toEqual(['not-applied', 'failed'])
  })

  it('an unreadable --file is a usage error', () => {
    const r = setup().run(['--file', '/nonexistent/batch', '/home'])
    expect(r.status).toBe(64)
    expect(r.stderr).toContain('cannot read batch file /nonexistent/batch')
  })

  it.each([[['-b', '-t', '/home']], [['-b', '-p', 'root', '/home']], [['--file', 'x', '-T', '/home']]])('%j: forms exclude each other', (args) => {
    expect(setup().run(args).status).toBe(64)
  })
})

describe('setquota --json schema', () => {
  it.each([
    [['--json', '-t', '1d', '2h', '-a']],
    [['--json', '-T', '1001', '1h', 'unset', '/home']],
    [['--json', '-p', '1001', '1002', '1003', '-a']],
    [['--json', '1002', '0', 'none', '1k', '2k', '-a']],
  ])('%j validates', (args) => {
    const r = setup().run(args)
    expect(r.status).toBe(0)
    valid(r.stdout)
  })
})

describe('setquota -t / -T', () => {
  it('-t sets the grace periods, human durations allowed', () => {
    const {run} = setup()
    const r = run(['-t', '1d', '2h', '/home'])
    expect(r.status).toBe(0)
    expect(r.state.filesystems[0].quotas.user?.grace).toEqual({blockGraceSeconds: 86_400, inodeGraceSeconds: 7200})
    expect(run(['-t', '3600', '7days', '/home']).state.filesystems[0].quotas.user?.grace).toEqual({blockGraceSeconds: 3600, inodeGraceSeconds: 604_800})
  })

  it('-t with a bad duration is a usage error', () => {
    const r = setup().run(['-t', '1fortnight', '2h', '/home'])
    expect(r.status).toBe(64)
    expect(r.stderr.split('\n')[0]).toBe(
      "quotakit setquota: unparsable block grace time '1fortnight': use seconds or a number with s, m, h, d or w",
    )
  })

  it('-T sets the time left of an id over its soft limit; unset clears', () => {
    const {run} = setup()
    const before = Math.floor(Date.now() / 1000)
    const r = run(['-T', '1001', '2h', 'unset', '/home'])
    expect([r.status, r.stderr]).toEqual([0, ''])
    const got = rec(r.state, '/home|user', 1001)
    expect(got?.space.graceExpiresAt).toBeGreaterThanOrEqual(before + 7200)
    expect(got?.space.graceExpiresAt).toBeLessThanOrEqual(before + 7200 + 60)
    expect(got?.inodes.graceExpiresAt).toBe(0)
  })

  it('-T for an id under its soft limit warns that the kernel keeps no time', () => {
    const r = setup().run(['-T', '1002', '60', '60', '/home'])
    expect(r.status).toBe(0)
    expect(r.stderr).toContain('quotakit setquota: warning: /home: 1002 is not over its space soft limit')
  })
})
