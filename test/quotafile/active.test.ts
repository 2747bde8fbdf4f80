// The active quota file as repquota's source (src/quotafile/active.ts): read only for a vfsv0/vfsv1
// file with quota on, after Q_SYNC, and never trusted past a doubt (every refusal leaves the
// caller to ask the kernel per id). The fake backend stands in for the kernel; the real Q_SYNC
// ordering is proven in test/lab/setquota-repquota.test.ts.

import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import type {Filesystem, QuotaFormat} from '../../src/core/types.js'
import {QuotaError} from '../../src/errors.js'
import {activeTreeFormat, readActiveQuotaFile} from '../../src/quotafile/active.js'
import {buildQuotaFile} from '../../src/quotafile/writer.js'
import {FakeBackend} from '../../src/testing/fake-backend.js'
import {record} from './fixtures.js'

const grace = {blockGraceSeconds: 604_800, inodeGraceSeconds: 3600}
const records = [record(0, 13 * 1024, 2), record(1000, 40 * 1024, 3, {bsoft: 100, bhard: 200}), record(70_000, 0, 0, {isoft: 5, ihard: 9})]

function mount(format: QuotaFormat = 'vfsv0', extra: Partial<Filesystem> = {}): Filesystem {
  const root = mkdtempSync(join(tmpdir(), 'quotakit-active-'))
  return {
    mountpoint: root,
    device: '/dev/vdq',
    fstype: 'ext4',
    devMajor: 253,
    devMinor: 7,
    options: ['rw', 'usrquota'],
    quotas: {user: {accounting: true, enforcement: true, format, systemFile: false, grace}},
    ...extra,
  }
}

const backendFor = (fs: Filesystem) => new FakeBackend({filesystems: [fs], records: {}})
const writeFile = (fs: Filesystem, buf: Buffer, name = 'aquota.user') => writeFileSync(join(fs.mountpoint, name), buf)

describe('activeTreeFormat', () => {
  it('is the format only for a vfsv0/vfsv1 file with quota on', () => {
    const fs = mount()
    expect(activeTreeFormat(fs, 'user')).toBe('vfsv0')
    expect(activeTreeFormat(mount('vfsv1'), 'user')).toBe('vfsv1')
    expect(activeTreeFormat(fs, 'group')).toBeNull() // not on
    expect(activeTreeFormat(mount('vfsold'), 'user')).toBeNull()
    expect(activeTreeFormat(mount('xfs', {fstype: 'xfs'}), 'user')).toBeNull()
    const hidden = mount('vfsv1')
    hidden.quotas.user!.systemFile = true // ext4's quota feature: no file to read
    expect(activeTreeFormat(hidden, 'user')).toBeNull()
  })
})

describe('readActiveQuotaFile', () => {
  it('syncs the type, then returns the file\'s records in id order', () => {
    const fs = mount()
    writeFile(fs, buildQuotaFile({type: 'user', format: 'vfsv0', grace, records: [...records].reverse()}))
    const backend = backendFor(fs)
    const r = readActiveQuotaFile(backend, fs, 'user')
    // with the tree statistics repquota -v prints (ids 0, 1000 and 70 000: 7 index blocks, 1 data block)
    const tree = expect.objectContaining({blocks: 9, dataBlocks: 1, entries: 3})
    expect(r).toEqual({ok: true, path: join(fs.mountpoint, 'aquota.user'), records, tree})
    expect(backend.calls).toEqual([`sync ${fs.mountpoint} user`])
  })

  it('reads vfsv1, and the file a usrjquota= option names', () => {
    const fs = mount('vfsv1', {options: ['rw', 'usrjquota=quota/users.v1', 'jqfmt=vfsv1']})
    mkdirSync(join(fs.mountpoint, 'quota'))
    writeFile(fs, buildQuotaFile({type: 'user', format: 'vfsv1', grace, records}), 'quota/users.v1')
    const r = readActiveQuotaFile(backendFor(fs), fs, 'user')
    expect(r.ok && r.records).toEqual(records)
  })

  it('no file: not used, no warning', () => {
    const fs = mount()
    expect(readActiveQuotaFile(backendFor(fs), fs, 'user')).toMatchObject({ok: false, warn: false, reason: expect.stringContaining('does not exist')})
  })

  it('an unreadable path (a directory): not used, no warning', () => {
    const fs = mount()
    mkdirSync(join(fs.mountpoint, 'aquota.user'))
    expect(readActiveQuotaFile(backendFor(fs), fs, 'user')).toMatchObject({ok: false, warn: false, reason: expect.stringContaining('cannot read')})
  })

  it('grace periods that differ from the kernel\'s: another file than quota is on with, not used', () => {
    const fs = mount()
    writeFile(fs, buildQuotaFile({type: 'user', format: 'vfsv0', grace: {blockGraceSeconds: 60, inodeGraceSeconds: 3600}, records}))
    expect(readActiveQuotaFile(backendFor(fs), fs, 'user')).toMatchObject({ok: false, warn: false, reason: expect.stringContaining('grace periods differ')})
  })

  it('a file of the other format or type than the kernel reports: not used', () => {
    const fs = mount('vfsv1')
    writeFile(fs, buildQuotaFile({type: 'user', format: 'vfsv0', grace, records}))
    expect(readActiveQuotaFile(backendFor(fs), fs, 'user')).toMatchObject({ok: false, warn: false, reason: expect.stringContaining('is a vfsv0 quota file, not vfsv1')})
    const group = mount()
    writeFile(group, buildQuotaFile({type: 'group', format: 'vfsv0', grace, records}))
    expect(readActiveQuotaFile(backendFor(group), group, 'user')).toMatchObject({ok: false, warn: true, reason: expect.stringContaining('group quota magic')})
  })

  it('a damaged file: synced and read a second time (a read may race a kernel write), then a warning', () => {
    const fs = mount()
    const buf = buildQuotaFile({type: 'user', format: 'vfsv0', grace, records})
    buf.writeUInt32LE(77, 1024) // the root's first reference, beyond the file
    writeFile(fs, buf)
    const backend = backendFor(fs)
    const r = readActiveQuotaFile(backend, fs, 'user')
    expect(r).toMatchObject({ok: false, warn: true, reason: expect.stringContaining('corrupt quota file at byte 1024')})
    expect(backend.calls).toEqual([`sync ${fs.mountpoint} user`, `sync ${fs.mountpoint} user`])
  })

  it('Q_SYNC refused: not used and the file not read; anything but a QuotaError is a bug and propagates', () => {
    const fs = mount()
    writeFile(fs, buildQuotaFile({type: 'user', format: 'vfsv0', grace, records}))
    const refused = backendFor(fs)
    refused.sync = () => {
      throw new QuotaError('permission', 'permission denied', {errno: 'EPERM', mount: fs.mountpoint})
    }
    expect(readActiveQuotaFile(refused, fs, 'user')).toMatchObject({ok: false, warn: false, reason: expect.stringMatching(/^Q_SYNC: .*permission denied \(EPERM\)$/)})
    const broken = backendFor(fs)
    broken.sync = () => {
      throw new TypeError('boom')
    }
    expect(() => readActiveQuotaFile(broken, fs, 'user')).toThrow('boom')
  })
})
