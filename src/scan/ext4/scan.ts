// quotacheck's scan of an ext2/3/4 filesystem from its inode tables, read straight from the block
// device (root only), as Debian's linuxquota does (EXT2_DIRECT, through libext2fs): no directory
// is read and no inode is stat'ed, so it costs one sequential pass over the used part of each
// group's inode table. inode-table.ts says what is counted.
//
// Consistency: the device is read with ordinary (buffered) reads, so through the block device's
// page cache, which is where ext4 keeps its metadata buffers: inodes the kernel has updated are
// seen even before they reach the disk. Delayed allocation is only settled by writeback, so the
// caller syncs the filesystem first (as for the walk).
//
// Everything is bounded by the superblock, which is checked against the device's size: group and
// descriptor counts, table positions (inside the filesystem), reads (at most CHUNK bytes at a
// time). Whatever this reader cannot use is an Ext4Unavailable with the reason, and the caller
// walks the tree instead.

import {closeSync, existsSync, fstatSync, openSync, readFileSync, readSync} from 'node:fs'
import {endianness} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {devMajor, devMinor} from '../../sys/devnum.js'
import type {ScanProgress, ScanResult} from '../scanner.js'
import {mergeTallies} from '../tally.js'
import {InodeAccumulator} from './accumulator.js'
import {descriptorBlock, descriptorBlockCount, descriptorsPerBlock, type GroupDesc, parseGroupDescs} from './groups.js'
import {countInodes} from './inode-table.js'
import {EXT4_SUPER_OFFSET, EXT4_SUPER_SIZE, type Ext4Super, parseExt4Super} from './superblock.js'
import type {Ext4WorkerData, Ext4WorkerResult} from './worker.js'

/** Largest single read of an inode table (the table of a big group is read in pieces). */
const CHUNK = 8 << 20

/** The inode-table scan cannot be used here; `reason` says why (the walk is the fallback). */
export class Ext4Unavailable extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'Ext4Unavailable'
  }
}

export interface Ext4ScanOptions {
  /** the block device (or, in tests, an image file) */
  device: string
  /** the mountpoint, reported as the scan's root */
  root: string
  /** the mounted filesystem's device number (mountinfo): the device must be that one. null: any device or image file (tests) */
  expect: {major: number; minor: number} | null
  projects: boolean
  /** called once the device is known to hold a filesystem this reader can read, before its inodes are (the engine syncs it here) */
  beforeRead?: () => void
  onProgress?: (p: ScanProgress) => void
  progressIntervalMs?: number
}

const errCode = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? String(e)

/**
 * Checks that the open device is the one expected and returns its size in bytes: sysfs for a
 * block device (fstat says 0), st_size for an image file (tests).
 */
function checkDevice(fd: number, opts: Ext4ScanOptions): number {
  const st = fstatSync(fd, {bigint: true})
  if (st.isFile() && opts.expect === null) return Number(st.size)
  if (!st.isBlockDevice()) throw new Ext4Unavailable(`${opts.device} is not a block device`)
  const major = devMajor(st.rdev)
  const minor = devMinor(st.rdev)
  if (opts.expect && (major !== opts.expect.major || minor !== opts.expect.minor)) {
    throw new Ext4Unavailable(`${opts.device} (${major}:${minor}) is not the device mounted at ${opts.root} (${opts.expect.major}:${opts.expect.minor})`)
  }
  try {
    return Number(readFileSync(`/sys/dev/block/${major}:${minor}/size`, 'utf8').trim()) * 512
  } catch (e) {
    throw new Ext4Unavailable(`cannot size ${opts.device}: ${errCode(e)}`)
  }
}

export class Device {
  constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {}

  /** Fills `buf` from byte `position`; anything short is an error (the superblock said it is there). */
  read(buf: Buffer, position: number, length = buf.length): Buffer {
    let done = 0
    while (done < length) {
      let n: number
      try {
        n = readSync(this.fd, buf, done, length - done, position + done)
      } catch (e) {
        throw new Ext4Unavailable(`cannot read ${this.path} at byte ${position + done}: ${errCode(e)}`)
      }
      if (n === 0) throw new Ext4Unavailable(`${this.path} ends at byte ${position + done}`)
      done += n
    }
    return buf.subarray(0, length)
  }
}

function readSuper(dev: Device, size: number): Ext4Super {
  const parsed = parseExt4Super(dev.read(Buffer.alloc(EXT4_SUPER_SIZE), EXT4_SUPER_OFFSET))
  if (!parsed.ok) throw new Ext4Unavailable(parsed.reason)
  const sb = parsed.value
  if (sb.blocksCount * sb.blockSize > size) throw new Ext4Unavailable(`the superblock claims ${sb.blocksCount} blocks, more than the device holds`)
  return sb
}

