// Pristine test filesystems, made once per mkfs version and attached with snapshot=on,
// so every lab start sees them fresh. The guest (lab/guest/rootfs/sbin/lab-init) mounts them
// and turns quota on as the guest contract says.
import {closeSync, ftruncateSync, openSync} from 'node:fs'
import type {Host} from './host.js'
import {run} from './run.js'

export interface TestDisk {
  /** Also the virtio serial number the guest finds the disk by (`lab-<name>`). */
  name: 'ext4' | 'ext4v0' | 'xfs'
  mib: number
  mkfs: (host: Host, image: string) => Promise<unknown>
  /** Identifies the mkfs recipe in the cache key. */
  recipe: string
}

export const TEST_DISKS: readonly TestDisk[] = [
  {
    name: 'ext4',
    mib: 256,
    recipe: 'mkfs.ext4 -O quota -E quotatype=usrquota:grpquota:prjquota',
    mkfs: (host, image) => run(host.mkfsExt4, ['-q', '-F', '-L', 'ext4', '-O', 'quota', '-E', 'quotatype=usrquota:grpquota:prjquota,root_owner=0:0', image]),
  },
  {
    name: 'ext4v0',
    mib: 256,
    recipe: 'mkfs.ext4 (external vfsv0 quota files made at boot)',
    mkfs: (host, image) => run(host.mkfsExt4, ['-q', '-F', '-L', 'ext4v0', '-E', 'root_owner=0:0', image]),
  },
  {
    // mkfs.xfs refuses filesystems under 300 MB.
    name: 'xfs',
    mib: 512,
    recipe: 'mkfs.xfs',
    mkfs: (host, image) => run(host.mkfsXfs, ['-q', '-f', '-L', 'xfs', image]),
  },
]

export async function buildDisk(host: Host, disk: TestDisk, target: string): Promise<void> {
  const fd = openSync(target, 'w')
  try {
    ftruncateSync(fd, disk.mib << 20)
  } finally {
    closeSync(fd)
  }
  await disk.mkfs(host, target)
}
