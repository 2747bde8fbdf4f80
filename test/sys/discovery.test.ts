// Discovery's decisions over a scripted quotactl layer: which mounts are probed, how statv/GETFMT/
// GETINFO answers become QuotaTypeState, and that one bad mount never breaks the list.
import {beforeEach, describe, expect, it, vi} from 'vitest'

import {errnoError} from '../../src/sys/errno.js'
import {parseMountinfo} from '../../src/sys/mounts.js'

type Answer = {statv?: number | {qs_flags: number; qs_btimelimit: number; qs_itimelimit: number}; fmt?: Record<string, number>; info?: Record<string, number | {dqi_bgrace: bigint; dqi_igrace: bigint; dqi_flags: number}>}

const k = vi.hoisted(() => ({calls: [] as string[], byMount: new Map<string, Answer>()}))

vi.mock('../../src/sys/libc.js', () => ({ensureNative: () => undefined}))
vi.mock('../../src/sys/quotactl.js', () => {
  const answer = (mp: string) => k.byMount.get(mp) ?? {statv: 38}
  const fail = (v: unknown) => typeof v === 'number'
  return {
    qXGetQStatV: (t: {mountpoint: string}) => {
      k.calls.push(`statv ${t.mountpoint}`)
      const a = answer(t.mountpoint).statv
      if (a === undefined || fail(a)) throw errnoError((a as number) ?? 38, {op: 'state'})
      return a
    },
    qGetFmt: (t: {mountpoint: string}, type: string) => {
      k.calls.push(`fmt ${t.mountpoint} ${type}`)
      const v = answer(t.mountpoint).fmt?.[type]
      if (v === undefined) throw errnoError(3, {op: 'format'})
      return v
    },
    qGetInfo: (t: {mountpoint: string}, type: string) => {
      k.calls.push(`info ${t.mountpoint} ${type}`)
      const v = answer(t.mountpoint).info?.[type]
      if (v === undefined || fail(v)) throw errnoError((v as number) ?? 3, {op: 'info'})
      return v
    },
  }
})

const {discover} = await import('../../src/sys/discovery.js')

const MOUNTINFO = parseMountinfo([
  '22 27 0:21 / /proc rw - proc proc rw',
  '23 27 0:22 / /sys rw - sysfs sysfs rw',
  '25 24 0:23 / /dev/shm rw - tmpfs tmpfs rw,size=1k',
  '27 1 254:0 / / rw - ext4 /dev/vda rw',
  '40 27 254:16 / /home rw - ext4 /dev/vdb rw,usrquota',
  '41 27 254:16 /alice /bind/alice rw - ext4 /dev/vdb rw,usrquota',
  '42 27 254:32 / /srv rw - xfs /dev/vdc rw,uquota,pqnoenforce',
  '43 27 0:50 / /tmp/q rw - tmpfs tmpfs rw,usrquota',
  '44 27 254:48 / /old rw - ext3 /dev/vdd rw,usrjquota=aquota.user,jqfmt=vfsv0',
  '45 27 254:64 / /broken rw - ext4 /dev/vde rw',
].join('\n'))

const WEEK = {dqi_bgrace: 604800n, dqi_igrace: 86400n, dqi_flags: 0x10000}

beforeEach(() => {
  k.calls.length = 0
  k.byMount.clear()
  // /home: ext4 hidden quota, user accounting on but not enforced; group off
  k.byMount.set('/home', {statv: {qs_flags: 0x1, qs_btimelimit: 1, qs_itimelimit: 2}, fmt: {user: 4}, info: {user: WEEK}})
  // /srv: XFS user acct+enforced, project accounted only; grace per type from Q_GETINFO, project falls back
  k.byMount.set('/srv', {statv: {qs_flags: 0x1 | 0x2 | 0x10, qs_btimelimit: 111, qs_itimelimit: 222}, info: {user: {...WEEK, dqi_flags: 0}, project: 22}})
  k.byMount.set('/tmp/q', {statv: {qs_flags: 0x3, qs_btimelimit: 0, qs_itimelimit: 0}, fmt: {user: 5}, info: {user: {dqi_bgrace: 60n, dqi_igrace: 60n, dqi_flags: 0}}})
  // /old: a kernel without Q_XGETQSTATV for this fs (EINVAL): GETFMT per type decides
  k.byMount.set('/old', {statv: 22, fmt: {user: 2}, info: {user: {dqi_bgrace: 5n, dqi_igrace: 6n, dqi_flags: 0}}})
  k.byMount.set('/broken', {statv: {qs_flags: 0x1, qs_btimelimit: 0, qs_itimelimit: 0}}) // GETFMT then fails
})

