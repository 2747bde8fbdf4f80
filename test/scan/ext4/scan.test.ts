// The ext4 inode-table reader (src/scan/ext4/) on images made by this host's mkfs.ext4, checked
// against e2fsck's own recount of the quota feature's usage (images.ts), across the layouts that
// change where inodes are and what they hold: 64bit or not, 128- or 256-byte inodes, 1 KiB and
// 4 KiB blocks, uninitialised groups, meta_bg, no group checksums; and against hand-computed
// values where e2fsck cannot be the oracle (huge files, inodes still allocated with no links).

import {copyFileSync, openSync, closeSync, writeSync, readFileSync, truncateSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

import {Ext4Unavailable, readExt4Layout, scanExt4} from '../../../src/scan/ext4/scan.js'
import {requireBuild} from '../../cli/helpers.js'
import {STANDARD_OWNERS, STANDARD_PROJECTS, cleanup, e2fsckUsage, makeImage, plain, runDebugfs, standardTree, workDir} from './images.js'

afterAll(cleanup)

const scan = (img: string, projects = true) => scanExt4({device: img, root: '/mnt/test', expect: null, projects})

/** Expected per-id usage of the standard tree on a filesystem: from e2fsck, for the types given. */
function checkAgainstE2fsck(name: string, mkfsArgs: string[], withProjects: boolean, sizeMiB = 64) {
  const img = makeImage(name, standardTree(name), ['-O', withProjects ? 'quota,project' : 'quota', ...mkfsArgs], [...STANDARD_OWNERS, ...(withProjects ? STANDARD_PROJECTS : [])], sizeMiB)
  const oracle = e2fsckUsage(img, withProjects ? ['user', 'group', 'project'] : ['user', 'group'])
  const r = scan(img, withProjects)
  expect(plain(r.tallies, 'user')).toEqual(oracle.user)
  expect(plain(r.tallies, 'group')).toEqual(oracle.group)
  if (withProjects) expect(plain(r.tallies, 'project')).toEqual(oracle.project)
  // the tree: root, lost+found, alice, alice/deep, alice/deep/er, bob; f (3 names), sym, sparse, long, g, fifo, carol
  expect(r.counters).toMatchObject({dirs: 6, files: 7, extraLinks: 2, vanished: 0, issues: 0})
  expect(r.method).toBe('inode-table')
  return {img, r, oracle}
}

describe('the usage e2fsck computes, on every layout', () => {
  it('mke2fs defaults (64bit, 256-byte inodes, flex_bg, metadata_csum, huge_file) with project ids', () => {
    const {img, oracle} = checkAgainstE2fsck('default', [], true)
    // the oracle is not trivially empty: ids past 16 bits, three projects, the hard-linked file once
    expect(Object.keys(oracle.user).map(Number).sort((a, b) => a - b)).toEqual([0, 1000, 1001, 70000])
    expect(Object.keys(oracle.group).map(Number).sort((a, b) => a - b)).toEqual([0, 50, 1000, 1001, 123456])
    expect(Object.keys(oracle.project).map(Number).sort((a, b) => a - b)).toEqual([0, 42, 43, 100000])
    expect(readExt4Layout(img).sb).toMatchObject({is64bit: true, inodeSize: 256, descSize: 64, hugeFile: true, project: true, groupDescCsum: true})
  })

  it('32-bit descriptors and 128-byte inodes (no project ids there: projid 0 when asked)', () => {
    const {img, r} = checkAgainstE2fsck('small-inodes', ['-I', '128', '-O', '^64bit,^metadata_csum,uninit_bg'], false)
    expect(readExt4Layout(img).sb).toMatchObject({is64bit: false, inodeSize: 128, descSize: 32, groupDescCsum: true})
    const withProjects = scan(img, true)
    expect(plain(withProjects.tallies, 'project')).toEqual({0: {bytes: r.counters.bytes, inodes: r.counters.files + r.counters.dirs}})
  })

  it('4 KiB blocks, 64bit', () => {
    const {img} = checkAgainstE2fsck('4k', ['-b', '4096'], true)
    expect(readExt4Layout(img).sb.blockSize).toBe(4096)
  })

  it('uninitialised inode groups are skipped, and the unused tail of the others', () => {
    const {img} = checkAgainstE2fsck('uninit', ['-N', '16384', '-g', '2048'], true)
    const {sb, groups} = readExt4Layout(img)
    expect(groups.length).toBe(sb.groupCount)
    expect(groups.filter((g) => g.usedInodes === 0).length).toBeGreaterThan(10)
    expect(groups[0].usedInodes).toBeGreaterThan(0)
    expect(groups[0].usedInodes).toBeLessThan(sb.inodesPerGroup)
  })

  it('no group checksums (every inode table read whole, the bitmap decides)', () => {
    const {img} = checkAgainstE2fsck('nocsum', ['-O', '^metadata_csum,^uninit_bg', '-g', '2048'], true)
    const {sb, groups} = readExt4Layout(img)
    expect(sb.groupDescCsum).toBe(false)
    expect(groups.every((g) => g.usedInodes === sb.inodesPerGroup)).toBe(true)
  })

  it('meta_bg (descriptors spread over the meta groups)', () => {
    const {img} = checkAgainstE2fsck('metabg', ['-O', 'meta_bg,^resize_inode', '-g', '1024', '-N', '8192'], true)
    const {sb} = readExt4Layout(img)
    expect(sb.metaBg).toBe(true)
    expect(sb.groupCount).toBeGreaterThan(sb.blockSize / sb.descSize) // more than one meta group
  })

  it('ext2 (no journal, no extents)', () => {
    checkAgainstE2fsck('ext2', ['-t', 'ext2', '-O', '^64bit,^metadata_csum,^flex_bg,^huge_file,^dir_nlink,^extra_isize,^has_journal,^extent'], false)
  })
})

/** Blockcount and inode number of a path, from debugfs stat. */
function statOf(img: string, path: string): {ino: number; blocks: number} {
  const text = runDebugfs(img, [`stat ${path}`])
  return {ino: Number(/Inode: (\d+)/.exec(text)![1]), blocks: Number(/Blockcount: (\d+)/.exec(text)![1])}
}

describe('several threads', () => {
  it('the compiled scan with worker threads counts what one thread does', async () => {
    requireBuild()
    const built = (await import(pathToFileURL(join(process.cwd(), 'dist/src/scan/ext4/scan.js')).href)) as typeof import('../../../src/scan/ext4/scan.js')
    const img = makeImage('threads', standardTree('threads'), ['-O', 'quota,project,^metadata_csum,^uninit_bg', '-g', '2048'], [...STANDARD_OWNERS, ...STANDARD_PROJECTS])
    expect(built.ext4WorkersAvailable()).toBe(true)
    const one = scan(img)
    const several = await built.scanExt4Parallel({device: img, root: '/mnt/test', expect: null, projects: true, threads: 3})
    expect(built.workItems(readExt4Layout(img).sb, readExt4Layout(img).groups).length).toBeGreaterThan(8)
    expect(several.threads).toBe(2)
    for (const type of ['user', 'group', 'project'] as const) expect(plain(several.tallies, type)).toEqual(plain(one.tallies, type))
    expect(several.counters).toEqual(one.counters)
  })
})

describe('what e2fsck cannot vouch for', () => {
  it('a huge_file inode counts i_blocks (with i_blocks_high) in filesystem blocks', () => {
    const img = makeImage('huge', standardTree('huge'), [], STANDARD_OWNERS)
    const before = scan(img).tallies.user.get(1001)!
    const g = statOf(img, '/bob/g')
    runDebugfs(img, ['sif /bob/g flags 0x80000', 'sif /bob/g blocks_hi 0'], true) // extents only: i_blocks in 512-byte units still
    expect(scan(img).tallies.user.get(1001)).toEqual(before)
    runDebugfs(img, ['sif /bob/g flags 0xC0000'], true) // + EXT4_HUGE_FILE_FL
    const blockSize = readExt4Layout(img).sb.blockSize
    expect(scan(img).tallies.user.get(1001)).toEqual({inodes: before.inodes, bytes: before.bytes - g.blocks * 512 + g.blocks * blockSize})
    runDebugfs(img, ['sif /bob/g blocks_hi 1'], true)
    expect(scan(img).tallies.user.get(1001)!.bytes).toBe(before.bytes - g.blocks * 512 + (g.blocks + 2 ** 32) * blockSize)
  })

  it('an inode still allocated with no links (deleted while open) counts, as the kernel charges it; a freed one does not', () => {
    const img = makeImage('orphan', standardTree('orphan'), [], STANDARD_OWNERS)
    const carol = statOf(img, '/carol')
    runDebugfs(img, ['unlink /carol', `sif <${carol.ino}> links_count 0`], true)
    expect(scan(img).tallies.user.get(70000)).toEqual({inodes: 1, bytes: carol.blocks * 512})
    runDebugfs(img, [`kill_file <${carol.ino}>`], true)
    expect(scan(img).tallies.user.get(70000)).toBeUndefined()
  })

  it('the filesystem\'s own inodes are never counted: journal, hidden quota files (the project one is an ordinary inode number)', () => {
    const img = makeImage('own', standardTree('own'), ['-O', 'quota,project'], STANDARD_OWNERS)
    const {sb} = readExt4Layout(img)
    expect(sb.internalInodes).toEqual(expect.arrayContaining([8, 3, 4]))
    const prj = sb.internalInodes.find((ino) => ino >= sb.firstIno)
    expect(prj).toBeDefined()
    // root and lost+found are all of id 0's inodes
    expect(scan(img).tallies.user.get(0)!.inodes).toBe(2)
  })
})

describe('refusals: an Ext4Unavailable with the reason, never a loop or a huge allocation', () => {
  const base = makeImage('corrupt-base', standardTree('corrupt-base'), [], STANDARD_OWNERS)
  const layout = readExt4Layout(base)

  function patched(name: string, offset: number, bytes: Buffer): string {
    const img = join(workDir, `${name}.img`)
    copyFileSync(base, img)
    const fd = openSync(img, 'r+')
    writeSync(fd, bytes, 0, bytes.length, offset)
    closeSync(fd)
    return img
  }
  const u32 = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(n >>> 0)
    return b
  }
  const refusal = (img: string): string => {
    try {
      scan(img)
    } catch (e) {
      expect(e).toBeInstanceOf(Ext4Unavailable)
      return (e as Ext4Unavailable).reason
    }
    throw new Error('no refusal')
  }

  it('not ext4', () => {
    expect(refusal(patched('magic', 1024 + 0x38, Buffer.from([0, 0])))).toMatch(/bad magic/)
    expect(refusal(join(workDir, 'missing.img'))).toMatch(/cannot open .*ENOENT/)
  })

  it('counts that disagree, or claim more than the device holds', () => {
    expect(refusal(patched('inodes', 1024, u32(layout.sb.inodesCount + 1)))).toMatch(/inodes count/)
    expect(refusal(patched('ipg', 1024 + 0x28, u32(0xffff_ffff)))).toMatch(/inodes per group/)
    const short = join(workDir, 'short.img')
    copyFileSync(base, short)
    truncateSync(short, 8 << 20)
    expect(refusal(short)).toMatch(/more than the device holds/)
    expect(refusal(patched('unknown', 1024 + 0x60, u32(readFileSync(base).readUInt32LE(1024 + 0x60) | 0x4000_0000)))).toMatch(/unknown incompatible features 0x40000000/)
  })

  it('a group whose inode table lies outside the filesystem, or with more unused inodes than it has', () => {
    const gdt = (layout.sb.firstDataBlock + 1) * layout.sb.blockSize
    expect(refusal(patched('table', gdt + 0x08, u32(0xffff_ff00)))).toMatch(/group 0: inode table at block .* outside the filesystem/)
    expect(refusal(patched('unused', gdt + 0x1c, Buffer.from([0xff, 0xff])))).toMatch(/group 0: \d+ unused inodes/)
  })
})
