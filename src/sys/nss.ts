// uid/gid <-> name through NSS (so LDAP/SSSD/winbind users resolve, not just /etc/passwd), via the
// reentrant getpw*_r/getgr*_r calls with caller-owned memory: the non-reentrant struct-returning
// variants crash ffi-rs when they return NULL (ffi-notes.md).
//
// Memory layout: ONE Buffer holds the struct (first ENT_BYTES) and the string area after it. The
// kernel-side `result` out-pointer is the struct's address, so a char* field minus that address is
// an offset into our Buffer: strings are read by pointer arithmetic, no pointer helpers needed.
// LP64 only (x86_64, arm64), like the rest of src/sys.

import {readFileSync} from 'node:fs'

import {QuotaError} from '../errors.js'
import {errnoName} from './errno.js'
import {nssById, nssByName, nssEnt, nssRewind} from './libc.js'

export interface NssEntry {
  name: string
  id: number
}

// struct passwd: pw_name @0, pw_passwd @8, pw_uid @16, pw_gid @20, pw_gecos @24, pw_dir @32, pw_shell @40 (48)
// struct group:  gr_name @0, gr_passwd @8, gr_gid @16, gr_mem @24 (32)
const NAME_PTR = 0
const ID_OFFSET = 16
const ENT_BYTES = 64 // room for either struct, 8-aligned start of the string area

const ERANGE = 34
// EPERM, ENOENT, ESRCH, EBADF: getpwnam_r(3) lets a backend report "not found" with these.
const NOT_FOUND = new Set([1, 2, 3, 9])
const MAX_BYTES = 16 << 20

let mem = Buffer.alloc(16 << 10)

/** Restart with a buffer of `bytes` (tests use a tiny one to exercise the ERANGE growth path). */
export function resetNssBuffer(bytes = 16 << 10): void {
  mem = Buffer.alloc(Math.max(bytes, ENT_BYTES + 8))
}
const result = Buffer.alloc(8)

const ent = () => mem.subarray(0, ENT_BYTES)
const strings = () => mem.subarray(ENT_BYTES)

function grow(what: string): void {
  if (mem.length >= MAX_BYTES) throw new QuotaError('failed', `${what}: NSS entry larger than ${MAX_BYTES} bytes`, {errno: 'ERANGE'})
  mem = Buffer.alloc(mem.length * 2)
}

/** The entry the last successful call wrote, or null when *result is NULL. */
function decode(what: string): NssEntry | null {
  const base = result.readBigUInt64LE(0)
  if (base === 0n) return null
  const off = Number(mem.readBigUInt64LE(NAME_PTR) - base)
  if (off < ENT_BYTES || off >= mem.length) {
    throw new QuotaError('failed', `${what}: NSS returned a name outside the caller's buffer`)
  }
  const end = mem.indexOf(0, off)
  return {name: mem.toString('utf8', off, end < 0 ? mem.length : end), id: mem.readUInt32LE(ID_OFFSET)}
}

/** Runs one _r call, growing the buffer on ERANGE. */
function lookup(what: string, run: () => number): NssEntry | null {
  for (;;) {
    result.fill(0)
    const rc = run()
    if (rc === 0) return decode(what)
    if (rc === ERANGE) {
      grow(what)
      continue
    }
    if (NOT_FOUND.has(rc)) return null
    throw new QuotaError('failed', `${what}: user/group database lookup failed`, {errno: errnoName(rc)})
  }
}

const validName = (name: string) => name.length > 0 && !name.includes('\0')

export function userByName(name: string): NssEntry | null {
  if (!validName(name)) return null
  return lookup(`user '${name}'`, () => nssByName('getpwnam_r', name, ent(), strings(), result))
}

export function userById(uid: number): NssEntry | null {
  return lookup(`uid ${uid}`, () => nssById('getpwuid_r', uid, ent(), strings(), result))
}

export function groupByName(name: string): NssEntry | null {
  if (!validName(name)) return null
  return lookup(`group '${name}'`, () => nssByName('getgrnam_r', name, ent(), strings(), result))
}

