// Names <-> ids for the three quota types, with per-run caches: a repquota over 50k ids asks NSS
// once per id, not once per row per filesystem. Users and groups go through NSS (src/sys/nss.ts);
// projects through /etc/projid (QUOTAKIT_PROJID overrides the path, for tests).

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
}

export interface ResolverOptions {
  nss?: NameService
  /** defaults to projidPath() (QUOTAKIT_PROJID or /etc/projid) */
  projidFile?: string
}

const MAX_ID = 0xfffffffe // (u32)-1 is never an id

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
  private projid?: ProjidEntry[]
  private readonly ids = new Map<string, number | null>()
  private readonly names = new Map<string, string | null>()

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
    const key = `${type}:${id}`
    let name = this.names.get(key)
    if (name === undefined) {
      name = this.lookupName(type, id)
      this.names.set(key, name)
    }
    return name
  }

  private lookupId(type: QuotaType, name: string): number | null {
    switch (type) {
      case 'user':
        return this.nss.userByName(name)?.id ?? null
      case 'group':
        return this.nss.groupByName(name)?.id ?? null
      case 'project':
        return this.projects().find((p) => p.name === name)?.id ?? null
    }
  }

  private lookupName(type: QuotaType, id: number): string | null {
    switch (type) {
      case 'user':
        return this.nss.userById(id)?.name ?? null
      case 'group':
        return this.nss.groupById(id)?.name ?? null
      case 'project':
        return this.projects().find((p) => p.id === id)?.name ?? null
    }
  }

  private projects(): ProjidEntry[] {
    return (this.projid ??= readProjid(this.projidFile))
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
