// The root image: busybox, node, linuxquota/xfsprogs/util-linux/e2fsprogs oracles, their libraries,
// the production node_modules (/opt/node_modules), the guest scripts and /etc (lab/guest/rootfs).
// The built project itself sits on its own small disk (lab/project.ts), mounted on /opt/quotakit,
// so a rebuild of dist/ does not rebuild this image.
import {readdirSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import type {Host} from './host.js'
import {sharedLibraries} from './ldd.js'
import {copyProductionModules} from './node-modules.js'
import {guestDir, repoRoot} from './paths.js'
import {run} from './run.js'
import {Staging} from './staging.js'
import {labUtmp} from './utmp.js'

/** Directories the guest mounts things on or writes to. */
const GUEST_DIRS: ReadonlyArray<[string, number]> = [
  ['proc', 0o555], ['sys', 0o555], ['dev', 0o755], ['run', 0o755], ['tmp', 0o1777], ['root', 0o700],
  ['home/alice', 0o755], ['home/bob', 0o755], ['home/carol', 0o755],
  ['mnt/ext4', 0o755], ['mnt/ext4v0', 0o755], ['mnt/xfs', 0o755], ['opt/quotakit', 0o755],
  ['var/tmp', 0o1777], ['var/lib', 0o755], ['var/log', 0o755], ['usr/local/bin', 0o755], ['usr/local/sbin', 0o755],
]

/** Where a host library goes in the guest, whose /lib and /lib64 are links into /usr (as on Debian 12). */
export function guestLibraryPath(hostPath: string): string {
  return hostPath.replace(/^\/lib(64)?\//, '/usr/lib$1/')
}

function copyGuestTree(staging: Staging): void {
  const source = join(guestDir, 'rootfs')
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name)
      const guest = '/' + relative(source, path)
      if (entry.isDirectory()) walk(path)
      else if (/^\/(sbin|usr\/bin|usr\/lib\/lab)\//.test(guest)) staging.file(path, guest, 0o755)
      else if (guest === '/etc/shadow') staging.file(path, guest, 0o640)
      else staging.file(path, guest, 0o644)
    }
  }
  walk(source)
}

async function addBusybox(host: Host, staging: Staging): Promise<void> {
  staging.file(host.busybox, '/bin/busybox', 0o755)
  const applets = (await run(host.busybox, ['--list'])).stdout.split('\n').filter((a) => /^[\w.[\]-]+$/.test(a))
  for (const applet of applets) if (applet !== 'busybox') staging.symlink('busybox', `/bin/${applet}`)
  for (const dir of ['/sbin', '/usr/sbin']) staging.dir(dir)
  // Shebangs like `#!/usr/bin/env node` (quotakit's bin/run.js).
  staging.symlink('/bin/busybox', '/usr/bin/env')
}

export async function buildRootImage(host: Host, target: string): Promise<void> {
  const staging = new Staging('root')
  try {
    for (const [dir, mode] of GUEST_DIRS) staging.dir(dir, mode)
    staging.symlink('usr/lib', '/lib')
    staging.symlink('usr/lib64', '/lib64')
    staging.symlink('/run', '/var/run')
    staging.symlink('/proc/self/mounts', '/etc/mtab')
    await addBusybox(host, staging)
    staging.file(host.node, '/usr/bin/node', 0o755)
    for (const tool of host.tools) staging.file(tool.host, tool.guest, 0o755)
    const nativeModules: string[] = []
    const copied = copyProductionModules(repoRoot, staging.path('/opt/node_modules'))
    if (copied === 0) throw new Error('lab: no production node_modules found: run npm ci first')
    const findNative = (dir: string) => {
      for (const entry of readdirSync(dir, {withFileTypes: true})) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) findNative(path)
        else if (entry.isFile() && entry.name.endsWith('.node')) nativeModules.push(path)
      }
    }
    findNative(staging.path('/opt/node_modules'))
    const binaries = [host.node, ...host.tools.map((t) => t.host), ...nativeModules]
    for (const lib of await sharedLibraries(binaries)) staging.file(lib, guestLibraryPath(lib), 0o755)
    copyGuestTree(staging)
    staging.dir('/etc/lab')
    writeFileSync(staging.path('/etc/lab/utmp'), labUtmp())
    await staging.mkfsExt4(host.mkfsExt4, target, 'labroot', 96 << 20)
  } finally {
    staging.remove()
  }
}
