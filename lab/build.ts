// Builds (or finds in .lab-cache/) everything a lab start needs. Each artifact is keyed by the hash of
// its inputs: kernel and host files (by path, size, mtime), lockfile, project files, and the lab sources
// that make it. A warm build only hashes inputs.
import {join} from 'node:path'
import {cached, type Cached} from './cache.js'
import {buildDisk, TEST_DISKS, type TestDisk} from './disks.js'
import {KeyBuilder} from './hash.js'
import {findHost, type Host} from './host.js'
import {buildInitramfs} from './initramfs.js'
import {GUEST_MODULES} from './modules.js'
import {lockfilePath} from './node-modules.js'
import {guestDir, labSourceDir, repoRoot} from './paths.js'
import {buildProjectImage, projectKey} from './project.js'
import {buildRootImage} from './rootfs.js'

export interface LabImages {
  host: Host
  initramfs: Cached
  root: Cached
  project: Cached
  disks: Array<Cached & {disk: TestDisk}>
  /** Milliseconds the build (or cache lookup) took. */
  ms: number
}

function labSources(key: KeyBuilder, ...files: string[]): KeyBuilder {
  for (const file of files) key.fileContent(join(labSourceDir, file))
  return key
}

function initramfsKey(host: Host): string {
  const key = new KeyBuilder().text('kernel', host.kernel.version).fileStat(host.busybox)
  for (const module of GUEST_MODULES) key.fileStat(join(host.kernel.modulesDir, 'kernel', module))
  labSources(key, 'initramfs.ts', 'cpio.ts', 'modules.ts')
  return key.tree(join(guestDir, 'initramfs')).digest()
}

function rootKey(host: Host): string {
  const key = new KeyBuilder().fileStat(host.busybox).fileStat(host.node)
  for (const tool of host.tools) key.text('tool', tool.guest).fileStat(tool.host)
  key.fileContent(lockfilePath(repoRoot))
  labSources(key, 'rootfs.ts', 'staging.ts', 'ldd.ts', 'node-modules.ts', 'host.ts', 'utmp.ts')
  return key.tree(join(guestDir, 'rootfs')).digest()
}

function diskKey(host: Host, disk: TestDisk): string {
  const mkfs = disk.name === 'xfs' ? host.mkfsXfs : host.mkfsExt4
  const key = new KeyBuilder().fileStat(mkfs).text('disk', `${disk.name}:${disk.mib}:${disk.recipe}`)
  return labSources(key, 'disks.ts').digest()
}

/** Builds what is missing from the cache and returns the paths of all lab images. */
export async function buildLab(): Promise<LabImages> {
  const started = Date.now()
  const host = findHost()
  const initramfs = await cached('initramfs', initramfsKey(host), '.cpio.gz', async (target) => buildInitramfs(host, target))
  const root = await cached('root', rootKey(host), '.ext4', (target) => buildRootImage(host, target))
  const projectHash = labSources(projectKey(), 'project.ts', 'staging.ts').digest()
  const project = await cached('project', projectHash, '.ext4', (target) => buildProjectImage(host, target))
  const disks: LabImages['disks'] = []
  for (const disk of TEST_DISKS) {
    const image = await cached(`disk-${disk.name}`, diskKey(host, disk), '.img', (target) => buildDisk(host, disk, target))
    disks.push({...image, disk})
  }
  return {host, initramfs, root, project, disks, ms: Date.now() - started}
}
