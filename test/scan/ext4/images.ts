// Small ext4 images for the inode-table reader's tests, made by this host's e2fsprogs (mkfs.ext4
// -d from a temporary tree, owners and project ids set with debugfs, so no root is needed), and
// the oracle: e2fsck -f recomputes the hidden quota usage from its own inode scan, and debugfs
// `lq` lists it.

import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, linkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {QuotaType} from '../../../src/core/types.js'
import type {Tallies} from '../../../src/scan/tally.js'

export const workDir = mkdtempSync(join(tmpdir(), 'quotakit-ext4-'))
export const cleanup = (): void => rmSync(workDir, {recursive: true, force: true})

export type Plain = Record<number, {bytes: number; inodes: number}>

/** The tree every image starts from: hard links, a sparse file, fast and slow symlinks, a FIFO, directories. */
export function standardTree(name: string): string {
  const src = join(workDir, `${name}-src`)
  mkdirSync(join(src, 'alice/deep/er'), {recursive: true})
  mkdirSync(join(src, 'bob'), {recursive: true})
  writeFileSync(join(src, 'alice/f'), Buffer.alloc(37 * 1024, 7))
  linkSync(join(src, 'alice/f'), join(src, 'alice/f2'))
  linkSync(join(src, 'alice/f'), join(src, 'alice/deep/f3'))
  symlinkSync('f', join(src, 'alice/sym'))
  symlinkSync('/nonexistent/target/far/away/beyond/sixty/characters/so/it/is/not/fast', join(src, 'bob/long'))
  writeFileSync(join(src, 'alice/sparse'), '')
  truncateSync(join(src, 'alice/sparse'), 5 << 20)
  const fd = spawnSync('dd', ['if=/dev/zero', `of=${join(src, 'alice/sparse')}`, 'bs=1k', 'count=4', 'seek=2000', 'conv=notrunc'], {stdio: 'ignore'})
  if (fd.status !== 0) throw new Error('dd failed')
  writeFileSync(join(src, 'bob/g'), Buffer.alloc(100 * 1024, 1))
  execFileSync('mkfifo', [join(src, 'bob/fifo')])
  writeFileSync(join(src, 'carol'), Buffer.alloc(9 * 1024, 2))
  return src
}

/** Owners (and project ids) the standard tree gets, as debugfs commands. */
export const STANDARD_OWNERS = [
  'sif /alice uid 1000', 'sif /alice gid 1000', 'sif /alice/f uid 1000', 'sif /alice/f gid 50', 'sif /alice/deep uid 1000',
  'sif /alice/deep/er uid 1000', 'sif /alice/sym uid 1000', 'sif /alice/sparse uid 1000', 'sif /alice/sparse gid 1000',
  'sif /bob uid 1001', 'sif /bob gid 1001', 'sif /bob/long uid 1001', 'sif /bob/g uid 1001', 'sif /bob/g gid 50', 'sif /bob/fifo uid 1001',
  // ids beyond 16 bits (i_uid_high / i_gid_high) and beyond the reader's dense range
  'sif /carol uid 70000', 'sif /carol gid 123456',
]

export const STANDARD_PROJECTS = ['sif /alice projid 42', 'sif /alice/f projid 42', 'sif /bob/g projid 43', 'sif /carol projid 100000']

/** mkfs.ext4 -d `src` into a new image of `sizeMiB`, then the debugfs -w commands. */
export function makeImage(name: string, src: string, mkfsArgs: string[], debugfs: string[] = [], sizeMiB = 64): string {
  const img = join(workDir, `${name}.img`)
  writeFileSync(img, '')
  truncateSync(img, sizeMiB << 20)
  execFileSync('mkfs.ext4', ['-q', '-F', ...mkfsArgs, '-d', src, img], {stdio: ['ignore', 'ignore', 'pipe']})
  if (debugfs.length > 0) runDebugfs(img, debugfs, true)
  return img
}

export function runDebugfs(img: string, commands: string[], write = false): string {
  const cmdFile = join(workDir, 'debugfs.cmds')
  writeFileSync(cmdFile, commands.join('\n') + '\n')
  return execFileSync('debugfs', [...(write ? ['-w'] : []), '-f', cmdFile, img], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
}

/** e2fsck -f recomputes the quota feature's usage from its own scan of the inode tables; debugfs lists it. */
export function e2fsckUsage(img: string, types: QuotaType[]): Record<QuotaType, Plain> {
  const r = spawnSync('e2fsck', ['-fy', img], {encoding: 'utf8'})
  if (r.status !== 0 && r.status !== 1) throw new Error(`e2fsck exited ${r.status}: ${r.stdout}${r.stderr}`)
  const out: Record<QuotaType, Plain> = {user: {}, group: {}, project: {}}
  for (const type of types) {
    const text = runDebugfs(img, [`lq ${type}`])
    for (const line of text.split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s/.exec(line)
      if (m) out[type][Number(m[1])] = {bytes: Number(m[2]), inodes: Number(m[3])}
    }
  }
  return out
}

export const plain = (t: Tallies, type: QuotaType): Plain =>
  Object.fromEntries([...t[type]].filter(([, u]) => u.inodes || u.bytes).map(([id, u]) => [id, {bytes: u.bytes, inodes: u.inodes}]))
