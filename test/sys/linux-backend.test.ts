// LinuxBackend's own logic (enumeration loop, fallbacks, read-modify-write, XFS routing) over a
// scripted quotactl layer. The real-kernel proof is the lab; this pins the control flow.
import {beforeEach, describe, expect, it, vi} from 'vitest'

import type {Filesystem, QuotaType, QuotaUpdate} from '../../src/core/types.js'
import {QuotaError} from '../../src/errors.js'
import {errnoError, errnoNumber, type QuotaOp} from '../../src/sys/errno.js'
import type {FsDiskQuota, IfDqblk} from '../../src/sys/structs.js'

const kernel = vi.hoisted(() => ({
  calls: [] as string[],
  dquots: new Map<number, IfDqblk>(),
  /** errno name to fail a call with, by `${fn}` or `${fn}@${id}` */
  fail: new Map<string, string>(),
  /** for the wrap guard: answer this id whatever was asked */
  forceNext: undefined as number | undefined,
}))

function failIf(fn: string, id: number, op: QuotaOp): void {
  const name = kernel.fail.get(`${fn}@${id}`) ?? kernel.fail.get(fn)
  if (name) throw errnoError(errnoNumber(name)!, {op, mount: '/q', type: 'user'})
}

const zero = (): IfDqblk => ({
  dqb_bhardlimit: 0n, dqb_bsoftlimit: 0n, dqb_curspace: 0n, dqb_ihardlimit: 0n, dqb_isoftlimit: 0n,
  dqb_curinodes: 0n, dqb_btime: 0n, dqb_itime: 0n, dqb_valid: 0x3f,
})

vi.mock('../../src/sys/quotactl.js', async () => {
  const {dqblkToRecord, xfsToRecord, readIfDqblk, readFsDiskQuota} = await vi.importActual<typeof import('../../src/sys/structs.js')>('../../src/sys/structs.js')
  const {writeUpdateDqblk, writeUpdateXfs} = await vi.importActual<typeof import('../../src/sys/update-writers.js')>('../../src/sys/update-writers.js')
  const log = (s: string) => kernel.calls.push(s)
  const setLog = (type: string, id: number, d: IfDqblk) =>
    log(`set ${type} ${id} valid=${d.dqb_valid} b=${d.dqb_bsoftlimit}/${d.dqb_bhardlimit} i=${d.dqb_isoftlimit}/${d.dqb_ihardlimit}`)
  const xsetLog = (id: number, d: FsDiskQuota) => log(`xset ${id} mask=0x${d.d_fieldmask.toString(16)} bt=${d.d_btimer} it=${d.d_itimer}`)
  const xfs = (id: number, d: IfDqblk): FsDiskQuota => ({
    d_version: 1, d_flags: 1, d_fieldmask: 0, d_id: id, d_blk_hardlimit: d.dqb_bhardlimit * 2n, d_blk_softlimit: d.dqb_bsoftlimit * 2n,
    d_ino_hardlimit: d.dqb_ihardlimit, d_ino_softlimit: d.dqb_isoftlimit, d_bcount: d.dqb_curspace / 512n, d_icount: d.dqb_curinodes,
    d_itimer: 0, d_btimer: 0, d_iwarns: 0, d_bwarns: 0, d_rtb_hardlimit: 0n, d_rtb_softlimit: 0n, d_rtbcount: 0n, d_rtbtimer: 0, d_rtbwarns: 0,
  })
  const next = (from: number): [number, IfDqblk] => {
    if (kernel.forceNext !== undefined) return [kernel.forceNext, zero()]
    const id = [...kernel.dquots.keys()].sort((a, b) => a - b).find((i) => i >= from)
    if (id === undefined) throw errnoError(2, {op: 'next'})
    return [id, kernel.dquots.get(id)!]
  }
  return {
    qGetQuota: (_t: unknown, type: string, id: number) => {
      log(`get ${type} ${id}`)
      failIf('get', id, 'get')
      return kernel.dquots.get(id) ?? zero()
    },
    qSetQuota: (_t: unknown, type: string, id: number, d: IfDqblk) => setLog(type, id, d),
    // the real encoders, then what the kernel would read from the bytes
    qSetQuotaUpdate: (_t: unknown, type: string, id: number, u: QuotaUpdate) => {
      const buf = Buffer.alloc(72)
      if (writeUpdateDqblk(buf, u) !== 0) setLog(type, id, readIfDqblk(buf))
    },
    qXSetQLimUpdate: (_t: unknown, type: QuotaType, id: number, u: QuotaUpdate) => {
      const buf = Buffer.alloc(112)
      if (writeUpdateXfs(buf, type, id, u) !== 0) xsetLog(id, readFsDiskQuota(buf))
    },
    // Q_GETNEXTQUOTA / Q_XGETNEXTQUOTA answers as records: the script's dquots through the real converters
    qGetNextRecord: (_t: unknown, _type: string, from: number) => {
      log(`next ${from}`)
      failIf('next', from, 'next')
      const [id, d] = next(from)
      return dqblkToRecord(id, d)
    },
    qXGetNextRecord: (_t: unknown, _type: string, from: number) => {
      log(`xnext ${from}`)
      failIf('xnext', from, 'next')
      const [id, d] = next(from)
      return xfsToRecord(xfs(id, d))
    },
    qXGetQuota: (_t: unknown, _type: string, id: number): FsDiskQuota => {
      log(`xget ${id}`)
      const d = kernel.dquots.get(id)
      if (!d) throw errnoError(2, {op: 'get'})
      return xfs(id, d)
    },
    qXSetQLim: (_t: unknown, _type: string, id: number, d: FsDiskQuota) => xsetLog(id, d),
    qXQuotaOn: (_t: unknown, type: string, flags: number) => log(`xon ${type} ${flags}`),
    qXQuotaOff: (_t: unknown, type: string, flags: number) => log(`xoff ${type} ${flags}`),
    qQuotaOn: (_t: unknown, type: string, fmt: number, file: string) => log(`on ${type} ${fmt} ${file}`),
    qQuotaOff: (_t: unknown, type: string) => log(`off ${type}`),
    qGetInfo: (_t: unknown, type: string) => {
      log(`getinfo ${type}`)
      failIf('getinfo', 0, 'info')
      return {dqi_bgrace: 604800n, dqi_igrace: 3600n, dqi_flags: 0, dqi_valid: 7}
    },
    qSetInfo: (_t: unknown, type: string, i: {dqi_valid: number; dqi_bgrace: bigint}) => log(`setinfo ${type} valid=${i.dqi_valid} b=${i.dqi_bgrace}`),
    qSync: (_t: unknown, type: string) => log(`sync ${type}`),
    qXGetQStatV: () => {
      log('statv')
      return {qs_flags: 0x3, qs_btimelimit: 100, qs_itimelimit: 200}
    },
  }
})

