// Reading a vfsv0/vfsv1 quota file without trusting it. The file is a radix tree of 1 KiB blocks
// (format.ts); a damaged or hostile file must end in an error that says where, never in a crash,
// an endless loop or a silently wrong report:
//
//   - the header must name a known type and version, and its block count must fit the file;
//   - every block reference is bounded: 0 means none, otherwise QT_TREEOFF < ref < dqi_blocks
//     (block 0 is the header, block 1 the root: a reference back to either is a loop);
//   - each index block is entered once (a visited set: a second reference is a loop or a shared
//     subtree), and no block is both an index block and a data block;
//   - every id the tree leads to must be in the data block it points at, every used slot must be
//     reachable through the tree, no id may appear twice, and a data block's entry count must
//     match its used slots;
//   - both free lists are walked with visited sets and bounds (a free block may not be in the
//     tree; a block on the free-entry list must be a data block with room, its back links right).
//
// Work is linear in the file size: each block is read at most once per structure. Errors are
// QuotaFileError (kind 'data', exit 65) carrying the byte offset of the bad field.

import type {QuotaRecord, QuotaType} from '../core/types.js'
import {wordsLE} from '../core/u64.js'
import {QuotaError} from '../errors.js'
import {
  DQDH,
  DQDH_SIZE,
  ENTRY_SIZE,
  HEADER,
  QT_BLKSIZE,
  QT_TREEDEPTH,
  QT_TREEOFF,
  type QuotaFileHeader,
  REFS_PER_BLOCK,
  type TreeFormat,
  V2_MAGIC,
  entriesPerBlock,
  entryRecord,
  readHeader,
  slotIsEmpty,
} from './format.js'

export class QuotaFileError extends QuotaError {
  /** byte offset in the file of the field found wrong */
  readonly offset: number

  constructor(file: string, offset: number, message: string) {
    super('data', `${file}: corrupt quota file at byte ${offset}: ${message}`, {
      hint: 'rebuild it from the filesystem with `quotakit quotacheck -c` (limits are lost; keep a copy with -b)',
    })
    this.name = 'QuotaFileError'
    this.offset = offset
  }
}

export interface QuotaFileStats {
  /** dqi_blocks */
  blocks: number
  indexBlocks: number
  dataBlocks: number
  entries: number
  freeBlocks: number
  /** data blocks on the free-entry list */
  partialBlocks: number
}

export interface QuotaFileContents {
  header: QuotaFileHeader
  /** in id order */
  records: QuotaRecord[]
  stats: QuotaFileStats
}

export interface ReadOptions {
  /** the path, for messages */
  file?: string
  /** the type the caller expects (aquota.user -> user); the magic must match it */
  type?: QuotaType
  /** the format the caller expects (-F); the header's version must match it */
  format?: TreeFormat
}

