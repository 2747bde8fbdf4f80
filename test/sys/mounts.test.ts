import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {parseMountinfo, parseMountinfoLine, readMountinfo, unescapeMountField, visibleMounts} from '../../src/sys/mounts.js'

// Lines in the kernel's own format: proc(5) example, escapes, several optional fields, a bind
// mount of a subtree, overmounts, tmpfs with quota options.
const FIXTURE = [
  '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard,usrquota,grpquota',
  '40 27 254:16 / /srv/my\\040data rw,relatime shared:5 master:2 propagate_from:3 - xfs /dev/vdb rw,attr2,inode64,usrquota,prjquota',
  '41 27 254:0 /home/alice /bind/alice rw,relatime - ext4 /dev/vda rw,discard',
  '50 27 0:45 / /tmp/q rw,nosuid - tmpfs tmpfs rw,size=1024k,usrquota,grpquota',
  '25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=100k',
  '30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=200k',
  '60 27 0:50 / /mnt/odd\\011tab\\012nl\\134bs ro - fuse.sshfs user@host:/a\\040b ro,user_id=0',
  '',
].join('\n')

describe('parseMountinfo', () => {
  const entries = parseMountinfo(FIXTURE)

  it('parses every line', () => {
    expect(entries).toHaveLength(8)
  })

  it('the proc(5) example field by field', () => {
    expect(entries[0]).toEqual({
      mountId: 36,
      parentId: 35,
      devMajor: 98,
      devMinor: 0,
      root: '/mnt1',
      mountpoint: '/mnt2',
      mountOptions: ['rw', 'noatime'],
      optionalFields: ['master:1'],
      fstype: 'ext3',
      source: '/dev/root',
      superOptions: ['rw', 'errors=continue'],
      options: ['rw', 'noatime', 'errors=continue'],
    })
  })

  it('unescapes \\040 and friends in paths and sources', () => {
    expect(entries[2].mountpoint).toBe('/srv/my data')
    expect(entries[7].mountpoint).toBe('/mnt/odd\ttab\nnl\\bs')
    expect(entries[7].source).toBe('user@host:/a b')
    expect(entries[7].fstype).toBe('fuse.sshfs')
  })

  it('keeps all optional fields and finds the separator after them', () => {
    expect(entries[2].optionalFields).toEqual(['shared:5', 'master:2', 'propagate_from:3'])
    expect(entries[2].fstype).toBe('xfs')
    expect(entries[2].source).toBe('/dev/vdb')
    expect(entries[4].optionalFields).toEqual([])
  })

  it('merges per-mount and superblock options without duplicates', () => {
    expect(entries[1].options).toEqual(['rw', 'relatime', 'discard', 'usrquota', 'grpquota'])
    expect(entries[2].options).toContain('prjquota')
  })

  it('bind mounts carry the subtree root and the same device', () => {
    expect(entries[3].root).toBe('/home/alice')
    expect([entries[3].devMajor, entries[3].devMinor]).toEqual([entries[1].devMajor, entries[1].devMinor])
  })

  it('skips malformed lines instead of failing', () => {
    expect(parseMountinfoLine('garbage')).toBeNull()
    expect(parseMountinfoLine('1 2 x:y / / rw - ext4 /dev/a rw')).toBeNull()
    expect(parseMountinfoLine('1 2 3:4 / / rw shared:1 ext4 /dev/a rw')).toBeNull() // no separator
    expect(parseMountinfo('junk\n' + FIXTURE)).toHaveLength(8)
  })

  it('visibleMounts keeps only the topmost mount of a mountpoint', () => {
    const shm = visibleMounts(entries).filter((e) => e.mountpoint === '/dev/shm')
    expect(shm).toHaveLength(1)
    expect(shm[0].mountId).toBe(30)
    expect(visibleMounts(entries)).toHaveLength(7)
  })

  it('unescapeMountField leaves plain text alone', () => {
    expect(unescapeMountField('/a/b')).toBe('/a/b')
    expect(unescapeMountField('a\\040b\\134')).toBe('a b\\')
  })
})

describe("this machine's /proc/self/mountinfo", () => {
  const raw = readFileSync('/proc/self/mountinfo', 'utf8')
  const entries = readMountinfo()

  it('parses every line', () => {
    expect(entries.length).toBe(raw.split('\n').filter((l) => l.length > 0).length)
  })

  it("has '/' and every entry has fstype, source, device numbers", () => {
    expect(entries.some((e) => e.mountpoint === '/')).toBe(true)
    for (const e of entries) {
      expect(e.fstype.length).toBeGreaterThan(0)
      expect(e.source.length).toBeGreaterThan(0)
      expect(e.mountpoint.startsWith('/')).toBe(true)
      expect(Number.isInteger(e.devMajor) && Number.isInteger(e.devMinor)).toBe(true)
      expect(e.options).toEqual(expect.arrayContaining(e.mountOptions))
    }
  })

  it('/proc is mounted as proc', () => {
    expect(entries.find((e) => e.mountpoint === '/proc')?.fstype).toBe('proc')
  })
})
