// repquota through the real CLI (bin/run.js, built) against the fake kernel in a state file. The
// exact layouts are proven by the golden tests in test/output; here: flags, selection, names,
// formats, exit codes. Only root (id 0) is assumed to have a name; other ids print as #id.

import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {buildQuotaFile} from '../../src/quotafile/writer.js'

import type {FakeState} from '../../src/testing/fake-backend.js'
import {fakeState, quotakit, requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'

const KiB = 1024
const now = () => Math.floor(Date.now() / 1000)

const grace = {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}
const record = (id: number, [used, soft, hard, btime]: number[], [inodes, isoft, ihard, itime]: number[]) => ({
  id,
  space: {usedBytes: used * KiB, softLimitBytes: soft * KiB, hardLimitBytes: hard * KiB, graceExpiresAt: btime},
  inodes: {used: inodes, softLimit: isoft, hardLimit: ihard, graceExpiresAt: itime},
})

function state(): FakeState {
  const t = now()
  return {
    filesystems: [
      {
        mountpoint: '/home',
        device: '/dev/vdb',
        fstype: 'ext4',
        devMajor: 253,
        devMinor: 16,
        options: ['rw'],
        quotas: {
          user: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace},
          group: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace},
        },
      },
      {
        mountpoint: '/srv',
        device: '/dev/vdc',
        fstype: 'xfs',
        devMajor: 253,
        devMinor: 32,
        options: ['rw'],
        quotas: {user: {accounting: true, enforcement: true, format: 'xfs', systemFile: true, grace: {blockGraceSeconds: 3600, inodeGraceSeconds: 90_000}}},
      },
      {mountpoint: '/', device: '/dev/vda1', fstype: 'ext4', devMajor: 253, devMinor: 1, options: ['rw'], quotas: {}},
    ],
    records: {
      '/home|user': {
        0: record(0, [13, 0, 0, 0], [2, 0, 0, 0]),
        4242: record(4242, [2001, 2000, 2000, t + 3600], [6, 3, 5, t + 3600]),
        4243: record(4243, [3001, 2000, 4000, t + 604_800], [17, 10, 20, t + 604_800]),
        4244: record(4244, [101, 100, 0, t - 1], [5, 0, 0, 0]),
        5000: record(5000, [0, 100, 200, 0], [0, 0, 0, 0]),
        5001: record(5001, [0, 0, 0, 0], [0, 0, 0, 0]),
      },
      '/home|group': {0: record(0, [13, 0, 0, 0], [2, 0, 0, 0])},
      '/srv|user': {0: record(0, [4, 0, 0, 0], [1, 0, 0, 0])},
    },
  }
}

const HOME_HEADER = [
  '*** Report for user quotas on device /dev/vdb',
  'Block grace time: 7days; Inode grace time: 7days',
  '                        Block limits                File limits',
  'User            used    soft    hard  grace    used  soft  hard  grace',
  '----------------------------------------------------------------------',
]
const HOME_ROWS = [
  'root      --      13       0       0              2     0     0       ',
  '#4242     ++    2001    2000    2000  01:00       6     3     5  01:00',
  '#4243     ++    3001    2000    4000  7days      17    10    20  7days',
  '#4244     +-     101     100       0   none       5     0     0       ',
]

function repquota(args: string[], s: FakeState = state()) {
  return quotakit(['repquota', ...args], {QUOTAKIT_FAKE_STATE: fakeState(s)})
}

beforeAll(() => requireBuild())

