// The host's side of the lab: which Debian packages it relies on and where their files are.
// Missing pieces produce one line that names scripts/lab-deps.sh.
import {closeSync, existsSync, openSync, readdirSync, readSync, realpathSync} from 'node:fs'
import {basename, join} from 'node:path'

export class LabDepsError extends Error {
  override name = 'LabDepsError'
}

/** A host file copied into the guest, and where it goes there. */
export interface GuestTool {
  name: string
  host: string
  guest: string
}

export interface HostKernel {
  version: string
  vmlinuz: string
  modulesDir: string
}

export interface Host {
  qemu: string
  /** qboot firmware: boots noticeably faster than SeaBIOS under TCG. Absent: qemu's default BIOS. */
  bios?: string
  kernel: HostKernel
  busybox: string
  node: string
  mkfsExt4: string
  mkfsXfs: string
  tools: GuestTool[]
}

const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin']

/** Programs copied into the guest (with their ldd libraries), by package, with their guest directory. */
const GUEST_TOOLS: ReadonlyArray<{pkg: string; dir: string; names: string[]}> = [
  {pkg: 'quota', dir: '/usr/sbin', names: ['setquota', 'repquota', 'quotacheck', 'quotaon', 'quotaoff', 'edquota', 'warnquota', 'quota_nld', 'quotastats']},
  {pkg: 'quota', dir: '/usr/bin', names: ['quota']},
  {pkg: 'xfsprogs', dir: '/usr/sbin', names: ['xfs_quota', 'xfs_io']},
  {pkg: 'util-linux', dir: '/usr/bin', names: ['setpriv']},
  {pkg: 'e2fsprogs', dir: '/usr/bin', names: ['chattr', 'lsattr']},
]

export const LAB_PACKAGES = ['qemu-system-x86', 'linux-image-cloud-amd64', 'busybox-static', 'quota', 'xfsprogs', 'e2fsprogs']

function which(name: string): string | undefined {
  for (const dir of BIN_DIRS) {
    const path = join(dir, name)
    if (existsSync(path)) return path
  }
  return undefined
}

/** True when the ELF file has no program interpreter (a static executable). */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const header = Buffer.alloc(64)
    readSync(fd, header, 0, 64, 0)
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false
    const phoff = Number(header.readBigUInt64LE(32))
    const phentsize = header.readUInt16LE(54)
    const phnum = header.readUInt16LE(56)
    const table = Buffer.alloc(phentsize * phnum)
    readSync(fd, table, 0, table.length, phoff)
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false
    return true
  } finally {
    closeSync(fd)
  }
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', {numeric: true})
}

function findKernel(): HostKernel | undefined {
  const override = process.env.QUOTAKIT_LAB_KERNEL
  const candidates = override
    ? [override]
    : (existsSync('/boot') ? readdirSync('/boot') : [])
        .filter((f) => /^vmlinuz-.+-cloud-amd64$/.test(f))
        .map((f) => join('/boot', f))
  const usable = candidates
    .map((vmlinuz) => {
      const version = basename(vmlinuz).replace(/^vmlinuz-/, '')
      return {version, vmlinuz, modulesDir: join('/usr/lib/modules', version)}
    })
    .filter((k) => existsSync(k.vmlinuz) && existsSync(join(k.modulesDir, 'kernel/fs/xfs/xfs.ko')))
    .sort((a, b) => compareVersions(b.version, a.version))
  return usable[0]
}

/** Finds everything the lab needs on the host, or throws a one-line LabDepsError naming scripts/lab-deps.sh. */
export function findHost(): Host {
  const missing = new Set<string>()
  const need = (pkg: string, path: string | undefined): string => {
    if (!path) missing.add(pkg)
    return path ?? ''
  }
  const qemu = need('qemu-system-x86', which('qemu-system-x86_64'))
  const kernel = findKernel()
  if (!kernel) missing.add('linux-image-cloud-amd64')
  const busyboxPath = which('busybox')
  const busybox = need('busybox-static', busyboxPath && isStaticElf(busyboxPath) ? busyboxPath : undefined)
  const mkfsExt4 = need('e2fsprogs', which('mkfs.ext4'))
  const mkfsXfs = need('xfsprogs', which('mkfs.xfs'))
  const tools: GuestTool[] = []
  for (const group of GUEST_TOOLS) {
    for (const name of group.names) {
      const host = need(group.pkg, which(name))
      tools.push({name, host, guest: join(group.dir, name)})
    }
  }
  if (missing.size > 0 || !kernel) {
    throw new LabDepsError(
      `lab: missing host packages (${[...missing].join(' ')}); run scripts/lab-deps.sh as root to install them`,
    )
  }
  const bios = existsSync('/usr/share/qemu/qboot.rom') ? '/usr/share/qemu/qboot.rom' : undefined
  return {qemu, bios, kernel, busybox, node: realpathSync(process.execPath), mkfsExt4, mkfsXfs, tools}
}
