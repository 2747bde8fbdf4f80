// Quota files on disk: read one whole (they are small: 48 or 72 bytes per id), and replace one the
// way linuxquota does, but crash-safe: write `<file>.new`, fsync it, optionally keep the old file as
// `<file>~`, rename the new one over the name, fsync the directory. A new file gets mode 0600; an
// existing file's mode is kept.

import {closeSync, constants as fsc, fchmodSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'

import {QuotaError} from '../errors.js'
import {type QuotaFileContents, type ReadOptions, readQuotaFile} from './reader.js'

const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException)?.code

function ioError(what: string, path: string, e: unknown): QuotaError {
  const errno = errnoOf(e)
  const kind = errno === 'EACCES' || errno === 'EPERM' ? 'permission' : 'failed'
  const hint = errno === 'EPERM' ? `if the file is immutable (lsattr ${path}), clear it with chattr -i` : undefined
  return new QuotaError(kind, `cannot ${what} ${path}: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`, {errno, hint, cause: e})
}

/** The file's contents, or null when it does not exist. */
export function readQuotaFileAt(path: string, options: Omit<ReadOptions, 'file'> = {}): QuotaFileContents | null {
  let buf: Buffer
  try {
    buf = readFileSync(path)
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null
    throw ioError('read', path, e)
  }
  return readQuotaFile(buf, {...options, file: path})
}

export interface ReplaceResult {
  path: string
  bytes: number
  /** where the previous file was kept (-b), or null */
  backup: string | null
  /** whether a previous file existed */
  replaced: boolean
}

function fsyncPath(path: string, flags: number): void {
  const fd = openSync(path, flags)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Write `<path>.new`, fsync it, then (after `beforeRename`, e.g. quota off) move it over `path`. */
export function replaceFile(path: string, contents: Buffer, options: {backup: boolean; beforeRename?: () => void}): ReplaceResult {
  let mode = 0o600
  let replaced = false
  try {
    mode = statSync(path).mode & 0o7777
    replaced = true
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw ioError('stat', path, e)
  }
  const tmp = `${path}.new`
  try {
    const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | fsc.O_NOFOLLOW, mode)
    try {
      fchmodSync(fd, mode) // exactly, whatever the umask or a leftover .new had
      for (let off = 0; off < contents.length; ) off += writeSync(fd, contents, off, contents.length - off)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    rmSync(tmp, {force: true})
    throw ioError('write', tmp, e)
  }
  options.beforeRename?.()
  let backup: string | null = null
  if (options.backup && replaced) {
    backup = `${path}~`
    try {
      rmSync(backup, {force: true})
      linkSync(path, backup) // the old file stays in place until the rename replaces it
    } catch (e) {
      throw ioError('keep a backup of', path, e)
    }
  }
  try {
    renameSync(tmp, path)
  } catch (e) {
    throw ioError('rename the new file over', path, e)
  }
  try {
    fsyncPath(dirname(path), fsc.O_RDONLY | fsc.O_DIRECTORY)
  } catch {
    // some filesystems refuse fsync on a directory: the rename is still done
  }
  return {path, bytes: contents.length, backup, replaced}
}
