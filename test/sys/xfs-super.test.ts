// The XFS superblock fields quotacheck needs, from an image made by this host's mkfs.xfs (no mount).

import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {XFS_SB_MAGIC, hiddenXfsUsage, parseXfsSuper, readXfsSuper} from '../../src/sys/xfs-super.js'

const MKFS = ['/usr/sbin/mkfs.xfs', '/sbin/mkfs.xfs'].find((p) => existsSync(p))
const dir = mkdtempSync(join(tmpdir(), 'quotakit-xfs-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

// xfsprogs is one of the packages scripts/setup installs: without it this fails, it is not skipped.
describe('an image made by mkfs.xfs', () => {
  it('has the realtime bitmap and summary inodes right after the root, and no realtime blocks', () => {
    const image = join(dir, 'xfs.img')
    writeFileSync(image, '')
    truncateSync(image, 320 << 20)
    expect(MKFS, 'mkfs.xfs is missing: run scripts/setup (xfsprogs)').toBeDefined()
    execFileSync(MKFS!, ['-q', '-f', image])
    const sb = readXfsSuper(image)!
    expect(sb).not.toBeNull()
    expect(sb.rbmino).toBe(sb.rootino + 1n)
    expect(sb.rsumino).toBe(sb.rootino + 2n)
    expect(sb.rblocks).toBe(0n)
    expect(sb.metadir).toBe(false)
    expect(hiddenXfsUsage(sb)).toEqual({inodes: 2, bytes: 0})
  })
})

describe('parseXfsSuper', () => {
  it('is null for anything that is not an XFS superblock', () => {
    expect(parseXfsSuper(Buffer.alloc(512))).toBeNull()
    expect(readXfsSuper(join(dir, 'missing'))).toBeNull()
  })

  it('sizes the realtime inodes when there is a realtime device; nothing with metadir', () => {
    const b = Buffer.alloc(512)
    b.writeUInt32BE(XFS_SB_MAGIC, 0)
    b.writeUInt32BE(4096, 4)
    b.writeBigUInt64BE(1000n, 16) // rblocks
    b.writeBigUInt64BE(1000n, 24) // rextents: 10 summary levels
    b.writeBigUInt64BE(128n, 56)
    b.writeBigUInt64BE(129n, 64)
    b.writeBigUInt64BE(130n, 72)
    b.writeUInt32BE(1, 92) // rbmblocks
    b.writeUInt16BE(0xb4a5, 100) // version 5
    expect(hiddenXfsUsage(parseXfsSuper(b)!)).toEqual({inodes: 2, bytes: 2 * 4096})
    b.writeUInt32BE(1 << 7, 216)
    expect(hiddenXfsUsage(parseXfsSuper(b)!)).toEqual({inodes: 0, bytes: 0})
  })
})
