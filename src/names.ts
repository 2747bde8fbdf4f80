// Names <-> ids for the three quota types, with per-run caches: a repquota over 50k ids asks NSS
// once per id, not once per row per filesystem. Users and groups go through NSS (src/sys/nss.ts);
// projects through /etc/projid (QUOTAKIT_PROJID overrides the path, for tests).
//
// When many ids need names and NSS answers from /etc/passwd and /etc/group alone, the database is
// read once (enumerated) instead of once per id: the same answers (the first entry for an id wins
// either way), without a lookup per id for the ids no entry names (repquota over 100k ids).

import {readFileSync} from 'node:fs'

import {parseProjid, type ProjidEntry, projidPath} from './core/projid.js'
import type {QuotaType} from './core/types.js'
import {QuotaError, usageError} from './errors.js'
import * as nss from './sys/nss.js'

/** The NSS calls the resolver needs; tests may pass a fake. */
export interface NameService {
  userByName(name: string): {id: number} | null
  userById(id: number): {name: string} | null
  groupByName(name: string): {id: number} | null
  groupById(id: number): {name: string} | null
  /** Every entry, when that is the whole database (see nss.completeListing); null otherwise. */
  completeListing?(type: 'user' | 'group'): Array<{name: string; id: number}> | null
}

export interface ResolverOptions {
  nss?: NameService
  /** defaults to projidPath() (QUOTAKIT_PROJID or /etc/projid) */
  projidFile?: string
}

const MAX_ID = 0xfffffffe // (u32)-1 is never an id
/** Per-id lookups of a type after which the resolver tries reading the whole database once. */
const LIST_AFTER = 16

/** '1000' or '#1000' (repquota prints unresolved ids that way) -> 1000; anything else -> null. */
export function parseNumericId(s: string): number | null {
  const m = /^#?(\d+)$/.exec(s)
  if (!m) return null
  const id = Number(m[1])
  if (id > MAX_ID) throw usageError(`id ${m[1]} is out of range (0..${MAX_ID})`)
  return id
}

const NO_SUCH_HINT: Record<QuotaType, string> = {
  user: 'check the name with `getent passwd`, or give a numeric uid',
  group: 'check the name with `getent group`, or give a numeric gid',
  project: 'add a `name:id` line to /etc/projid, or give a numeric project id',
}

export class Resolver {
  private readonly nss: NameService
  private readonly projidFile: string
  private projid?: {byName: Map<string, number>; byId: Map<number, string>}
  private readonly ids = new Map<string, number | null>()
  private readonly names: Record<QuotaType, Map<number, string | null>> = {user: new Map(), group: new Map(), project: new Map()}
  /** types whose whole database is in `names`: an id not there has no name */
  private readonly listed = new Set<QuotaType>()
  private readonly lookups = {user: 0, group: 0}

  constructor(options: ResolverOptions = {}) {
    this.nss = options.nss ?? nss
    this.projidFile = options.projidFile ?? projidPath()
  }

  /** A name or numeric id -> id. Unknown names throw QuotaError('no-such-id') (exit 67). */
  resolve(type: QuotaType, nameOrId: string): number {
    const numeric = parseNumericId(nameOrId)
    if (numeric !== null) return numeric
    const key = `${type}:${nameOrId}`
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.lookupId(type, nameOrId)
      this.ids.set(key, id)
    }
    if (id === null) throw new QuotaError('no-such-id', `unknown ${type} '${nameOrId}'`, {hint: NO_SUCH_HINT[type]})
    return id
  }

  /** id -> name, or null when no database knows it (callers print the number). */
  nameOf(type: QuotaType, id: number): string | null {
    const cache = this.names[type]
    let name = cache.get(id)
    if (name === undefined) {
      // A listed type's cache is the whole database: a miss is the answer, and not worth an entry
      // (repquota over 100k ids without names would otherwise grow the cache by 100k nulls).
      if (this.listed.has(type)) return null
      name = this.lookupName(type, id)
      cache.set(id, name)
    }
    return name
  }

  /** After LIST_AFTER lookups, read the whole database once when NSS says that is all of it. */
  private listAll(type: 'user' | 'group'): boolean {
    if (++this.lookups[type] !== LIST_AFTER || !this.nss.completeListing) return false
    const entries = this.nss.completeListing(type)
    if (!entries) return false
    const cache = this.names[type]
    const seen = new Set<number>()
    for (const e of entries) {
      // the first entry for an id names it, as a lookup by id answers
      if (seen.has(e.id)) continue
      seen.add(e.id)
      cache.set(e.id, e.name)
    }
    this.listed.add(type)
    return true
  }

  private lookupId(type: QuotaType, name: string): number | null {
    switch (type) {
      case 'user':
        return this.nss.userByName(name)?.id ?? null
      case 'group':
        return this.nss.groupByName(name)?.id ?? null
      case 'project':
        return this.projects().byName.get(name) ?? null
    }
  }

  private lookupName(type: QuotaType, id: number): string | null {
    switch (type) {
      case 'user':
        if (this.listAll(type)) return this.names.user.get(id) ?? null
        return this.nss.userById(id)?.name ?? null
      case 'group':
        if (this.listAll(type)) return this.names.group.get(id) ?? null
        return this.nss.groupById(id)?.name ?? null
      case 'project':
        return this.projects().byId.get(id) ?? null
    }
  }

  /** /etc/projid indexed both ways; the first line for a name or an id wins, as a scan would find. */
  private projects(): {byName: Map<string, number>; byId: Map<number, string>} {
    if (!this.projid) {
      const byName = new Map<string, number>()
      const byId = new Map<number, string>()
      for (const p of readProjid(this.projidFile)) {
        if (!byName.has(p.name)) byName.set(p.name, p.id)
        if (!byId.has(p.id)) byId.set(p.id, p.name)
      }
      this.projid = {byName, byId}
    }
    return this.projid
  }
}

/** A missing projid file is an empty one: most systems have no projects. */
export function readProjid(file: string = projidPath()): ProjidEntry[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new QuotaError('config', `cannot read ${file}: ${(e as Error).message}`, {cause: e})
  }
  return parseProjid(text)
}