export function groupById(gid: number): NssEntry | null {
  return lookup(`gid ${gid}`, () => nssById('getgrgid_r', gid, ent(), strings(), result))
}

/**
 * Every entry NSS enumerates (setpwent/getpwent_r/endpwent). Directory services often disable
 * enumeration (sssd enumerate=false), so this lists local users there: the same limit
 * quota-tools' passwd-scan fallback has.
 */
function enumerate(kind: 'pw' | 'gr'): NssEntry[] {
  const out: NssEntry[] = []
  nssRewind(kind === 'pw' ? 'setpwent' : 'setgrent')
  try {
    for (;;) {
      result.fill(0)
      // glibc keeps its position on ERANGE, so growing and retrying does not skip an entry.
      const rc = nssEnt(kind === 'pw' ? 'getpwent_r' : 'getgrent_r', ent(), strings(), result)
      if (rc === ERANGE) {
        grow(kind === 'pw' ? 'passwd enumeration' : 'group enumeration')
        continue
      }
      if (rc !== 0) break // ENOENT: end of the database
      const e = decode('enumeration')
      if (!e) break
      out.push(e)
    }
  } finally {
    nssRewind(kind === 'pw' ? 'endpwent' : 'endgrent')
  }
  return out
}

export const listUsers = (): NssEntry[] => enumerate('pw')
export const listGroups = (): NssEntry[] => enumerate('gr')

/** nsswitch.conf; QUOTAKIT_NSSWITCH overrides the path (tests). */
const nsswitchPath = (): string => process.env.QUOTAKIT_NSSWITCH ?? '/etc/nsswitch.conf'

/** The sources nsswitch.conf lists for `db` (action items like [NOTFOUND=return] left out), or null. */
export function nsswitchSources(text: string, db: string): string[] | null {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '')
    const colon = line.indexOf(':')
    if (colon < 0 || line.slice(0, colon).trim() !== db) continue
    return line
      .slice(colon + 1)
      .replace(/\[[^\]]*\]/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
  }
  return null
}

const complete = new Map<string, boolean>()

/**
 * Sources whose enumeration (getpwent/getgrent) lists every entry a per-id lookup finds: `files`,
 * and `systemd` (nss-systemd enumerates its dynamic users and userdb records; Debian's default
 * nsswitch.conf says `files systemd`), except for the root and nobody entries nss-systemd
 * synthesizes when the files lack them (completeListing looks those two up per id).
 */
const ENUMERABLE: ReadonlySet<string> = new Set(['files', 'systemd'])
/** Entries nss-systemd synthesizes on lookup but does not enumerate. */
const SYNTHESIZED_IDS = [0, 65534]

/**
 * Whether enumerating a database gives exactly what asking per id would: only when every source
 * nsswitch.conf names for it is ENUMERABLE. Directory services (ldap, sss, winbind) may enumerate
 * less or nothing, and without the file glibc's defaults vary, so the answer is false there and
 * callers keep asking per id.
 */
export function enumerationIsComplete(db: 'passwd' | 'group'): boolean {
  let known = complete.get(db)
  if (known === undefined) {
    let text = ''
    try {
      text = readFileSync(nsswitchPath(), 'utf8')
    } catch {
      // no nsswitch.conf: glibc's built-in default, which differs between versions
    }
    const sources = nsswitchSources(text, db)
    known = sources !== null && sources.length > 0 && sources.every((source) => ENUMERABLE.has(source))
    complete.set(db, known)
  }
  return known
}

/**
 * Every user (or group) when the enumeration is the whole database (enumerationIsComplete), so a
 * caller with many ids to name reads the database once instead of once per id; null otherwise.
 */
export function completeListing(type: 'user' | 'group'): NssEntry[] | null {
  if (!enumerationIsComplete(type === 'user' ? 'passwd' : 'group')) return null
  const entries = type === 'user' ? listUsers() : listGroups()
  const listed = new Set(entries.map((e) => e.id))
  for (const id of SYNTHESIZED_IDS) {
    if (listed.has(id)) continue
    const entry = type === 'user' ? userById(id) : groupById(id)
    if (entry) entries.push(entry)
  }
  return entries
}
