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

import {closeSync, fstatSync, openSync, readFileSync, readSync} from 'node:fs'
import {endianness} from 'node:os'

import {devMajor, devMinor} from '../../sys/devnum.js'
import type {ScanProgress, ScanResult} from '../scanner.js'
import {InodeAccumulator} from './accumulator.js'
import {descriptorBlock, descriptorBlockCount, descriptorsPerBlock, type GroupDesc, parseGroupDescs} from './groups.js'
import {countInodes} from './inode-table.js'
import {EXT4_SUPER_OFFSET, EXT4_SUPER_SIZE, type Ext4Super, parseExt4Super} from './superblock.js'

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

class Device {
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

/** Scans the filesystem on `opts.device`; throws Ext4Unavailable when it cannot (nothing counted yet matters then). */
export function scanExt4(opts: Ext4ScanOptions): ScanResult {
  const started = performance.now()
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
    const acc = new InodeAccumulator(opts.projects)
    const skip = new Set(sb.internalInodes.filter((ino) => ino !== 2))
    const bitmap = Buffer.alloc(sb.blockSize)
    const perChunk = Math.max(1, Math.floor(CHUNK / sb.inodeSize))
    const maxUsed = groups.reduce((m, g) => Math.max(m, g.usedInodes), 0)
    const table = Buffer.allocUnsafeSlow(Math.min(perChunk, maxUsed) * sb.inodeSize)
    const every = opts.progressIntervalMs ?? 250
    let next = performance.now() + every
    for (const [g, desc] of groups.entries()) {
      if (desc.usedInodes === 0) continue
      dev.read(bitmap, desc.inodeBitmap * sb.blockSize)
      for (let first = 0; first < desc.usedInodes; first += perChunk) {
        const count = Math.min(perChunk, desc.usedInodes - first)
        const slice = dev.read(table, desc.inodeTable * sb.blockSize + first * sb.inodeSize, count * sb.inodeSize)
        countInodes(sb, {table: slice, bitmap, firstIndex: first, count, groupFirstIno: g * sb.inodesPerGroup + 1}, acc, skip)
        if (opts.onProgress && performance.now() >= next) {
          next += every
          opts.onProgress({entries: acc.files + acc.dirs + acc.extraLinks, bytes: acc.bytes, elapsedMs: performance.now() - started})
        }
      }
    }
    return {
      root: opts.root,
      tallies: acc.tallies(),
      counters: {files: acc.files, dirs: acc.dirs, bytes: acc.bytes, extraLinks: acc.extraLinks, vanished: 0, skippedMounts: 0, issues: 0},
      issues: [],
      durationMs: performance.now() - started,
      threads: 0,
      method: 'inode-table',
    }
  } finally {
    closeSync(fd)
  }
}