describe('repquota default output', () => {
  it('is linuxquota\'s layout, ids without usage skipped', () => {
    const r = repquota(['/home'])
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toBe([...HOME_HEADER, ...HOME_ROWS, '', '', ''].join('\n'))
  })

  it('-v adds every id the kernel returned', () => {
    const r = repquota(['-v', '/home'])
    expect(r.stdout.split('\n').filter((l) => l.startsWith('#50'))).toEqual([
      '#5000     --       0     100     200              0     0     0       ',
      '#5001     --       0       0       0              0     0     0       ',
    ])
  })

  it('--with-limits adds ids with limits but no usage, not the empty ones', () => {
    const rows = repquota(['--with-limits', '/home']).stdout.split('\n')
    expect(rows.filter((l) => l.startsWith('#50')).map((l) => l.slice(0, 5))).toEqual(['#5000'])
  })

  it('--only NAME (repeatable, names or ids) reports just those, in that order, even without usage', () => {
    const r = repquota(['--only', '5001', '--only', 'root', '/home'])
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n').slice(5, 7)).toEqual([
      '#5001     --       0       0       0              0     0     0       ',
      'root      --      13       0       0              2     0     0       ',
    ])
  })

  it('--only with an unknown name is exit 67 before anything is read', () => {
    const r = repquota(['--only', 'no-such-user-x', '/home'])
    expect(r.status).toBe(67)
    expect(r.stderr.split('\n')[0]).toBe("quotakit repquota: unknown user 'no-such-user-x'")
  })

  it('-n prints #id even for known names', () => {
    expect(repquota(['-n', '/home']).stdout.split('\n')[5]).toBe('#0        --      13       0       0              2     0     0       ')
  })

  it('-p prints raw grace epochs', () => {
    const lines = repquota(['-p', '/home']).stdout.split('\n')
    expect(lines[5]).toBe('root      --      13       0       0      0       2     0     0      0')
    expect(lines[6]).toMatch(/^#4242 {5}\+\+ {4}2001 {4}2000 {4}2000 \d{10} {7}6 {5}3 {5}5 \d{10}$/)
  })

  it('-u -g: one report each; -a: every filesystem with that type on, XFS included', () => {
    const ug = repquota(['-ug', '/home']).stdout
    expect(ug).toContain('*** Report for user quotas on device /dev/vdb\n')
    expect(ug).toContain('*** Report for group quotas on device /dev/vdb\n')
    const all = repquota(['-a']).stdout
    expect(all.match(/^\*\*\* Report for user quotas on device (\S+)$/gm)).toEqual([
      '*** Report for user quotas on device /dev/vdb',
      '*** Report for user quotas on device /dev/vdc',
    ])
    expect(all).toContain('Block grace time: 01:00; Inode grace time: 25:00\n')
  })

  it('a device names the filesystem as well as its mountpoint', () => {
    expect(repquota(['/dev/vdb']).stdout).toBe(repquota(['/home']).stdout)
  })
})

