// Helpers for filling a staging directory that mkfs.ext4 -d turns into a disk image.
import {chmodSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {cacheDir} from './paths.js'
import {run} from './run.js'

export class Staging {
  readonly root: string

  constructor(label: string) {
    mkdirSync(cacheDir, {recursive: true})
    this.root = mkdtempSync(join(cacheDir, `.staging-${label}-`))
  }

  path(guestPath: string): string {
    return join(this.root, guestPath)
  }

  dir(guestPath: string, mode = 0o755): void {
    mkdirSync(this.path(guestPath), {recursive: true})
    chmodSync(this.path(guestPath), mode)
  }

  /** Copies a host file's content (symlinks followed), reflinking when the filesystem can. */
  file(hostPath: string, guestPath: string, mode?: number): void {
    const target = this.path(guestPath)
    mkdirSync(dirname(target), {recursive: true})
    copyFileSync(hostPath, target, constants.COPYFILE_FICLONE)
    chmodSync(target, mode ?? statSync(hostPath).mode & 0o7777)
  }

  symlink(target: string, guestPath: string): void {
    const path = this.path(guestPath)
    mkdirSync(dirname(path), {recursive: true})
    if (!existsSync(path)) symlinkSync(target, path)
  }

  /** Copies a host directory tree (symlinks kept as symlinks). */
  tree(hostDir: string, guestPath: string): void {
    cpSync(hostDir, this.path(guestPath), {recursive: true, dereference: false})
  }

  /** Total bytes of regular files, to size the image. */
  size(): number {
    let total = 0
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, {withFileTypes: true})) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) walk(path)
        else if (entry.isFile()) total += statSync(path).size
      }
    }
    walk(this.root)
    return total
  }

  /**
   * Makes an ext4 image of the staging directory, with no mounting: mkfs.ext4 -d.
   * Without root, files would belong to the invoking user in the guest; a user namespace maps them to root.
   */
  async mkfsExt4(mkfs: string, image: string, label: string, extraBytes: number): Promise<void> {
    const bytes = Math.ceil((this.size() * 1.25 + extraBytes) / (1 << 20)) * (1 << 20)
    const args = ['-q', '-F', '-t', 'ext4', '-L', label, '-m', '0', '-O', '^has_journal', '-E', 'root_owner=0:0', '-d', this.root, image, `${bytes / 1024}k`]
    if (process.getuid?.() === 0) await run(mkfs, args)
    else await run('unshare', ['--map-root-user', mkfs, ...args])
  }

  remove(): void {
    rmSync(this.root, {recursive: true, force: true})
  }
}