vi.mock('../../src/sys/nss.js', () => ({
  listUsers: () => [{name: 'root', id: 0}, {name: 'bob', id: 1000}, {name: 'alice', id: 5}, {name: 'toor', id: 0}],
  listGroups: () => [{name: 'root', id: 0}],
}))

const {LinuxBackend} = await import('../../src/sys/linux-backend.js')

const ext4: Filesystem = {mountpoint: '/q', device: '/dev/vdb', fstype: 'ext4', devMajor: 254, devMinor: 16, options: [], quotas: {}}
const xfsFs: Filesystem = {...ext4, fstype: 'xfs'}
const b = new LinuxBackend()

const withUsage = (kib: bigint, inodes = 1n): IfDqblk => ({...zero(), dqb_curspace: kib * 1024n, dqb_curinodes: inodes, dqb_bsoftlimit: 10n, dqb_bhardlimit: 20n})

beforeEach(() => {
  kernel.calls.length = 0
  kernel.dquots.clear()
  kernel.fail.clear()
  kernel.forceNext = undefined
})

describe('iterate (Q_GETNEXTQUOTA)', () => {
  it('walks ids in order, asking from returned+1, and stops on ENOENT', () => {
    for (const id of [1000, 0, 5]) kernel.dquots.set(id, withUsage(BigInt(id + 1)))
    const recs = [...b.iterate(ext4, 'user')]
    expect(recs.map((r) => r.id)).toEqual([0, 5, 1000])
    expect(recs[2].space.usedBytes).toBe(1001 * 1024)
    expect(kernel.calls).toEqual(['next 0', 'next 1', 'next 6', 'next 1001'])
  })

  it('an empty table yields nothing', () => {
    expect([...b.iterate(ext4, 'user')]).toEqual([])
  })

  it('ESRCH on the first call is thrown (type off); later it ends the walk', () => {
    kernel.fail.set('next', 'ESRCH')
    expect(() => [...b.iterate(ext4, 'user')]).toThrowError(/user quota is not on/)
    kernel.fail.clear()
    kernel.dquots.set(0, withUsage(1n))
    kernel.dquots.set(7, withUsage(1n))
    kernel.fail.set('next@8', 'ESRCH')
    expect([...b.iterate(ext4, 'user')].map((r) => r.id)).toEqual([0, 7])
  })

  it('other errors propagate', () => {
    kernel.dquots.set(0, withUsage(1n))
    kernel.fail.set('next@1', 'EIO')
    expect(() => [...b.iterate(ext4, 'user')]).toThrowError(QuotaError)
  })

  it('guards against an id below the one asked (wrap-around bug)', () => {
    kernel.forceNext = 3
    const it = b.iterate(ext4, 'user')[Symbol.iterator]()
    expect(it.next().value.id).toBe(3) // asked 0, got 3: fine
    expect(it.next().done).toBe(true) // asked 4, got 3: stop
  })

  it('stops after 0xFFFFFFFE and never yields (qid_t)-1', () => {
    kernel.forceNext = 0xfffffffe
    expect([...b.iterate(ext4, 'user')].map((r) => r.id)).toEqual([0xfffffffe])
    kernel.forceNext = 0xffffffff
    expect([...b.iterate(ext4, 'user')]).toEqual([])
  })

  it.each(['ENOSYS', 'EINVAL'])('first call %s: falls back to passwd ids, skipping empty records', (errno) => {
    kernel.fail.set('next', errno)
    kernel.dquots.set(1000, withUsage(4n))
    kernel.dquots.set(0, withUsage(8n))
    const recs = [...b.iterate(ext4, 'user')]
    expect(recs.map((r) => r.id)).toEqual([0, 1000]) // 5 has nothing; duplicate uid 0 asked once
    expect(kernel.calls).toEqual(['next 0', 'get user 0', 'get user 5', 'get user 1000'])
  })

  it('XFS uses Q_XGETNEXTQUOTA and BB units', () => {
    kernel.dquots.set(42, withUsage(3n))
    const recs = [...b.iterate(xfsFs, 'user')]
    expect(recs).toHaveLength(1)
    expect(recs[0]).toMatchObject({id: 42, space: {usedBytes: 3072, softLimitBytes: 10240, hardLimitBytes: 20480}})
    expect(kernel.calls).toEqual(['xnext 0', 'xnext 43'])
  })
})