describe('repquota -s / --human-readable', () => {
  it.each([
    [['-s', '/home'], '#4243     ++   3001K   2000K   4000K  7days      17    10    20  7days'],
    [['-sg,k', '/home'], '#4243     ++      1G      1G      1G  7days      1k    1k    1k  7days'],
    [['--human-readable=g,k', '/home'], '#4243     ++      1G      1G      1G  7days      1k    1k    1k  7days'],
    [['-s=m,', '/home'], '#4243     ++      3M      2M      4M  7days      17    10    20  7days'],
    [['-s,k', '/home'], '#4243     ++    3001    2000    4000  7days      1k    1k    1k  7days'],
  ])('%j', (args, row) => {
    const r = repquota(args)
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n')[7]).toBe(row)
  })

  it('-s alone does not swallow the next flag: -svu is -s -v -u', () => {
    const r = repquota(['-svu', '/home'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Space limits')
    expect(r.stdout).toContain('#5001 ')
  })

  it('Space limits header only when space is not raw', () => {
    expect(repquota(['-s', '/home']).stdout.split('\n')[2]).toBe('                        Space limits                File limits')
    expect(repquota(['-s,k', '/home']).stdout.split('\n')[2]).toBe('                        Block limits                File limits')
  })

  it('bad units are a usage error', () => {
    const r = repquota(['--human-readable=x,k', '/home'])
    expect(r.status).toBe(64)
    expect(r.stderr).toContain("unparsable human-readable units 'x,k'")
  })
})

describe('repquota -O', () => {
  it('csv: Filesystem column first', () => {
    const r = repquota(['-O', 'csv', '/home'])
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'Filesystem,User,BlockStatus,FileStatus,BlockUsed,BlockSoftLimit,BlockHardLimit,BlockGrace,FileUsed,FileSoftLimit,FileHardLimit,FileGrace',
      '/home,root,ok,ok,13,0,0,,2,0,0,',
      '/home,#4242,hard,hard,2001,2000,2000,01:00,6,3,5,01:00',
    ])
  })

  it('xml: well-formed, one document', () => {
    const r = repquota(['-Oxml', '-ug', '/home'])
    expect(r.stdout.startsWith('<?xml version="1.0"?>\n<repquota>\n<Report type=\'user\' dev=\'/dev/vdb\' mountpoint=\'/home\'>\n')).toBe(true)
    expect(r.stdout).toContain(" <Quota group='root' id='0'>")
    expect(r.stdout.endsWith('</Report>\n</repquota>\n')).toBe(true)
  })

  it.each([[['--json']], [['-O', 'json']]])('%j: the JSON contract', (flag) => {
    const r = repquota([...flag, '/home'])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(schemaErrors('repquota', out)).toEqual([])
    expect(out.schemaVersion).toBe(1)
    expect(out.reports).toHaveLength(1)
    const {entries, ...header} = out.reports[0]
    expect(header).toEqual({
      mountpoint: '/home',
      device: '/dev/vdb',
      fstype: 'ext4',
      type: 'user',
      format: 'vfsv0',
      blockGraceSeconds: 604_800,
      inodeGraceSeconds: 604_800,
      accounting: true,
      enforcement: true,
      systemFile: false,
    })
    expect(entries.map((e: {id: number; name: string | null}) => [e.id, e.name])).toEqual([
      [0, 'root'],
      [4242, null],
      [4243, null],
      [4244, null],
    ])
    expect(entries[3].space).toMatchObject({usedBytes: 101 * KiB, softLimitBytes: 100 * KiB, hardLimitBytes: null, status: 'expired'})
    expect(entries[3].space.graceExpiresAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(entries[0].inodes).toEqual({used: 2, softLimit: null, hardLimit: null, graceExpiresAt: null, graceExpiresAtEpoch: null, status: 'ok'})
  })
})

describe('repquota --json schema', () => {
  it.each([[['-a', '-v']], [['-ug', '--only', 'root', '/home']], [['-n', '--with-limits', '/home']]])('%j validates', (args) => {
    const r = repquota(['--json', ...args])
    expect(r.status).toBe(0)
    expect(schemaErrors('repquota', JSON.parse(r.stdout))).toEqual([])
  })
})

describe('repquota errors and exit codes', () => {
  it.each([
    [['/home', '-a'], 64, 'quotakit repquota: -a and mount arguments exclude each other (got /home)'],
    [[], 64, 'quotakit repquota: no filesystem given'],
    [['/nope'], 64, "quotakit repquota: '/nope' is not a mounted filesystem"],
    [['-g', '/srv'], 69, 'quotakit repquota: /srv: group quota is not on'],
    [['-n', '-t', '/home'], 64, undefined],
    [['-F', 'rpc', '/home'], 64, 'quotakit repquota: repquota cannot report through RPC'],
    [['-O', 'yaml', '/home'], 64, undefined],
  ])('%j -> %d', (args, status, line) => {
    const r = repquota(args)
    expect(r.status).toBe(status)
    expect(r.stdout).toBe('')
    if (line) expect(r.stderr.split('\n')[0]).toBe(line)
  })

  it('-ug where group quota is off on one mount: reports the rest, then exit 1', () => {
    const r = repquota(['-ug', '/home', '/srv'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('*** Report for group quotas on device /dev/vdb')
    expect(r.stderr).toContain('quotakit repquota: /srv: group quota is not on')
  })

  it('no filesystem with quota under -a is an empty report, exit 0', () => {
    const s = state()
    s.filesystems = s.filesystems.filter((f) => f.mountpoint === '/')
    const r = repquota(['-a'], s)
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
  })

  it('-c, -C, -i and -F vfsv0 are accepted for linuxquota compatibility', () => {
    expect(repquota(['-c', '-C', '-i', '-F', 'vfsv0', '/home']).status).toBe(0)
  })
})

describe('repquota from the active quota file (vfsv0/vfsv1 with quota on)', () => {
  // The fake kernel and the file disagree on purpose, so each row shows where it came from.
  function setup(file?: (dir: string) => void) {
    const dir = mkdtempSync(join(tmpdir(), 'quotakit-active-'))
    file?.(dir)
    const s: FakeState = {
      filesystems: [
        {
          mountpoint: dir,
          device: '/dev/vdq',
          fstype: 'ext4',
          devMajor: 253,
          devMinor: 48,
          options: ['rw', 'usrquota'],
          quotas: {user: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace}},
        },
      ],
      records: {[`${dir}|user`]: {7777: record(7777, [1, 0, 0, 0], [1, 0, 0, 0])}},
    }
    return {dir, s}
  }
  const fromFile = [record(0, [13, 0, 0, 0], [2, 0, 0, 0]), record(4242, [50, 100, 200, 0], [4, 0, 0, 0]), record(5000, [0, 10, 20, 0], [0, 0, 0, 0])]
  const writeAquota = (dir: string) => writeFileSync(join(dir, 'aquota.user'), buildQuotaFile({type: 'user', format: 'vfsv0', grace, records: fromFile}))
  const rows = (stdout: string) => stdout.split('\n').filter((l) => /^(root|#)/.test(l)).map((l) => l.split(/\s+/).slice(0, 3).join(' '))

  it('reads the file: its rows, -v and --with-limits selection as for the kernel', () => {
    const {dir, s} = setup(writeAquota)
    const r = repquota(['-u', dir], s)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['*** Report for user quotas on device /dev/vdq', 'Block grace time: 7days; Inode grace time: 7days'])
    expect(rows(r.stdout)).toEqual(['root -- 13', '#4242 -- 50'])
    expect(rows(repquota(['-v', dir], s).stdout)).toEqual(['root -- 13', '#4242 -- 50', '#5000 -- 0'])
    expect(rows(repquota(['--with-limits', dir], s).stdout)).toEqual(['root -- 13', '#4242 -- 50', '#5000 -- 0'])
  })

  // ids 0, 4242 and 5000: the header, one index block at each of the first three levels, three at
  // the last (ids >> 8 = 0, 16, 19) and one data block holding all three entries
  const STATISTICS = '\n\nStatistics:\nTotal blocks: 8\nData blocks: 1\nEntries: 3\nUsed average: 3.000000\n\n'

  it("-v ends with the file's tree statistics, as linuxquota's does; not without -v, not from the kernel, not in JSON", () => {
    const {dir, s} = setup(writeAquota)
    const verbose = repquota(['-v', dir], s)
    expect(verbose.status).toBe(0)
    expect(verbose.stdout.endsWith(`#5000     --       0      10      20              0     0     0       ${STATISTICS}`)).toBe(true)
    expect(repquota([dir], s).stdout.endsWith('#4242     --      50     100     200              4     0     0       \n\n\n')).toBe(true)
    expect(repquota(['-v', '--from-kernel', dir], s).stdout).not.toContain('Statistics:')
    const json = JSON.parse(repquota(['-v', '--json', dir], s).stdout)
    expect(schemaErrors('repquota', json)).toEqual([])
    expect(Object.keys(json.reports[0]).sort()).toEqual(
      ['accounting', 'blockGraceSeconds', 'device', 'enforcement', 'entries', 'format', 'fstype', 'inodeGraceSeconds', 'mountpoint', 'systemFile', 'type'],
    )
  })

  it('-F vfsv0 on a filesystem whose quota is off reads the file, statistics included with -v', () => {
    const {dir, s} = setup(writeAquota)
    s.filesystems[0].quotas = {}
    const r = repquota(['-v', '-F', 'vfsv0', dir], s)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(rows(r.stdout)).toEqual(['root -- 13', '#4242 -- 50', '#5000 -- 0'])
    expect(r.stdout.endsWith(STATISTICS)).toBe(true)
  })

  it('--from-kernel and QUOTAKIT_REPQUOTA_FROM_KERNEL=1 ask the kernel instead; so does --only', () => {
    const {dir, s} = setup(writeAquota)
    expect(rows(repquota(['--from-kernel', dir], s).stdout)).toEqual(['#7777 -- 1'])
    const env = quotakit(['repquota', dir], {QUOTAKIT_FAKE_STATE: fakeState(s), QUOTAKIT_REPQUOTA_FROM_KERNEL: '1'})
    expect(rows(env.stdout)).toEqual(['#7777 -- 1'])
    expect(rows(repquota(['--only', '7777', '--only', '4242', dir], s).stdout)).toEqual(['#7777 -- 1', '#4242 -- 0'])
  })

  it('no file: the kernel, silently', () => {
    const {dir, s} = setup()
    const r = repquota([dir], s)
    expect([r.status, r.stderr, rows(r.stdout)]).toEqual([0, '', ['#7777 -- 1']])
  })

  it('a damaged file: the kernel, with one warning line', () => {
    const {dir, s} = setup((d) => {
      const buf = buildQuotaFile({type: 'user', format: 'vfsv0', grace, records: fromFile})
      buf.writeUInt32LE(77, 1024)
      writeFileSync(join(d, 'aquota.user'), buf)
    })
    const r = repquota([dir], s)
    expect(r.status).toBe(0)
    expect(rows(r.stdout)).toEqual(['#7777 -- 1'])
    expect(r.stderr).toBe(
      `quotakit repquota: warning: ${join(dir, 'aquota.user')}: corrupt quota file at byte 1024: index block 1 (level 0) entry 0 refers to block 77, beyond the 8 blocks the header declares; asking the kernel for every id instead\n`,
    )
  })

  it('DEBUG=quota:file says which source each report used', () => {
    const {dir, s} = setup(writeAquota)
    const r = quotakit(['repquota', dir], {QUOTAKIT_FAKE_STATE: fakeState(s), DEBUG: 'quota:file'})
    expect(r.stderr).toBe(`quota:file ${dir} user: 3 records from ${join(dir, 'aquota.user')} after Q_SYNC\n`)
  })
})