function readGroups(dev: Device, sb: Ext4Super): GroupDesc[] {
  const perBlock = descriptorsPerBlock(sb)
  const block = Buffer.alloc(sb.blockSize)
  const groups: GroupDesc[] = []
  for (let b = 0; b < descriptorBlockCount(sb); b++) {
    const loc = descriptorBlock(sb, b)
    if (loc >= sb.blocksCount) throw new Ext4Unavailable(`group descriptor block ${loc} is outside the filesystem`)
    dev.read(block, loc * sb.blockSize)
    const first = b * perBlock
    const parsed = parseGroupDescs(sb, block, first, Math.min(perBlock, sb.groupCount - first))
    if (!parsed.ok) throw new Ext4Unavailable(parsed.reason)
    groups.push(...parsed.value)
  }
  return groups
}

/** The superblock and group descriptors of the filesystem on `device` (an image file: tests, diagnostics). */
export function readExt4Layout(device: string): {sb: Ext4Super; groups: GroupDesc[]} {
  const fd = openSync(device, 'r')
  try {
    const dev = new Device(fd, device)
    const sb = readSuper(dev, checkDevice(fd, {device, root: device, expect: null, projects: false}))
    return {sb, groups: readGroups(dev, sb)}
  } finally {
    closeSync(fd)
  }
}

/** One read of the scan: `count` inodes of `group`'s table from index `first`. */
export interface WorkItem {
  group: number
  first: number
  count: number
}

/** The reads a scan makes: the used part of every group's table, in chunks of at most CHUNK bytes. */
export function workItems(sb: Ext4Super, groups: readonly GroupDesc[]): WorkItem[] {
  const perChunk = Math.max(1, Math.floor(CHUNK / sb.inodeSize))
  const items: WorkItem[] = []
  for (const [group, desc] of groups.entries()) {
    for (let first = 0; first < desc.usedInodes; first += perChunk) items.push({group, first, count: Math.min(perChunk, desc.usedInodes - first)})
  }
  return items
}

/** What each thread of a scan needs: the open device, the layout, the reads to share out. */
export interface ScanPlan {
  fd: number
  device: string
  sb: Ext4Super
  groups: GroupDesc[]
  items: WorkItem[]
  /** inode numbers never counted: the filesystem's own */
  skip: number[]
}

/**
 * Counts work items into `acc` until `take()` has none left (it hands out item indexes; threads
 * share one counter, so a slower or later-starting thread simply takes fewer). `onItem` after each.
 */
export function countItems(plan: ScanPlan, acc: InodeAccumulator, take: () => number, onItem?: () => void): void {
  const {sb, groups, items} = plan
  const dev = new Device(plan.fd, plan.device)
  const skip = new Set(plan.skip)
  const bitmap = Buffer.alloc(sb.blockSize)
  let bitmapGroup = -1
  const largest = items.reduce((m, it) => Math.max(m, it.count), 0)
  const table = Buffer.allocUnsafeSlow(Math.max(1, largest) * sb.inodeSize)
  for (let i = take(); i < items.length; i = take()) {
    const {group, first, count} = items[i]
    const desc = groups[group]
    if (bitmapGroup !== group) {
      dev.read(bitmap, desc.inodeBitmap * sb.blockSize)
      bitmapGroup = group
    }
    const slice = dev.read(table, desc.inodeTable * sb.blockSize + first * sb.inodeSize, count * sb.inodeSize)
    countInodes(sb, {table: slice, bitmap, firstIndex: first, count, groupFirstIno: group * sb.inodesPerGroup + 1}, acc, skip)
    onItem?.()
  }
}