describe('getQuota / setQuota', () => {
  it('XFS: no dquot is null (ENOENT)', () => {
    expect(b.getQuota(xfsFs, 'user', 9)).toBeNull()
    kernel.dquots.set(9, withUsage(1n))
    expect(b.getQuota(xfsFs, 'user', 9)?.space.usedBytes).toBe(1024)
  })

  it('VFS: a two-sided update is sent without reading', () => {
    b.setQuota(ext4, 'user', 7, {softLimitBytes: 1024, hardLimitBytes: 4096})
    expect(kernel.calls).toEqual(['set user 7 valid=1 b=1/4 i=0/0'])
  })

  it('VFS: a one-sided update reads the other side first', () => {
    kernel.dquots.set(7, {...zero(), dqb_bsoftlimit: 11n, dqb_bhardlimit: 22n, dqb_isoftlimit: 33n, dqb_ihardlimit: 44n})
    b.setQuota(ext4, 'user', 7, {hardLimitBytes: 1025, inodeSoftLimit: 3})
    expect(kernel.calls).toEqual(['get user 7', 'set user 7 valid=5 b=11/2 i=3/44'])
  })

  it('an empty update makes no call', () => {
    b.setQuota(ext4, 'user', 7, {})
    b.setQuota(xfsFs, 'user', 7, {})
    expect(kernel.calls).toEqual([])
  })

  it('XFS: per-field mask, no read; usage cannot be set', () => {
    b.setQuota(xfsFs, 'user', 7, {softLimitBytes: 512, spaceGraceExpiresAt: 1700000000})
    expect(kernel.calls).toEqual(['xset 7 mask=0x44 bt=1700000000 it=0'])
    expect(() => b.setQuota(xfsFs, 'user', 7, {usedBytes: 1})).toThrowError(/XFS computes usage/)
  })
})

describe('info, sync, on/off', () => {
  it('VFS grace via Q_GETINFO / Q_SETINFO', () => {
    expect(b.getInfo(ext4, 'user')).toEqual({blockGraceSeconds: 604800, inodeGraceSeconds: 3600})
    b.setInfo(ext4, 'user', {blockGraceSeconds: 60})
    b.setInfo(ext4, 'user', {})
    expect(kernel.calls).toEqual(['getinfo user', 'setinfo user valid=1 b=60'])
  })

  it('XFS grace: set on id 0 with timer bits; read falls back to the state call', () => {
    b.setInfo(xfsFs, 'group', {blockGraceSeconds: 60, inodeGraceSeconds: 70})
    expect(kernel.calls).toEqual(['xset 0 mask=0xc0 bt=60 it=70'])
    kernel.fail.set('getinfo', 'EINVAL')
    expect(b.getInfo(xfsFs, 'user')).toEqual({blockGraceSeconds: 100, inodeGraceSeconds: 200})
    expect(() => b.getInfo(xfsFs, 'project')).toThrowError(/project quota is not on/)
  })

  it('sync is a no-op on XFS', () => {
    b.sync(ext4, 'group')
    b.sync(xfsFs, 'group')
    expect(kernel.calls).toEqual(['sync group'])
  })

  it('quotaOn: QFMT id and the default quota file; XFS switches enforcement', () => {
    b.quotaOn(ext4, 'user', 'vfsv0')
    b.quotaOn(ext4, 'group', 'vfsold')
    b.quotaOn(ext4, 'project', 'vfsv1', '/q/custom')
    b.quotaOn(xfsFs, 'project', 'vfsv1')
    b.quotaOff(xfsFs, 'group')
    b.quotaOff(ext4, 'user')
    expect(kernel.calls).toEqual([
      'on user 2 /q/aquota.user',
      'on group 1 /q/quota.group',
      'on project 4 /q/custom',
      'xon project 32',
      'xoff group 8',
      'off user',
    ])
  })
})
