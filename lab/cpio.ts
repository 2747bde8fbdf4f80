// A minimal writer for the "newc" cpio format the kernel unpacks as an initramfs.
// Written here (rather than calling cpio) so the builder needs no root for /dev/console and no cpio package.

export type CpioEntry =
  | {type: 'dir'; path: string; mode?: number}
  | {type: 'file'; path: string; data: Buffer; mode?: number}
  | {type: 'symlink'; path: string; target: string}
  | {type: 'chardev'; path: string; major: number; minor: number; mode?: number}

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const S_IFCHR = 0o020000

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4)
}

function header(fields: {ino: number; mode: number; size: number; rdevMajor: number; rdevMinor: number; nameSize: number}): Buffer {
  const hex = (n: number) => n.toString(16).padStart(8, '0')
  const values = [
    fields.ino, fields.mode, 0 /* uid */, 0 /* gid */, 1 /* nlink */, 0 /* mtime: reproducible */, fields.size,
    0, 0, fields.rdevMajor, fields.rdevMinor, fields.nameSize, 0 /* check */,
  ]
  return Buffer.from('070701' + values.map(hex).join(''), 'ascii')
}

/** Serialises entries (parents before children) into one newc archive, ending with the trailer. */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = []
  let ino = 1
  const add = (path: string, mode: number, data: Buffer, rdevMajor = 0, rdevMinor = 0) => {
    const name = Buffer.from(path.replace(/^\/+/, '') + '\0')
    const head = header({ino: ino++, mode, size: data.length, rdevMajor, rdevMinor, nameSize: name.length})
    parts.push(head, name, pad4(head.length + name.length), data, pad4(data.length))
  }
  for (const entry of entries) {
    switch (entry.type) {
      case 'dir':
        add(entry.path, S_IFDIR | (entry.mode ?? 0o755), Buffer.alloc(0))
        break
      case 'file':
        add(entry.path, S_IFREG | (entry.mode ?? 0o644), entry.data)
        break
      case 'symlink':
        add(entry.path, S_IFLNK | 0o777, Buffer.from(entry.target))
        break
      case 'chardev':
        add(entry.path, S_IFCHR | (entry.mode ?? 0o600), Buffer.alloc(0), entry.major, entry.minor)
        break
    }
  }
  add('TRAILER!!!', 0, Buffer.alloc(0))
  return Buffer.concat(parts)
}
