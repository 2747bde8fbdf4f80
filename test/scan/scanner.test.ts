// The scanner on a real temporary tree: hard links counted once, sparse files by their allocated
// blocks, symlinks and FIFOs as inodes, directories, ownership per uid/gid, mountpoints skipped,
// the same answer on this thread and in worker threads (the compiled scanner, when built).

import {execFileSync, spawnSync} from 'node:child_process'
import {chownSync, existsSync, lchownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {QuotaError} from '../../src/errors.js'
import {mountpointsBelow, scanTree} from '../../src/scan/scanner.js'
import type {Tallies} from '../../src/scan/tally.js'

const isRoot = process.getuid?.() === 0
let root: string

const blocksOf = (p: string) => lstatSync(p).blocks * 512

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'quotakit-scan-'))
  mkdirSync(join(root, 'a'))
  writeFileSync(join(root, 'a/f1'), Buffer.alloc(40_000, 1))
  linkSync(join(root, 'a/f1'), join(root, 'a/f1-link'))
  mkdirSync(join(root, 'b'))
  linkSync(join(root, 'a/f1'), join(root, 'b/f1-link2')) // three names, one inode
  writeFileSync(join(root, 'b/sparse'), '')
  truncateSync(join(root, 'b/sparse'), 10 << 20) // 10 MiB, no blocks
  writeFileSync(join(root, 'b/data'), Buffer.alloc(5000, 2))
  symlinkSync('a', join(root, 'c'))
  execFileSync('mkfifo', [join(root, 'p')])
  mkdirSync(join(root, 'd/e/f'), {recursive: true})
  mkdirSync(join(root, 'm')) // stands for a mountpoint: neither entered nor counted
  writeFileSync(join(root, 'm/hidden'), Buffer.alloc(9000, 3))
  if (isRoot) {
    chownSync(join(root, 'a'), 1000, 1000)
    chownSync(join(root, 'a/f1'), 1000, 1000)
    chownSync(join(root, 'b'), 1001, 50)
    chownSync(join(root, 'b/sparse'), 1001, 50)
    chownSync(join(root, 'b/data'), 1001, 51)
    lchownSync(join(root, 'c'), 1002, 1002)
    chownSync(join(root, 'p'), 1003, 1003)
  }
})

afterAll(() => rmSync(root, {recursive: true, force: true}))

/** The expected tallies, computed the slow obvious way. */
function reference(dir: string, skip: Set<string>): {tallies: Tallies; inodes: number} {
  const tallies: Tallies = {user: new Map(), group: new Map(), project: new Map()}
  const seen = new Set<number>()
  const add = (t: Map<number, {inodes: number; bytes: number}>, id: number, bytes: number) => {
    const u = t.get(id) ?? {inodes: 0, bytes: 0}
    u.inodes++
    u.bytes += bytes
    t.set(id, u)
  }
  let inodes = 0
  const visit = (p: string) => {
    const st = lstatSync(p)
    if (seen.has(st.ino)) return
    seen.add(st.ino)
    inodes++
    add(tallies.user, st.uid, st.blocks * 512)
    add(tallies.group, st.gid, st.blocks * 512)
    if (st.isDirectory()) for (const name of readdirSync(p)) if (!skip.has(join(p, name))) visit(join(p, name))
  }
  visit(dir)
  return {tallies, inodes}
}

