// quotacheck through the real CLI (bin/run.js, built) against the fake kernel, scanning a real
// temporary directory that the fake state calls a mounted filesystem. The real-kernel proof is
// test/lab/quotacheck.test.ts; here: modes, flags, exit codes, JSON, the files written.

import {chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import type {Filesystem, QuotaRecord} from '../../src/core/types.js'
import {linuxquotaOrder} from '../../src/quotafile/order.js'
import {readQuotaFile} from '../../src/quotafile/reader.js'
import {buildQuotaFile} from '../../src/quotafile/writer.js'
import type {FakeState} from '../../src/testing/fake-backend.js'
import {fakeState, quotakit, requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'

const isRoot = process.getuid?.() === 0
const grace = {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}
let top: string
let fsRoot: string

type Usage = Map<number, {bytes: number; inodes: number}>

/** uid and gid usage of the tree, the obvious way (each inode once). */
function usageOf(dir: string, skip: (p: string) => boolean = () => false): {user: Usage; group: Usage} {
  const user: Usage = new Map()
  const group: Usage = new Map()
  const seen = new Set<number>()
  const add = (m: Usage, id: number, bytes: number) => {
    const u = m.get(id) ?? {bytes: 0, inodes: 0}
    u.bytes += bytes
    u.inodes++
    m.set(id, u)
  }
  const visit = (p: string) => {
    const st = lstatSync(p)
    if (seen.has(st.ino) || skip(p)) return
    seen.add(st.ino)
    add(user, st.uid, st.blocks * 512)
    add(group, st.gid, st.blocks * 512)
    if (st.isDirectory()) for (const n of readdirSync(p)) visit(join(p, n))
  }
  visit(dir)
  return {user, group}
}

const rec = (id: number, bytes: number, inodes: number, limits: Partial<QuotaRecord['space']> = {}, ilimits: Partial<QuotaRecord['inodes']> = {}): QuotaRecord => ({
  id,
  space: {usedBytes: bytes, softLimitBytes: 0, hardLimitBytes: 0, graceExpiresAt: 0, ...limits},
  inodes: {used: inodes, softLimit: 0, hardLimit: 0, graceExpiresAt: 0, ...ilimits},
})

const recordsOf = (u: Usage): Record<string, QuotaRecord> => Object.fromEntries([...u].map(([id, x]) => [id, rec(id, x.bytes, x.inodes)]))

function fs(overrides: Partial<Filesystem> = {}): Filesystem {
  return {
    mountpoint: fsRoot,
    device: '/dev/vdz',
    fstype: 'ext4',
    devMajor: 253,
    devMinor: 99,
    options: ['rw', 'usrquota', 'grpquota'],
    quotas: {
      user: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace},
      group: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace},
    },
    ...overrides,
  }
}

function run(args: string[], state: FakeState) {
  const file = fakeState(state)
  const r = quotakit(['quotacheck', ...args], {QUOTAKIT_FAKE_STATE: file})
  return {...r, state: () => JSON.parse(readFileSync(file, 'utf8')) as FakeState}
}

const json = (stdout: string) => JSON.parse(stdout)

beforeAll(() => {
  requireBuild()
  top = mkdtempSync(join(tmpdir(), 'quotakit-qc-'))
})
afterAll(() => rmSync(top, {recursive: true, force: true}))

beforeEach(() => {
  fsRoot = mkdtempSync(join(top, 'fs-'))
  mkdirSync(join(fsRoot, 'home/alice'), {recursive: true})
  writeFileSync(join(fsRoot, 'home/alice/notes'), Buffer.alloc(20_000, 1))
  mkdirSync(join(fsRoot, 'home/bob'))
  writeFileSync(join(fsRoot, 'home/bob/data'), Buffer.alloc(70_000, 2))
  if (isRoot) {
    for (const p of ['home/alice', 'home/alice/notes']) chownSync(join(fsRoot, p), 1000, 1000)
    for (const p of ['home/bob', 'home/bob/data']) chownSync(join(fsRoot, p), 1001, 50)
  }
})

