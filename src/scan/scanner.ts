// Scanning one mounted filesystem: usage per user, group and project id, as the kernel charges it
// (walk.ts says what is counted). Directory reads run in worker threads so that every core works
// (lstat dominates and is synchronous in each worker); a small pool shares work through a queue
// on this thread: a worker that runs dry says so, the others give away half of what they have.
//
// Progress: workers write their counts into a shared array that this thread samples on a timer;
// the caller decides whether to show it (a progress line on a terminal only).

import {existsSync, lstatSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {QuotaError} from '../errors.js'
import {readMountinfo} from '../sys/mounts.js'
import {type Tallies, addUsage, emptyTallies, mergeTallies} from './tally.js'
import {type DirItem, type LinkedInode, MAX_ISSUES, type ScanIssue, type WalkCounters, type WalkOptions, type WalkState, Walker} from './walk.js'
import type {FromWorker, ToWorker, WorkerData} from './worker.js'

export interface ScanProgress {
  /** inodes and further hard links seen so far */
  entries: number
  bytes: number
  elapsedMs: number
}

export interface ScanOptions {
  /** the mountpoint */
  root: string
  /** read project ids too (costs an open and an ioctl per directory and regular file) */
  projects: boolean
  /** mountpoints below root; default: from /proc/self/mountinfo */
  mountpoints?: readonly string[]
  /** worker threads; 0 scans on this thread. Default: the number of CPUs, at most 4 (0 on one CPU) */
  threads?: number
  onProgress?: (p: ScanProgress) => void
  progressIntervalMs?: number
}

export interface ScanResult {
  root: string
  tallies: Tallies
  counters: WalkCounters
  /** the first failures; counters.issues counts all of them. Any failure makes the scan incomplete */
  issues: ScanIssue[]
  durationMs: number
  threads: number
  /** how the filesystem was read: by walking its directories, or from its inode tables (ext4/, ext2/3/4 only) */
  method: 'walk' | 'inode-table'
}

export const DEFAULT_MAX_THREADS = 4

/** One worker per CPU up to DEFAULT_MAX_THREADS; none on a single CPU, where a worker only adds its start-up. */
export function defaultThreads(): number {
  const cpus = availableParallelism()
  return cpus > 1 ? Math.min(DEFAULT_MAX_THREADS, cpus) : 0
}

/** Mountpoints strictly below `root`, from mountinfo (bind mounts of the same filesystem included). */
export function mountpointsBelow(root: string, mountpoints: Iterable<string>): Set<string> {
  const prefix = root === '/' ? '/' : `${root}/`
  return new Set([...mountpoints].filter((m) => m !== root && m.startsWith(prefix)))
}

const WORKER_URL = new URL('./worker.js', import.meta.url)

/** Worker threads need the compiled worker.js; under a TypeScript test runner only the source exists. */
const workersAvailable = (): boolean => WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL))

export async function scanTree(opts: ScanOptions): Promise<ScanResult> {
  const started = performance.now()
  let rootSt
  try {
    rootSt = lstatSync(opts.root)
  } catch (e) {
    throw new QuotaError('failed', `cannot stat the mountpoint: ${(e as Error).message}`, {mount: opts.root, errno: (e as NodeJS.ErrnoException).code})
  }
  if (!rootSt.isDirectory()) throw new QuotaError('failed', 'the mountpoint is not a directory', {mount: opts.root})
  const walkOptions: WalkOptions = {
    dev: rootSt.dev,
    projects: opts.projects,
    mountpoints: mountpointsBelow(opts.root, opts.mountpoints ?? readMountinfo().map((m) => m.mountpoint)),
  }
  // The root directory is counted here, whatever runs the rest.
  const main = new Walker(walkOptions)
  const root = main.count(opts.root, rootSt, 0)
  const rootItem: DirItem = {path: opts.root, projid: root?.projid ?? 0}

  let threads = opts.threads ?? defaultThreads()
  if (threads > 0 && !workersAvailable()) threads = 0
  const states = threads === 0 ? [walkHere(main, rootItem, opts, started)] : [main.state, ...(await walkInWorkers(threads, walkOptions, rootItem, opts, started))]
  return {root: opts.root, ...combine(states, opts.projects), durationMs: performance.now() - started, threads, method: 'walk'}
}

