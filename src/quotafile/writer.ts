// Building a vfsv0/vfsv1 quota file in memory, with quota-tools' allocation rules (quotaio_tree.c,
// quota-reference 4.1), so that the same records inserted in the same order give the same bytes as
// linuxquota's quotacheck:
//
//   - a new file is the header and an empty root index block (dqi_blocks = 2);
//   - an entry goes into the first data block on the free-entry list, else into a newly allocated
//     block that becomes the list's head; a block that becomes full leaves the list;
//   - missing index blocks on the way down are allocated top-down (appended: a new file has no
//     free blocks), each parent reference written as its child is made;
//   - within a data block, the first all-zero slot is used.
//
// Records with no limits and no usage are not stored (quota-tools and the kernel delete them).

import type {GraceInfo, QuotaRecord, QuotaType} from '../core/types.js'
import {
  DQDH,
  DQDH_SIZE,
  ENTRY_SIZE,
  QT_BLKSIZE,
  QT_TREEDEPTH,
  QT_TREEOFF,
  type TreeFormat,
  entriesPerBlock,
  indexAt,
  isEmptyForFile,
  recordToDisk,
  slotIsEmpty,
  writeEntry,
  writeHeader,
} from './format.js'

export interface QuotaFileSpec {
  type: QuotaType
  format: TreeFormat
  grace: GraceInfo
  /** dqi_flags to keep (from an old file); 0 for a new one */
  flags?: number
  /** inserted in this order (see order.ts for linuxquota's); empty records are skipped */
  records: Iterable<QuotaRecord>
}

class TreeBuilder {
  private readonly blocks: Buffer[] = []
  private freeEntry = 0
  private readonly perBlock: number
  private readonly size: number

  constructor(private readonly format: TreeFormat) {
    this.perBlock = entriesPerBlock(format)
    this.size = ENTRY_SIZE[format]
    this.blocks.push(Buffer.alloc(QT_BLKSIZE), Buffer.alloc(QT_BLKSIZE)) // header, root
  }

  private allocate(): number {
    this.blocks.push(Buffer.alloc(QT_BLKSIZE))
    return this.blocks.length - 1
  }

  /** find_free_dqentry: the slot's byte offset in its block, and the block. */
  private freeSlot(): {blk: number; at: number} {
    let blk = this.freeEntry
    if (blk === 0) {
      blk = this.allocate()
      this.freeEntry = blk
    }
    const buf = this.blocks[blk]
    const count = buf.readUInt16LE(DQDH.dqdh_entries)
    if (count + 1 >= this.perBlock) this.unlinkFull(blk)
    buf.writeUInt16LE(count + 1, DQDH.dqdh_entries)
    for (let slot = 0; slot < this.perBlock; slot++) {
      const at = DQDH_SIZE + slot * this.size
      if (slotIsEmpty(buf, at, this.format)) return {blk, at}
    }
    throw new Error(`quota file writer: data block ${blk} is full but was on the free-entry list`)
  }

  /** remove_free_dqentry: take a block that is becoming full off the doubly linked list. */
  private unlinkFull(blk: number): void {
    const buf = this.blocks[blk]
    const next = buf.readUInt32LE(DQDH.dqdh_next_free)
    const prev = buf.readUInt32LE(DQDH.dqdh_prev_free)
    if (next) this.blocks[next].writeUInt32LE(prev, DQDH.dqdh_prev_free)
    if (prev) this.blocks[prev].writeUInt32LE(next, DQDH.dqdh_next_free)
    else this.freeEntry = next
    buf.writeUInt32LE(0, DQDH.dqdh_next_free)
    buf.writeUInt32LE(0, DQDH.dqdh_prev_free)
  }

  insert(record: QuotaRecord): void {
    const disk = recordToDisk(record, this.format)
    // Walk down, making index blocks as needed (quota-tools allocates the child before recursing).
    let blk = QT_TREEOFF
    for (let depth = 0; depth < QT_TREEDEPTH - 1; depth++) {
      const at = indexAt(record.id, depth) * 4
      let child = this.blocks[blk].readUInt32LE(at)
      if (child === 0) {
        child = this.allocate()
        this.blocks[blk].writeUInt32LE(child, at)
      }
      blk = child
    }
    const leafAt = indexAt(record.id, QT_TREEDEPTH - 1) * 4
    if (this.blocks[blk].readUInt32LE(leafAt) !== 0) {
      throw new Error(`quota file writer: id ${record.id} inserted twice`)
    }
    const slot = this.freeSlot()
    this.blocks[blk].writeUInt32LE(slot.blk, leafAt)
    writeEntry(this.blocks[slot.blk], slot.at, this.format, disk)
  }

  finish(type: QuotaType, grace: GraceInfo, flags: number): Buffer {
    writeHeader(this.blocks[0], {
      type,
      format: this.format,
      grace,
      flags,
      blocks: this.blocks.length,
      freeBlock: 0,
      freeEntry: this.freeEntry,
    })
    return Buffer.concat(this.blocks)
  }
}

/** The bytes of a quota file holding `records` (see QuotaFileSpec). Throws QuotaError('data') for values the format cannot hold. */
export function buildQuotaFile(spec: QuotaFileSpec): Buffer {
  const tree = new TreeBuilder(spec.format)
  const seen = new Set<number>()
  for (const rec of spec.records) {
    if (seen.has(rec.id)) throw new Error(`quota file writer: id ${rec.id} given twice`)
    seen.add(rec.id)
    if (isEmptyForFile(rec)) continue
    tree.insert(rec)
  }
  return tree.finish(spec.type, spec.grace, spec.flags ?? 0)
}