describe('check (the default): compare with the kernel', () => {
  it('exit 0 and "consistent" when every id agrees; the JSON follows the schema', () => {
    const u = usageOf(fsRoot)
    const state: FakeState = {filesystems: [fs()], records: {[`${fsRoot}|user`]: recordsOf(u.user), [`${fsRoot}|group`]: recordsOf(u.group)}}
    const r = run(['-ug', fsRoot], state)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toContain(`${fsRoot} user quota (kernel, vfsv0): consistent, ${u.user.size} ids`)
    const j = run(['-ug', '--json', fsRoot], state)
    const out = json(j.stdout)
    expect(schemaErrors('quotacheck', out)).toEqual([])
    expect(out.mode).toBe('check')
    expect(out.filesystems[0].types.map((t: {status: string; source: string}) => [t.status, t.source])).toEqual([
      ['consistent', 'kernel'],
      ['consistent', 'kernel'],
    ])
    expect(out.filesystems[0].scan).toMatchObject({files: 2, directories: 4, skippedMounts: 0, issues: []})
  })

  it('exit 1 and a row per drifting id (both ways: missing usage, stale usage)', () => {
    const u = usageOf(fsRoot)
    const users = recordsOf(u.user)
    const first = Number(Object.keys(users)[0])
    users[first].inodes.used += 3
    users[4242] = rec(4242, 8192, 2)
    const r = run(['--json', fsRoot], {filesystems: [fs()], records: {[`${fsRoot}|user`]: users}})
    expect(r.status).toBe(1)
    const t = json(r.stdout).filesystems[0].types[0]
    expect(t.status).toBe('drift')
    expect(t.drift.map((d: {id: number; deltaInodes: number; deltaBytes: number}) => [d.id, d.deltaInodes, d.deltaBytes])).toEqual([
      [first, -3, 0],
      [4242, -2, -8192],
    ])
    const human = run([fsRoot], {filesystems: [fs()], records: {[`${fsRoot}|user`]: users}})
    expect(human.stdout).toContain('usage differs for 2 of')
    expect(human.stdout).toMatch(/#4242\s+8\s+0\s+-8\s+2\s+0\s+-2/)
  })

  it('without usage records at all, every scanned id is drift', () => {
    const r = run(['--json', fsRoot], {filesystems: [fs()], records: {}})
    expect(r.status).toBe(1)
    expect(json(r.stdout).filesystems[0].types[0].drift.length).toBe(usageOf(fsRoot).user.size)
  })

  it('project quota (-P) reads project ids: all 0 on this host', () => {
    const total = [...usageOf(fsRoot).user.values()].reduce((a, x) => ({bytes: a.bytes + x.bytes, inodes: a.inodes + x.inodes}), {bytes: 0, inodes: 0})
    const f = fs({quotas: {project: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, grace}}})
    const r = run(['-P', '--json', fsRoot], {filesystems: [f], records: {[`${fsRoot}|project`]: {0: rec(0, total.bytes, total.inodes)}}})
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(json(r.stdout).filesystems[0].types[0]).toMatchObject({type: 'project', status: 'consistent', ids: 1})
  })

  it('a type that is off, with no quota file: exit 69', () => {
    const r = run(['-g', fsRoot], {filesystems: [fs({options: ['rw'], quotas: {}})], records: {}})
    expect(r.status).toBe(69)
    expect(r.stderr).toContain(`quotakit quotacheck: ${fsRoot}: group quota is not on`)
  })
})

