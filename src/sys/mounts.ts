// /proc/self/mountinfo, parsed. The parser is pure (tested with fixtures); readMountinfo() is the
// only reader of /proc in this module. mountinfo rather than /proc/mounts because it carries the
// device number (field 3), which is how a netlink event or stat().st_dev finds its mount, and
// because it separates per-mount from superblock options.
//
// Line shape (proc(5)):
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2)(3)   (4)   (5)      (6)      (7...)  - (8)    (9)         (10)
// (7) is zero or more optional fields ended by a lone "-".

import {readFileSync} from 'node:fs'

export interface MountEntry {
  mountId: number
  parentId: number
  devMajor: number
  devMinor: number
  /** path inside the filesystem that is mounted here ('/' unless a bind mount of a subtree) */
  root: string
  mountpoint: string
  mountOptions: string[]
  optionalFields: string[] // shared:N, master:N, propagate_from:N, unbindable
  fstype: string // with subtype, e.g. fuse.sshfs
  source: string // mount source, e.g. /dev/vda or tmpfs
  superOptions: string[]
  /** mountOptions then superOptions, first occurrence wins (both usually carry rw/ro) */
  options: string[]
}

/** Undo the kernel's octal escaping of space, tab, newline and backslash (\040 \011 \012 \134). */
export function unescapeMountField(s: string): string {
  return s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))) : s
}

// Split on the raw commas first: an escaped comma inside a value (\054) must not split it.
const splitOptions = (s: string | undefined): string[] =>
  s ? s.split(',').filter((o) => o.length > 0).map(unescapeMountField) : []

function mergeOptions(a: string[], b: string[]): string[] {
  const seen = new Set(a)
  return [...a, ...b.filter((o) => !seen.has(o) && (seen.add(o), true))]
}

/** One mountinfo line, or null when it is malformed (a truncated read should not kill discovery). */
export function parseMountinfoLine(line: string): MountEntry | null {
  const f = line.split(' ')
  const sep = f.indexOf('-', 6)
  if (f.length < 10 || sep < 0 || f.length < sep + 3) return null
  const dev = /^(\d+):(\d+)$/.exec(f[2])
  if (!dev) return null
  const mountOptions = splitOptions(f[5])
  const superOptions = splitOptions(f[sep + 3])
  return {
    mountId: Number(f[0]),
    parentId: Number(f[1]),
    devMajor: Number(dev[1]),
    devMinor: Number(dev[2]),
    root: unescapeMountField(f[3]),
    mountpoint: unescapeMountField(f[4]),
    mountOptions,
    optionalFields: f.slice(6, sep),
    fstype: unescapeMountField(f[sep + 1]),
    source: unescapeMountField(f[sep + 2]),
    superOptions,
    options: mergeOptions(mountOptions, superOptions),
  }
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = []
  for (const line of text.split('\n')) {
    if (line.length === 0) continue
    const e = parseMountinfoLine(line)
    if (e) out.push(e)
  }
  return out
}

/**
 * Mounts visible from a path: when several entries share a mountpoint only the last (topmost)
 * is reachable, so the earlier ones are dropped. mountinfo order is kept otherwise.
 */
export function visibleMounts(entries: MountEntry[]): MountEntry[] {
  const last = new Map<string, MountEntry>()
  for (const e of entries) last.set(e.mountpoint, e)
  return entries.filter((e) => last.get(e.mountpoint) === e)
}

export const MOUNTINFO_PATH = '/proc/self/mountinfo'

export function readMountinfo(path: string = MOUNTINFO_PATH): MountEntry[] {
  return parseMountinfo(readFileSync(path, 'utf8'))
}