function walkHere(walker: Walker, root: DirItem, opts: ScanOptions, started: number): WalkState {
  const stack = [root]
  const every = opts.progressIntervalMs ?? 250
  let next = performance.now() + every
  const c = walker.state.counters
  while (stack.length > 0) {
    walker.readDir(stack.pop()!, stack)
    if (opts.onProgress && performance.now() >= next) {
      next += every
      opts.onProgress({entries: c.files + c.dirs + c.extraLinks, bytes: c.bytes, elapsedMs: performance.now() - started})
    }
  }
  return walker.state
}

function walkInWorkers(n: number, options: WalkOptions, root: DirItem, opts: ScanOptions, started: number): Promise<WalkState[]> {
  const hungryBuf = new SharedArrayBuffer(4)
  const hungry = new Int32Array(hungryBuf)
  const progressBuf = new SharedArrayBuffer(16 * n)
  const progress = new Float64Array(progressBuf)
  const workers: Worker[] = []
  const queue: DirItem[] = [root]
  const idle: Worker[] = []
  const results: WalkState[] = []
  let timer: NodeJS.Timeout | undefined

  return new Promise<WalkState[]>((resolve, reject) => {
    let settled = false
    const stopAll = () => {
      if (timer) clearInterval(timer)
      for (const w of workers) void w.terminate()
    }
    const fail = (e: Error) => {
      if (settled) return
      settled = true
      stopAll()
      reject(e)
    }
    const dispatch = () => {
      while (idle.length > 0 && queue.length > 0) {
        const w = idle.pop()!
        const share = Math.max(1, Math.ceil(queue.length / (idle.length + 1)))
        w.postMessage({kind: 'work', dirs: queue.splice(queue.length - share, share)} satisfies ToWorker)
      }
      Atomics.store(hungry, 0, idle.length)
      if (idle.length === workers.length && queue.length === 0) {
        for (const w of workers) w.postMessage({kind: 'finish'} satisfies ToWorker)
        idle.length = 0 // nothing more to hand out; results follow
      }
    }
    if (opts.onProgress) {
      const onProgress = opts.onProgress
      timer = setInterval(() => {
        let entries = 0
        let bytes = 0
        for (let i = 0; i < n; i++) {
          entries += progress[2 * i]
          bytes += progress[2 * i + 1]
        }
        onProgress({entries, bytes, elapsedMs: performance.now() - started})
      }, opts.progressIntervalMs ?? 250)
      timer.unref()
    }
    for (let i = 0; i < n; i++) {
      const data: WorkerData = {index: i, options, hungry: hungryBuf, progress: progressBuf}
      const w = new Worker(WORKER_URL, {workerData: data})
      workers.push(w)
      w.on('error', (e) => fail(e))
      w.on('exit', (code) => {
        if (!settled && code !== 0) fail(new Error(`scan worker exited with code ${code}`))
      })
      w.on('message', (m: FromWorker) => {
        if (m.kind === 'share') {
          queue.push(...m.dirs)
          dispatch()
        } else if (m.kind === 'idle') {
          idle.push(w)
          dispatch()
        } else if (m.kind === 'result') {
          results.push(m.state)
          if (results.length === n && !settled) {
            settled = true
            stopAll()
            resolve(results)
          }
        } else {
          fail(new Error(`scan worker failed: ${m.message}`))
        }
      })
      idle.push(w)
    }
    dispatch()
  })
}

/**
 * Adds the per-worker results up. Inodes with several links were counted by each worker that met
 * them first: they are tallied once here, and the extra counts taken back.
 */
function combine(states: WalkState[], projects: boolean): {tallies: Tallies; counters: WalkCounters; issues: ScanIssue[]} {
  const tallies = emptyTallies()
  const counters: WalkCounters = {files: 0, dirs: 0, bytes: 0, extraLinks: 0, vanished: 0, skippedMounts: 0, issues: 0}
  const issues: ScanIssue[] = []
  const links = new Map<number | string, LinkedInode>()
  for (const s of states) {
    mergeTallies(tallies, s.tallies)
    for (const k of Object.keys(counters) as Array<keyof WalkCounters>) counters[k] += s.counters[k]
    for (const issue of s.issues) if (issues.length < MAX_ISSUES) issues.push(issue)
    for (const [ino, owner] of s.links) {
      if (links.has(ino)) {
        counters.files--
        counters.bytes -= owner.bytes
        counters.extraLinks++
      } else {
        links.set(ino, owner)
      }
    }
  }
  for (const owner of links.values()) {
    addUsage(tallies.user, owner.uid, 1, owner.bytes)
    addUsage(tallies.group, owner.gid, 1, owner.bytes)
    if (projects) addUsage(tallies.project, owner.projid, 1, owner.bytes)
  }
  return {tallies, counters, issues}
}