describe('--scan: how ext4 is read', () => {
  const consistent = (): FakeState => {
    const u = usageOf(fsRoot)
    return {filesystems: [fs()], records: {[`${fsRoot}|user`]: recordsOf(u.user), [`${fsRoot}|group`]: recordsOf(u.group)}}
  }

  it('auto: a device that cannot be read means walking the tree, and the JSON and -v say why', () => {
    const out = json(run(['-ug', '--json', fsRoot], consistent()).stdout)
    expect(schemaErrors('quotacheck', out)).toEqual([])
    expect(out.filesystems[0].scan).toMatchObject({method: 'walk', fallback: 'cannot open /dev/vdz: ENOENT'})
    const v = run(['-ugv', fsRoot], consistent())
    expect([v.status, v.stderr]).toEqual([0, ''])
    expect(v.stdout).toMatch(/scanned 2 files and 4 directories .* by walking the tree in [\d.]+ s \(inode tables not read: cannot open \/dev\/vdz: ENOENT\)/)
  })

  it('walk: no attempt, so no fallback to report; inodes: exit 2 with the reason', () => {
    const walked = json(run(['-ug', '--json', '--scan', 'walk', fsRoot], consistent()).stdout)
    expect(walked.filesystems[0].scan).toMatchObject({method: 'walk', fallback: null})
    const r = run(['-ug', '--scan', 'inodes', fsRoot], consistent())
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('cannot read the inode tables: cannot open /dev/vdz: ENOENT')
  })

  it('a filesystem that is not ext2/3/4 is walked in auto mode with no fallback to report; --scan inodes refuses it', () => {
    const state = consistent()
    state.filesystems = [fs({fstype: 'xfs'})]
    expect(json(run(['-ug', '--json', fsRoot], state).stdout).filesystems[0].scan).toMatchObject({method: 'walk', fallback: null})
    const r = run(['-ug', '--scan', 'inodes', fsRoot], state)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('xfs has no inode-table reader')
  })
})

describe('--fix', () => {
  it('writes the scanned usage into the kernel, keeps a running grace timer, exit 0', () => {
    const u = usageOf(fsRoot)
    const users = recordsOf(u.user)
    const [a] = Object.keys(users).map(Number)
    const real = users[a]
    users[a] = rec(a, real.space.usedBytes + 100 * 1024, real.inodes.used + 1, {softLimitBytes: 1024, graceExpiresAt: 1_900_000_000})
    users[4242] = rec(4242, 4096, 1)
    const r = run(['--fix', '--json', fsRoot], {filesystems: [fs()], records: {[`${fsRoot}|user`]: users}})
    expect([r.status, r.stderr]).toEqual([0, ''])
    const t = json(r.stdout).filesystems[0].types[0]
    expect(t.status).toBe('fixed')
    expect(t.drift.map((d: {fix: {status: string}}) => d.fix.status)).toEqual(['applied', 'applied'])
    const after = r.state().records[`${fsRoot}|user`]
    expect(after[a].space).toEqual({usedBytes: real.space.usedBytes, softLimitBytes: 1024, hardLimitBytes: 0, graceExpiresAt: 1_900_000_000})
    expect(after[a].inodes.used).toBe(real.inodes.used)
    expect(after[4242]).toBeUndefined() // no usage, no limits: the kernel drops it
    const again = run([fsRoot], r.state())
    expect(again.status).toBe(0)
  })

  it('XFS computes usage itself: drift cannot be fixed (exit 69)', () => {
    const f = fs({fstype: 'xfs', quotas: {user: {accounting: true, enforcement: true, format: 'xfs', systemFile: true, grace}}})
    const r = run(['--fix', fsRoot], {filesystems: [f], records: {}})
    expect(r.status).toBe(69)
    expect(r.stderr).toContain('XFS computes user usage itself')
  })
})