/** Opens the device, checks it and reads its layout; the caller closes plan.fd. */
function planScan(opts: Ext4ScanOptions): ScanPlan {
  if (endianness() !== 'LE') throw new Ext4Unavailable('the inode-table reader needs a little-endian CPU')
  let fd: number
  try {
    fd = openSync(opts.device, 'r')
  } catch (e) {
    throw new Ext4Unavailable(`cannot open ${opts.device}: ${errCode(e)}${errCode(e) === 'EACCES' ? ' (reading the device needs root)' : ''}`)
  }
  try {
    const size = checkDevice(fd, opts)
    const dev = new Device(fd, opts.device)
    const sb = readSuper(dev, size)
    opts.beforeRead?.()
    const groups = readGroups(dev, sb)
    return {fd, device: opts.device, sb, groups, items: workItems(sb, groups), skip: sb.internalInodes.filter((ino) => ino !== 2)}
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

function result(opts: Ext4ScanOptions, acc: InodeAccumulator, started: number, threads: number): ScanResult {
  return {
    root: opts.root,
    tallies: acc.tallies(),
    counters: {files: acc.files, dirs: acc.dirs, bytes: acc.bytes, extraLinks: acc.extraLinks, vanished: 0, skippedMounts: 0, issues: 0},
    issues: [],
    durationMs: performance.now() - started,
    threads,
    method: 'inode-table',
  }
}

function progressReporter(opts: Ext4ScanOptions, started: number, entries: () => number, bytes: () => number): (() => void) | undefined {
  const {onProgress} = opts
  if (!onProgress) return undefined
  const every = opts.progressIntervalMs ?? 250
  let next = performance.now() + every
  return () => {
    if (performance.now() < next) return
    next += every
    onProgress({entries: entries(), bytes: bytes(), elapsedMs: performance.now() - started})
  }
}

const entriesOf = (acc: InodeAccumulator): number => acc.files + acc.dirs + acc.extraLinks

/** Scans the filesystem on `opts.device` on this thread; throws Ext4Unavailable when it cannot (nothing counted yet matters then). */
export function scanExt4(opts: Ext4ScanOptions): ScanResult {
  const started = performance.now()
  const plan = planScan(opts)
  try {
    const acc = new InodeAccumulator(opts.projects)
    let next = 0
    countItems(plan, acc, () => next++, progressReporter(opts, started, () => entriesOf(acc), () => acc.bytes))
    return result(opts, acc, started, 0)
  } finally {
    closeSync(plan.fd)
  }
}

const WORKER_URL = new URL('./worker.js', import.meta.url)

/** Worker threads need the compiled worker.js; under a TypeScript test runner only the source exists. */
export const ext4WorkersAvailable = (): boolean => WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL))

/**
 * The same scan with `threads` threads reading (this one and threads - 1 workers, which use the
 * same file descriptor: positional reads share no offset). The threads take chunks from one
 * shared counter. Fewer than two threads, or no compiled worker: scanExt4.
 */
export async function scanExt4Parallel(opts: Ext4ScanOptions & {threads: number}): Promise<ScanResult> {
  if (opts.threads < 2 || !ext4WorkersAvailable()) return scanExt4(opts)
  const started = performance.now()
  const plan = planScan(opts)
  try {
    const workers = Math.min(opts.threads - 1, Math.max(0, plan.items.length - 1))
    const counter = new Int32Array(new SharedArrayBuffer(4))
    const take = () => Atomics.add(counter, 0, 1)
    const progress = new Float64Array(new SharedArrayBuffer(16 * workers))
    const done: Array<Promise<Ext4WorkerResult>> = []
    for (let i = 0; i < workers; i++) {
      const data: Ext4WorkerData = {plan, projects: opts.projects, counter: counter.buffer as SharedArrayBuffer, progress: progress.buffer as SharedArrayBuffer, index: i}
      const w = new Worker(WORKER_URL, {workerData: data})
      done.push(
        new Promise((resolve, reject) => {
          w.once('message', (m: Ext4WorkerResult | {error: string}) => ('error' in m ? reject(new Error(m.error)) : resolve(m)))
          w.once('error', reject)
          w.once('exit', (code) => reject(new Error(`inode-table worker exited with code ${code}`)))
        }),
      )
    }
    const acc = new InodeAccumulator(opts.projects)
    const sum = (k: 0 | 1) => progress.reduce((t, v, j) => (j % 2 === k ? t + v : t), 0)
    // this thread works too, and first: the workers join in when they have started
    let failure: unknown = null
    try {
      countItems(plan, acc, take, progressReporter(opts, started, () => entriesOf(acc) + sum(0), () => acc.bytes + sum(1)))
    } catch (e) {
      Atomics.store(counter, 0, plan.items.length) // the workers stop at their next chunk
      failure = e
    }
    const results = await Promise.allSettled(done)
    if (failure) throw failure
    const tallies = acc.tallies()
    const counters = {files: acc.files, dirs: acc.dirs, bytes: acc.bytes, extraLinks: acc.extraLinks, vanished: 0, skippedMounts: 0, issues: 0}
    for (const r of results) {
      if (r.status === 'rejected') throw r.reason instanceof Ext4Unavailable ? r.reason : new Ext4Unavailable(`an inode-table worker failed: ${(r.reason as Error)?.message ?? r.reason}`)
      mergeTallies(tallies, r.value.tallies)
      for (const k of ['files', 'dirs', 'bytes', 'extraLinks'] as const) counters[k] += r.value.counters[k]
    }
    return {root: opts.root, tallies, counters, issues: [], durationMs: performance.now() - started, threads: workers, method: 'inode-table'}
  } finally {
    closeSync(plan.fd)
  }
}