const TYPE_OF_MAGIC = new Map<number, QuotaType>(Object.entries(V2_MAGIC).map(([type, magic]) => [magic, type as QuotaType]))
const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`

/** Parse a whole quota file held in memory. Throws QuotaFileError on anything inconsistent. */
export function readQuotaFile(buf: Buffer, options: ReadOptions = {}): QuotaFileContents {
  const file = options.file ?? 'quota file'
  const fail = (offset: number, message: string): never => {
    throw new QuotaFileError(file, offset, message)
  }

  // ------------------------------------------------------------ header
  if (buf.length < QT_BLKSIZE) fail(buf.length, `the file is ${buf.length} bytes, shorter than the 1024-byte header`)
  const h = readHeader(buf)
  const type = TYPE_OF_MAGIC.get(h.magic)
  if (!type) fail(HEADER.dqh_magic, `magic ${hex(h.magic)} is not a vfsv0/vfsv1 quota file magic`)
  if (options.type && type !== options.type) {
    fail(HEADER.dqh_magic, `magic ${hex(h.magic)} is the ${type} quota magic; a ${options.type} quota file has ${hex(V2_MAGIC[options.type])}`)
  }
  if (h.version > 1) fail(HEADER.dqh_version, `version ${h.version} is neither 0 (vfsv0) nor 1 (vfsv1)`)
  const format: TreeFormat = h.version === 0 ? 'vfsv0' : 'vfsv1'
  if (options.format && options.format !== format) {
    throw new QuotaError('data', `${file} is a ${format} quota file, not ${options.format}`, {hint: `give -F ${format}, or none`})
  }
  const blocks = h.blocks
  if (blocks < QT_TREEOFF + 1) fail(HEADER.dqi_blocks, `block count ${blocks} leaves no room for the root block`)
  if (blocks * QT_BLKSIZE > buf.length) {
    fail(HEADER.dqi_blocks, `block count ${blocks} (${blocks * QT_BLKSIZE} bytes) is more than the file holds (${buf.length} bytes): truncated?`)
  }
  /** A non-zero reference is valid when it points past the root and inside the file. */
  const checkRef = (ref: number, at: number, what: string | (() => string)): void => {
    if (ref === 0 || (ref > QT_TREEOFF && ref < blocks)) return
    const text = typeof what === 'string' ? what : what()
    if (ref <= QT_TREEOFF) fail(at, `${text} refers to block ${ref} (${ref === 0 ? 'the header' : 'the root'}): a loop`)
    fail(at, `${text} refers to block ${ref}, beyond the ${blocks} blocks the header declares`)
  }
  checkRef(h.freeBlock, HEADER.dqi_free_blk, 'the free-block list head')
  checkRef(h.freeEntry, HEADER.dqi_free_entry, 'the free-entry list head')

  // ------------------------------------------------------------ the tree
  const words = wordsLE(buf) // the per-id reads below: word k is buf.readUInt32LE(4 * k)
  const perBlock = entriesPerBlock(format)
  const size = ENTRY_SIZE[format]
  /** block -> 'index' | 'data' */
  const role = new Map<number, 'index' | 'data'>([[QT_TREEOFF, 'index']])
  /**
   * data block -> the ids the tree leads to it, each with the byte offset of its leaf reference,
   * flat: [id, at, id, at, ...]. Every id has exactly one leaf, so it is expected in exactly one
   * block: checking each block against its own short list needs no map over all ids.
   */
  const expected = new Map<number, number[]>()
  let indexBlocks = 1

  // Iterative depth-first walk; each index block is pushed once (its role is set when first seen).
  // Messages are made only on failure: this loop runs once per id.
  const where = (blk: number, depth: number, i: number) => `index block ${blk} (level ${depth}) entry ${i}`
  const stack: Array<{blk: number; depth: number; prefix: number}> = [{blk: QT_TREEOFF, depth: 0, prefix: 0}]
  // The leaf level's last data block and its list: neighbouring ids mostly share one (~14 per block).
  let lastData = 0
  let lastIds: number[] = []
  while (stack.length > 0) {
    const {blk, depth, prefix} = stack.pop()!
    const base = blk * QT_BLKSIZE
    const leaf = depth === QT_TREEDEPTH - 1
    for (let i = 0; i < REFS_PER_BLOCK; i++) {
      const at = base + i * 4
      const ref = words[at >>> 2]
      if (ref === 0) continue
      if (ref <= QT_TREEOFF || ref >= blocks) checkRef(ref, at, where(blk, depth, i))
      const id = (prefix * 256 + i) >>> 0 // after the last level: the full id
      if (leaf && ref === lastData) {
        lastIds.push(id, at)
        continue
      }
      const seen = role.get(ref)
      if (!leaf) {
        if (seen === 'index') fail(at, `${where(blk, depth, i)} refers to index block ${ref} a second time: a loop or a shared subtree`)
        if (seen === 'data') fail(at, `${where(blk, depth, i)} refers to block ${ref}, which is also a data block`)
        role.set(ref, 'index')
        indexBlocks++
        stack.push({blk: ref, depth: depth + 1, prefix: id})
      } else {
        if (seen === 'index') fail(at, `${where(blk, depth, i)} (id ${id}) refers to block ${ref}, which is an index block`)
        let ids = expected.get(ref)
        if (!ids) {
          role.set(ref, 'data')
          expected.set(ref, (ids = []))
        }
        ids.push(id, at)
        lastData = ref
        lastIds = ids
      }
    }
  }

  // ------------------------------------------------------------ data blocks
  const records: QuotaRecord[] = []
  let sorted = true // files written in id order need no sort
  const dataBlocks = [...expected.keys()].sort((a, b) => a - b)
  for (const blk of dataBlocks) {
    const base = blk * QT_BLKSIZE
    checkRef(buf.readUInt32LE(base + DQDH.dqdh_next_free), base + DQDH.dqdh_next_free, () => `data block ${blk}'s next-free link`)
    checkRef(buf.readUInt32LE(base + DQDH.dqdh_prev_free), base + DQDH.dqdh_prev_free, () => `data block ${blk}'s previous-free link`)
    const count = buf.readUInt16LE(base + DQDH.dqdh_entries)
    if (count > perBlock) fail(base + DQDH.dqdh_entries, `data block ${blk} claims ${count} entries; a ${format} block holds ${perBlock}`)
    const want = expected.get(blk)!
    // found[k]: the offset of the entry for want's k-th id, -1 until seen
    const found = new Array<number>(want.length >> 1).fill(-1)
    let used = 0
    for (let slot = 0; slot < perBlock; slot++) {
      const at = base + DQDH_SIZE + slot * size
      if (slotIsEmpty(buf, at, format)) continue
      used++
      const id = words[at >>> 2] // dqb_id leads both entry layouts
      let k = 0
      while (k < want.length && want[k] !== id) k += 2
      if (k === want.length) fail(at, `the entry for id ${id} in data block ${blk} is not reachable through the tree`)
      if (found[k >> 1] >= 0) fail(at, `id ${id} has a second entry (the first is at byte ${found[k >> 1]})`)
      found[k >> 1] = at
      const rec = entryRecord(words, at, format)
      if (typeof rec === 'string') fail(at, `${rec} of id ${id} is beyond the exact range of a JavaScript number (2^53-1)`)
      if (sorted && records.length > 0 && records[records.length - 1].id > id) sorted = false
      records.push(rec as QuotaRecord)
    }
    if (used !== count) fail(base + DQDH.dqdh_entries, `data block ${blk} claims ${count} entries but holds ${used}`)
    for (let k = 0; k < want.length; k += 2) {
      if (found[k >> 1] < 0) fail(want[k + 1], `the tree leads id ${want[k]} to data block ${blk}, which has no entry for it`)
    }
  }

  // ------------------------------------------------------------ free lists
  let freeBlocks = 0
  const onFreeList = new Set<number>()
  for (let blk = h.freeBlock, from: number = HEADER.dqi_free_blk; blk !== 0; ) {
    if (role.has(blk)) fail(from, `the free-block list reaches block ${blk}, which is in use by the tree`)
    if (onFreeList.has(blk)) fail(from, `the free-block list returns to block ${blk}: a loop`)
    onFreeList.add(blk)
    freeBlocks++
    from = blk * QT_BLKSIZE + DQDH.dqdh_next_free
    const next = buf.readUInt32LE(from)
    checkRef(next, from, () => `free block ${blk}'s next link`)
    blk = next
  }
  let partialBlocks = 0
  const onEntryList = new Set<number>()
  for (let blk = h.freeEntry, prev = 0, from: number = HEADER.dqi_free_entry; blk !== 0; ) {
    if (role.get(blk) !== 'data') fail(from, `the free-entry list reaches block ${blk}, which is not a data block of the tree`)
    if (onEntryList.has(blk)) fail(from, `the free-entry list returns to block ${blk}: a loop`)
    onEntryList.add(blk)
    partialBlocks++
    const base = blk * QT_BLKSIZE
    const back = buf.readUInt32LE(base + DQDH.dqdh_prev_free)
    if (back !== prev) fail(base + DQDH.dqdh_prev_free, `data block ${blk} on the free-entry list links back to block ${back}, not ${prev}`)
    if (buf.readUInt16LE(base + DQDH.dqdh_entries) >= perBlock) fail(from, `the free-entry list holds data block ${blk}, which is full`)
    prev = blk
    from = base + DQDH.dqdh_next_free
    blk = buf.readUInt32LE(from) // bounds checked with the data block above
  }

  if (!sorted) records.sort((a, b) => a.id - b.id)
  return {
    header: {type: type!, format, grace: h.grace, flags: h.flags, blocks, freeBlock: h.freeBlock, freeEntry: h.freeEntry},
    records,
    stats: {blocks, indexBlocks, dataBlocks: dataBlocks.length, entries: records.length, freeBlocks, partialBlocks},
  }
}

/** Only the header: format and type of a file, checked as far as the header goes. */
export function readQuotaFileHeader(buf: Buffer, options: ReadOptions = {}): QuotaFileHeader {
  const file = options.file ?? 'quota file'
  if (buf.length < 32) throw new QuotaFileError(file, buf.length, `the file is ${buf.length} bytes, shorter than the header`)
  const h = readHeader(buf)
  const type = TYPE_OF_MAGIC.get(h.magic)
  if (!type) throw new QuotaFileError(file, 0, `magic ${hex(h.magic)} is not a vfsv0/vfsv1 quota file magic`)
  if (h.version > 1) throw new QuotaFileError(file, 4, `version ${h.version} is neither 0 (vfsv0) nor 1 (vfsv1)`)
  return {type, format: h.version === 0 ? 'vfsv0' : 'vfsv1', grace: h.grace, flags: h.flags, blocks: h.blocks, freeBlock: h.freeBlock, freeEntry: h.freeEntry}
}
