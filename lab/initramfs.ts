// The initramfs: static busybox, the kernel modules and the stage-1 init (lab/guest/initramfs/init), gzipped.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {cpioArchive, type CpioEntry} from './cpio.js'
import type {Host} from './host.js'
import {readGuestModules} from './modules.js'
import {guestDir} from './paths.js'

export function buildInitramfs(host: Host, target: string): void {
  const entries: CpioEntry[] = [
    {type: 'dir', path: 'bin'},
    {type: 'file', path: 'bin/busybox', data: readFileSync(host.busybox), mode: 0o755},
    {type: 'symlink', path: 'bin/sh', target: 'busybox'},
    {type: 'dir', path: 'dev'},
    // The kernel opens /dev/console for init before anything can mount devtmpfs.
    {type: 'chardev', path: 'dev/console', major: 5, minor: 1},
    {type: 'dir', path: 'proc'},
    {type: 'dir', path: 'sys'},
    {type: 'dir', path: 'root'},
    {type: 'dir', path: 'modules'},
    {type: 'file', path: 'init', data: readFileSync(join(guestDir, 'initramfs', 'init')), mode: 0o755},
  ]
  readGuestModules(host.kernel.modulesDir).forEach((module, index) => {
    const name = `${String(index).padStart(2, '0')}-${module.name}`
    entries.push({type: 'file', path: `modules/${name}`, data: module.data})
  })
  writeFileSync(target, gzipSync(cpioArchive(entries), {level: 6}))
}