describe('scanTree on this thread', () => {
  it('counts each inode once, allocated space, every kind of inode, and skips mountpoints', async () => {
    const skip = join(root, 'm')
    const r = await scanTree({root, projects: false, threads: 0, mountpoints: [skip]})
    const ref = reference(root, new Set([skip]))
    expect(r.tallies.user).toEqual(ref.tallies.user)
    expect(r.tallies.group).toEqual(ref.tallies.group)
    expect(r.tallies.project.size).toBe(0)
    // root, a, b, d, d/e, d/e/f; f1 (3 names), sparse, data, c, p
    expect(r.counters).toMatchObject({dirs: 6, files: 5, extraLinks: 2, skippedMounts: 1, vanished: 0, issues: 0})
    expect(r.counters.files + r.counters.dirs).toBe(ref.inodes)
    expect(r.issues).toEqual([])
    expect(r.threads).toBe(0)
  })

  // The tree's owners are set with chown: the suite runs as root (README), as CI does.
  it('charges each uid and gid what it owns (hard links once, sparse files by blocks)', async () => {
    expect(isRoot, 'this test chowns files: run the suite as root').toBe(true)
    const r = await scanTree({root, projects: false, threads: 0, mountpoints: [join(root, 'm')]})
    expect(r.tallies.user.get(1000)).toEqual({inodes: 2, bytes: blocksOf(join(root, 'a')) + blocksOf(join(root, 'a/f1'))})
    expect(blocksOf(join(root, 'a/f1'))).toBeGreaterThanOrEqual(40_000)
    // b, the 10 MiB sparse file (no blocks) and data
    expect(r.tallies.user.get(1001)).toEqual({inodes: 3, bytes: blocksOf(join(root, 'b')) + blocksOf(join(root, 'b/data'))})
    expect(r.tallies.group.get(50)).toEqual({inodes: 2, bytes: blocksOf(join(root, 'b'))})
    expect(r.tallies.group.get(51)).toEqual({inodes: 1, bytes: blocksOf(join(root, 'b/data'))})
    expect(r.tallies.user.get(1002)).toEqual({inodes: 1, bytes: 0}) // a fast symlink
    expect(r.tallies.user.get(1003)).toEqual({inodes: 1, bytes: 0}) // a FIFO
  })

  it('reads project ids when asked (this host\'s files carry project 0)', async () => {
    const r = await scanTree({root, projects: true, threads: 0, mountpoints: [join(root, 'm')]})
    expect([...r.tallies.project.keys()]).toEqual([0])
    expect(r.tallies.project.get(0)!.inodes).toBe(r.counters.files + r.counters.dirs)
    expect(r.issues).toEqual([])
  })

  it('without the mountpoint list, enters every directory of the same filesystem', async () => {
    const r = await scanTree({root, projects: false, threads: 0, mountpoints: []})
    expect(r.counters.skippedMounts).toBe(0)
    expect(r.counters.files).toBe(6)
  })

  it('reports progress', async () => {
    const seen: number[] = []
    await scanTree({root, projects: false, threads: 0, mountpoints: [], progressIntervalMs: 0, onProgress: (p) => seen.push(p.entries)})
    expect(seen.length).toBeGreaterThan(0)
  })

  it('a missing root is an error, not an empty scan', async () => {
    await expect(scanTree({root: join(root, 'nope'), projects: false, threads: 0})).rejects.toBeInstanceOf(QuotaError)
  })

  it('knows which mountpoints lie below a root', () => {
    expect([...mountpointsBelow('/mnt/a', ['/', '/mnt/a', '/mnt/a/b', '/mnt/ab', '/mnt/a/b/c'])]).toEqual(['/mnt/a/b', '/mnt/a/b/c'])
    expect([...mountpointsBelow('/', ['/', '/proc', '/mnt/x'])]).toEqual(['/proc', '/mnt/x'])
  })
})

const BUILT = join(import.meta.dirname, '../../dist/src/scan/scanner.js')

describe('scanTree in worker threads (the compiled scanner)', () => {
  it('gives the same counts with 1, 2 and 3 workers as on this thread', async () => {
    expect(existsSync(BUILT), `${BUILT} is missing: build first (scripts/test does)`).toBe(true)
    const here = await scanTree({root, projects: true, threads: 0, mountpoints: [join(root, 'm')]})
    const plain = (t: Tallies) => ({user: [...t.user].sort(), group: [...t.group].sort(), project: [...t.project].sort()})
    for (const threads of [1, 2, 3]) {
      const script = `import {scanTree} from ${JSON.stringify(BUILT)}
        const r = await scanTree({root: ${JSON.stringify(root)}, projects: true, threads: ${threads}, mountpoints: [${JSON.stringify(join(root, 'm'))}]})
        const plain = (t) => ({user: [...t.user].sort(), group: [...t.group].sort(), project: [...t.project].sort()})
        console.log(JSON.stringify({tallies: plain(r.tallies), counters: r.counters, threads: r.threads}))`
      const file = join(root, '..', `${root.split('/').pop()}-workers.mjs`)
      writeFileSync(file, script)
      const out = spawnSync(process.execPath, [file], {encoding: 'utf8'})
      rmSync(file)
      expect(out.status, out.stderr).toBe(0)
      const r = JSON.parse(out.stdout)
      expect(r.threads).toBe(threads)
      expect(r.counters).toEqual(here.counters)
      expect(r.tallies).toEqual(JSON.parse(JSON.stringify(plain(here.tallies))))
    }
  })
})
