// The directory walker's inner loop: read one directory, lstat every entry, count it for its
// uid, gid and (when asked) project id, and hand back the subdirectories. Used the same way on the
// main thread (small scans, tests) and in the worker threads (scanner.ts, worker.ts).
//
// What is counted, and why (quota-reference 3.4, linuxquota's quotacheck):
//   - every inode once: directories, files, symlinks, devices, FIFOs, sockets; an inode with more
//     than one link (not a directory) is remembered by inode number and counted the first time;
//   - space = st_blocks x 512, the allocated bytes, which is what ext4 and XFS charge (the kernel
//     adds i_blocks * 512 + i_bytes; i_bytes is 0 on both). A sparse file counts only its
//     allocated blocks; a fast symlink 0 bytes;
//   - nothing on another filesystem: an entry whose st_dev differs from the root's, or whose path
//     is a mountpoint (a bind mount of the same filesystem has the same st_dev), is neither
//     counted nor entered. The directory a mount covers cannot be seen, so it is not counted
//     either (linuxquota's tree walk has the same blind spot);
//   - project ids from FS_IOC_FSGETXATTR for directories and regular files; symlinks and special
//     files cannot be opened for it and are taken to have their directory's project id.
// Files that vanish between readdir and lstat (a busy filesystem) are counted as vanished, not as
// errors; any other failure is recorded and makes the scan incomplete.

import {type BigIntStats, type Stats, lstatSync, readdirSync} from 'node:fs'

import {ProjectIdError, projectIdOf} from '../sys/fsxattr.js'
import {type Tallies, addUsage, emptyTallies} from './tally.js'

const S_IFMT = 0o170000
const S_IFDIR = 0o040000
const S_IFREG = 0o100000

/** A directory to read: its path and its project id (inherited by entries that cannot be opened). */
export interface DirItem {
  path: string
  projid: number
}

/** An inode with several links, counted once: what it is charged to. */
export interface LinkedInode {
  uid: number
  gid: number
  projid: number
  bytes: number
}

export interface ScanIssue {
  path: string
  code: string
  op: 'readdir' | 'lstat' | 'projid'
}

export interface WalkCounters {
  /** inodes counted (after removing repeated hard links) that are not directories */
  files: number
  dirs: number
  bytes: number
  /** directory entries that were further links to an inode already counted */
  extraLinks: number
  /** entries gone between readdir and lstat */
  vanished: number
  /** entries not entered: other filesystems and mountpoints */
  skippedMounts: number
  /** failures (unreadable directory, failed lstat or project id): the scan is incomplete */
  issues: number
}

export interface WalkOptions {
  /** st_dev of the scanned filesystem's root */
  dev: number
  /** read project ids (an ioctl per directory and regular file) */
  projects: boolean
  /** mountpoints below the root: not entered, not counted */
  mountpoints: ReadonlySet<string>
}

export interface WalkState {
  tallies: Tallies
  /** inode number (string for numbers beyond 2^53) -> its owner, for inodes with several links */
  links: Map<number | string, LinkedInode>
  counters: WalkCounters
  /** the first MAX_ISSUES failures (counters.issues counts them all) */
  issues: ScanIssue[]
}

export const MAX_ISSUES = 50

export const newWalkState = (): WalkState => ({
  tallies: emptyTallies(),
  links: new Map(),
  counters: {files: 0, dirs: 0, bytes: 0, extraLinks: 0, vanished: 0, skippedMounts: 0, issues: 0},
  issues: [],
})

const code = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? String(e)
const gone = (c: string): boolean => c === 'ENOENT' || c === 'ENOTDIR'

export const joinPath = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`)

export class Walker {
  readonly state: WalkState = newWalkState()

  constructor(private readonly opts: WalkOptions) {}

  private issue(path: string, c: string, op: ScanIssue['op']): void {
    if (this.state.issues.length < MAX_ISSUES) this.state.issues.push({path, code: c, op})
    this.state.counters.issues++
  }

  private projidOf(path: string, fallback: number): number | null {
    try {
      return projectIdOf(path)
    } catch (e) {
      if (!(e instanceof ProjectIdError)) throw e // e.g. the FFI module cannot load: no point going on
      const c = e.code
      if (gone(c)) {
        this.state.counters.vanished++
        return null
      }
      this.issue(path, c, 'projid')
      return fallback
    }
  }

  /** Count one inode (the root, or an entry already lstat'ed). Returns false when it vanished. */
  count(path: string, st: Stats, parentProjid: number): {isDir: boolean; projid: number} | null {
    const type = st.mode & S_IFMT
    const isDir = type === S_IFDIR
    let projid = 0
    if (this.opts.projects) {
      const p = isDir || type === S_IFREG ? this.projidOf(path, parentProjid) : parentProjid
      if (p === null) return null
      projid = p
    }
    const bytes = st.blocks * 512
    const c = this.state.counters
    if (!isDir && st.nlink > 1) {
      let key: number | string = st.ino
      if (!Number.isSafeInteger(key)) key = (lstatSync(path, {bigint: true}) as BigIntStats).ino.toString()
      if (this.state.links.has(key)) {
        c.extraLinks++
        return {isDir, projid}
      }
      this.state.links.set(key, {uid: st.uid, gid: st.gid, projid, bytes})
    } else {
      const t = this.state.tallies
      addUsage(t.user, st.uid, 1, bytes)
      addUsage(t.group, st.gid, 1, bytes)
      if (this.opts.projects) addUsage(t.project, projid, 1, bytes)
    }
    if (isDir) c.dirs++
    else c.files++
    c.bytes += bytes
    return {isDir, projid}
  }

  /** Read one directory; its subdirectories are pushed onto `out`. */
  readDir(dir: DirItem, out: DirItem[]): void {
    let names: string[]
    try {
      names = readdirSync(dir.path)
    } catch (e) {
      const c = code(e)
      if (gone(c)) this.state.counters.vanished++
      else this.issue(dir.path, c, 'readdir')
      return
    }
    const {dev, mountpoints} = this.opts
    for (const name of names) {
      const path = joinPath(dir.path, name)
      let st: Stats | undefined
      try {
        st = lstatSync(path, {throwIfNoEntry: false})
      } catch (e) {
        const c = code(e)
        if (gone(c)) this.state.counters.vanished++
        else this.issue(path, c, 'lstat')
        continue
      }
      if (!st) {
        this.state.counters.vanished++
        continue
      }
      if (st.dev !== dev || (mountpoints.size > 0 && mountpoints.has(path))) {
        this.state.counters.skippedMounts++
        continue
      }
      const r = this.count(path, st, dir.projid)
      if (r?.isDir) out.push({path, projid: r.projid})
    }
  }
}