describe('quota files (quota off)', () => {
  const off = () => fs({quotas: {}})

  it('-c writes aquota.user and aquota.group from the scan; quotakit and the reader agree with the scan', () => {
    const u = usageOf(fsRoot)
    const r = run(['-cug', '--json', fsRoot], {filesystems: [off()], records: {}})
    expect([r.status, r.stderr]).toEqual([0, ''])
    const out = json(r.stdout)
    expect(schemaErrors('quotacheck', out)).toEqual([])
    expect(out.filesystems[0].types.map((t: {status: string}) => t.status)).toEqual(['written', 'written'])
    expect(out.filesystems[0].types[0].file).toMatchObject({path: join(fsRoot, 'aquota.user'), format: 'vfsv0', keptLimits: false, backup: null, quotaRestarted: false})
    const file = readQuotaFile(readFileSync(join(fsRoot, 'aquota.user')), {type: 'user', format: 'vfsv0'})
    expect(new Map(file.records.map((x) => [x.id, {bytes: x.space.usedBytes, inodes: x.inodes.used}]))).toEqual(u.user)
    expect(lstatSync(join(fsRoot, 'aquota.user')).mode & 0o777).toBe(0o600)
    // silent on success, like linuxquota
    expect(run(['-cug', fsRoot], {filesystems: [off()], records: {}}).stdout).toBe('')
    // and checking against the files (quota off) finds no drift: the files' own space is not counted
    const check = run(['-ug', fsRoot], {filesystems: [off()], records: {}})
    expect([check.status, check.stderr]).toEqual([0, ''])
    expect(check.stdout).toContain('user quota (quota file, vfsv0): consistent')
  })

  it('-F vfsv1 and -b', () => {
    expect(run(['-c', fsRoot], {filesystems: [off()], records: {}}).status).toBe(0)
    const r = run(['-cb', '-F', 'vfsv1', '--json', fsRoot], {filesystems: [off()], records: {}})
    expect(r.status).toBe(0)
    expect(json(r.stdout).filesystems[0].types[0].file).toMatchObject({format: 'vfsv1', backup: join(fsRoot, 'aquota.user~')})
    expect(readQuotaFile(readFileSync(join(fsRoot, 'aquota.user'))).header.format).toBe('vfsv1')
    expect(readQuotaFile(readFileSync(join(fsRoot, 'aquota.user~'))).header.format).toBe('vfsv0')
  })

  it('--fix with quota off rewrites the file, keeping limits and grace periods (linuxquota without -c)', () => {
    const u = usageOf(fsRoot)
    const stale = [...u.user].map(([id, x]) => rec(id, x.bytes + 4096, x.inodes + 1, {hardLimitBytes: 1 << 30}, {softLimit: 100}))
    stale.push(rec(4242, 0, 0, {softLimitBytes: 1 << 20}))
    const old = buildQuotaFile({type: 'user', format: 'vfsv0', grace: {blockGraceSeconds: 3600, inodeGraceSeconds: 60}, records: linuxquotaOrder(stale)})
    writeFileSync(join(fsRoot, 'aquota.user'), old, {mode: 0o640})
    const check = run([fsRoot], {filesystems: [off()], records: {}})
    expect(check.status).toBe(1)
    const r = run(['--fix', '--json', fsRoot], {filesystems: [off()], records: {}})
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(json(r.stdout).filesystems[0].types[0]).toMatchObject({status: 'written', source: 'file', file: {keptLimits: true}})
    const now = readQuotaFile(readFileSync(join(fsRoot, 'aquota.user')))
    expect(now.header.grace).toEqual({blockGraceSeconds: 3600, inodeGraceSeconds: 60})
    expect(now.records.find((x) => x.id === 4242)).toEqual(rec(4242, 0, 0, {softLimitBytes: 1 << 20}))
    for (const x of now.records.filter((y) => y.id !== 4242)) expect(x.space.hardLimitBytes).toBe(1 << 30)
    expect(lstatSync(join(fsRoot, 'aquota.user')).mode & 0o777).toBe(0o640) // the mode is kept
    expect(run([fsRoot], {filesystems: [off()], records: {}}).status).toBe(0)
  })

  it('a corrupt file: exit 65 naming the byte offset, and a hint to rebuild', () => {
    const good = buildQuotaFile({type: 'user', format: 'vfsv0', grace, records: [rec(0, 1024, 1)]})
    good.writeUInt32LE(77, 1024) // the root's first reference, far beyond the file
    writeFileSync(join(fsRoot, 'aquota.user'), good)
    const r = run([fsRoot], {filesystems: [off()], records: {}})
    expect(r.status).toBe(65)
    expect(r.stderr).toContain(`${join(fsRoot, 'aquota.user')}: corrupt quota file at byte 1024: index block 1 (level 0) entry 0 refers to block 77`)
    expect(r.stderr).toContain('hint: rebuild it from the filesystem with `quotakit quotacheck -c`')
  })

  it('repquota -F vfsv0 reports from the file while quota is off', () => {
    expect(run(['-c', fsRoot], {filesystems: [off()], records: {}}).status).toBe(0)
    const r = quotakit(['repquota', '-F', 'vfsv0', '-n', fsRoot], {QUOTAKIT_FAKE_STATE: fakeState({filesystems: [off()], records: {}})})
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.split('\n')[0]).toBe('*** Report for user quotas on device /dev/vdz')
    expect(r.stdout).toContain('Block grace time: 7days; Inode grace time: 7days')
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('#'))
    expect(rows.length).toBe(usageOf(fsRoot).user.size)
    const without = quotakit(['repquota', fsRoot], {QUOTAKIT_FAKE_STATE: fakeState({filesystems: [off()], records: {}})})
    expect(without.status).toBe(69)
  })
})

