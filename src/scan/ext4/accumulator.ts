// Per-id sums for the inode-table scan, built for its hot loop: ids below DENSE_IDS (nearly all
// real ones) go into flat typed arrays (an indexed add per inode instead of a Map lookup), the
// rest into Maps. Turned into the walker's Tallies (tally.ts) at the end.

import {type IdTally, type Tallies, addUsage, emptyTallies} from '../tally.js'

export const DENSE_IDS = 65_536

class IdSums {
  readonly inodes = new Float64Array(DENSE_IDS)
  readonly bytes = new Float64Array(DENSE_IDS)
  readonly sparse: IdTally = new Map()
  /** dense ids in the order first seen, so that into() does not sweep all DENSE_IDS slots */
  private readonly seen: number[] = []

  add(id: number, bytes: number): void {
    if (id < DENSE_IDS) {
      if (this.inodes[id]++ === 0) this.seen.push(id)
      this.bytes[id] += bytes
    } else {
      addUsage(this.sparse, id, 1, bytes)
    }
  }

  into(t: IdTally): void {
    for (const id of [...this.seen].sort((a, b) => a - b)) addUsage(t, id, this.inodes[id], this.bytes[id])
    for (const [id, u] of this.sparse) addUsage(t, id, u.inodes, u.bytes)
  }
}

export class InodeAccumulator {
  readonly user = new IdSums()
  readonly group = new IdSums()
  readonly project: IdSums | null
  files = 0
  dirs = 0
  bytes = 0
  /** further links of inodes that are not directories (links_count - 1 each) */
  extraLinks = 0

  constructor(projects: boolean) {
    this.project = projects ? new IdSums() : null
  }

  tallies(): Tallies {
    const t = emptyTallies()
    this.user.into(t.user)
    this.group.into(t.group)
    this.project?.into(t.project)
    return t
  }
}