describe('discover', () => {
  it('never probes pseudo filesystems or tmpfs without quota options', () => {
    discover(MOUNTINFO)
    expect(k.calls.some((c) => / \/(proc|sys|dev\/shm)\b/.test(c))).toBe(false)
  })

  it('reports ext4 hidden quota: accounting without enforcement, system file, vfsv1', () => {
    const home = discover(MOUNTINFO).find((f) => f.mountpoint === '/home')!
    expect(home.quotas).toEqual({
      user: {accounting: true, enforcement: false, format: 'vfsv1', systemFile: true, grace: {blockGraceSeconds: 604800, inodeGraceSeconds: 86400}},
    })
  })

  it('probes a superblock once and gives bind mounts the same state', () => {
    const all = discover(MOUNTINFO)
    expect(k.calls.filter((c) => c === 'statv /home')).toHaveLength(1)
    expect(all.find((f) => f.mountpoint === '/bind/alice')!.quotas).toEqual(all.find((f) => f.mountpoint === '/home')!.quotas)
    expect(all.find((f) => f.mountpoint === '/bind/alice')!.quotas).not.toBe(all.find((f) => f.mountpoint === '/home')!.quotas)
  })

  it('XFS: flags per type from statv, grace from Q_GETINFO or statv', () => {
    const srv = discover(MOUNTINFO).find((f) => f.mountpoint === '/srv')!
    expect(srv.quotas.user).toEqual({accounting: true, enforcement: true, format: 'xfs', systemFile: true, grace: {blockGraceSeconds: 604800, inodeGraceSeconds: 86400}})
    expect(srv.quotas.project).toEqual({accounting: true, enforcement: false, format: 'xfs', systemFile: true, grace: {blockGraceSeconds: 111, inodeGraceSeconds: 222}})
    expect(srv.quotas.group).toBeUndefined()
    expect(k.calls.some((c) => c.startsWith('fmt /srv'))).toBe(false)
  })

  it('tmpfs with quota options is probed; QFMT_SHMEM has no linuxquota name yet', () => {
    const q = discover(MOUNTINFO).find((f) => f.mountpoint === '/tmp/q')!
    expect(q.quotas.user).toMatchObject({accounting: true, enforcement: true, format: 'unknown', systemFile: false})
  })

  it('without Q_XGETQSTATV, Q_GETFMT decides and "on" means enforced', () => {
    const old = discover(MOUNTINFO).find((f) => f.mountpoint === '/old')!
    expect(old.quotas).toEqual({user: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace: {blockGraceSeconds: 5, inodeGraceSeconds: 6}}})
    expect(k.calls.filter((c) => c.startsWith('fmt /old'))).toEqual(['fmt /old user', 'fmt /old group', 'fmt /old project'])
  })

  it('ENOSYS from statv is "no quota": one syscall for a plain ext4 mount', () => {
    const root = discover(MOUNTINFO).find((f) => f.mountpoint === '/')!
    expect(root.quotas).toEqual({})
    expect(k.calls.filter((c) => c.endsWith(' /'))).toEqual(['statv /'])
  })

  it('a mount whose follow-up calls fail is listed without that type, and the rest still come back', () => {
    const all = discover(MOUNTINFO)
    expect(all.find((f) => f.mountpoint === '/broken')!.quotas).toEqual({})
    expect(all.map((f) => f.mountpoint)).toEqual(['/proc', '/sys', '/dev/shm', '/', '/home', '/bind/alice', '/srv', '/tmp/q', '/old', '/broken'])
    expect(all.find((f) => f.mountpoint === '/srv')).toMatchObject({device: '/dev/vdc', fstype: 'xfs', devMajor: 254, devMinor: 32})
  })
})