describe('-c refusals and -f', () => {
  it('quota on without -f: linuxquota\'s exit 6; with -f: off, write, on', () => {
    const state: FakeState = {filesystems: [fs()], records: {}}
    const r = run(['-c', fsRoot], state)
    expect(r.status).toBe(6)
    expect(r.stderr).toContain('user quota is on, so rewriting its file could damage it')
    const forced = run(['-cf', '--json', fsRoot], state)
    expect([forced.status, forced.stderr]).toEqual([0, ''])
    expect(json(forced.stdout).filesystems[0].types[0].file.quotaRestarted).toBe(true)
    expect(forced.state().filesystems[0].quotas.user?.accounting).toBe(true)
  })

  it('ext4 hidden quota and XFS: -c refuses and names who maintains it (exit 69)', () => {
    const hidden = fs({quotas: {user: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, grace}}})
    const r = run(['-c', fsRoot], {filesystems: [hidden], records: {}})
    expect(r.status).toBe(69)
    expect(r.stderr).toContain('hidden system inodes')
    expect(r.stderr).toContain('e2fsck')
    const xfs = fs({fstype: 'xfs', quotas: {user: {accounting: true, enforcement: true, format: 'xfs', systemFile: true, grace}}})
    expect(run(['-c', fsRoot], {filesystems: [xfs], records: {}}).stderr).toContain('XFS keeps user quota in its own metadata')
  })

  it('no quota mount option: linuxquota\'s exit 2', () => {
    const r = run(['-c', fsRoot], {filesystems: [fs({options: ['rw'], quotas: {}})], records: {}})
    expect(r.status).toBe(2)
  })
})

describe('usage errors (exit 64)', () => {
  it.each([
    [['-R', '/x'], '-R only applies with -a'],
    [['-b', '/x'], '-b, -f and -F apply when writing quota files'],
    [['--fix', '-c', '/x'], ''],
    [[], 'no filesystem given'],
  ])('%j', (args, message) => {
    const r = run(args, {filesystems: [fs()], records: {}})
    expect(r.status).toBe(64)
    expect(r.stderr).toContain(message)
  })

  it('an unknown mount', () => {
    const r = run(['/no/such/mount'], {filesystems: [fs()], records: {}})
    expect(r.status).toBe(64)
  })
})

describe('-a', () => {
  it('checks each filesystem for the types it has; -R leaves out /', () => {
    const u = usageOf(fsRoot)
    const userOnly = fs({quotas: {user: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, grace}}, options: ['rw']})
    const r = run(['-a', '-ug', '--json'], {filesystems: [userOnly], records: {[`${fsRoot}|user`]: recordsOf(u.user)}})
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(json(r.stdout).filesystems.map((f: {mountpoint: string; types: Array<{type: string}>}) => [f.mountpoint, f.types.map((t) => t.type)])).toEqual([[fsRoot, ['user']]])
    const none = run(['-a', '-g'], {filesystems: [userOnly], records: {}})
    expect(none.status).toBe(69)
    expect(none.stderr).toContain('no filesystem has group quota')
  })
})
