// Per-id usage as a scan counts it: inodes and allocated bytes for each user, group and project id.

import type {QuotaType} from '../core/types.js'

export interface Usage {
  inodes: number
  bytes: number
}

/** id -> usage */
export type IdTally = Map<number, Usage>

export type Tallies = Record<QuotaType, IdTally>

export const emptyTallies = (): Tallies => ({user: new Map(), group: new Map(), project: new Map()})

export function addUsage(t: IdTally, id: number, inodes: number, bytes: number): void {
  const u = t.get(id)
  if (u) {
    u.inodes += inodes
    u.bytes += bytes
  } else {
    t.set(id, {inodes, bytes})
  }
}

export function mergeTallies(into: Tallies, from: Tallies): void {
  for (const type of ['user', 'group', 'project'] as const) {
    for (const [id, u] of from[type]) addUsage(into[type], id, u.inodes, u.bytes)
  }
}

/** Takes one inode (and its space) off an id, never below zero: linuxquota's sub_quota_file. */
export function subtractUsage(t: IdTally, id: number, bytes: number): void {
  const u = t.get(id)
  if (!u) return
  u.inodes = Math.max(0, u.inodes - 1)
  u.bytes = Math.max(0, u.bytes - bytes)
}
