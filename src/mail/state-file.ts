// The cooldown state file (default /var/lib/quotakit/warnquota.json): read, checked, and written
// atomically (a temporary file in the same directory, fsync, rename, fsync of the directory), so
// a crash or a full disk never leaves half a file for the next cron run to trip over.
// A file that does not parse or does not have the expected shape is reported and not trusted:
// the run goes on as if nobody had been mailed (linuxquota's behaviour), and when the new state
// is saved the bad file is kept beside it as <file>.corrupt for the admin to look at.

import {closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {QuotaError} from '../errors.js'
import {type CooldownState, emptyState, stateProblem} from './cooldown.js'

export const DEFAULT_STATE_PATH = '/var/lib/quotakit/warnquota.json'

export type LoadedState =
  | {status: 'missing'; state: CooldownState}
  | {status: 'ok'; state: CooldownState}
  | {status: 'corrupt'; state: CooldownState; problem: string}

export function loadState(path: string): LoadedState {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {status: 'missing', state: emptyState()}
    throw new QuotaError(code === 'EACCES' || code === 'EPERM' ? 'permission' : 'failed', `cannot read the state file ${path}: ${(e as Error).message}`, {cause: e})
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    return {status: 'corrupt', state: emptyState(), problem: `not JSON (${(e as Error).message})`}
  }
  const problem = stateProblem(data)
  return problem === null ? {status: 'ok', state: data as CooldownState} : {status: 'corrupt', state: emptyState(), problem}
}

/** Where a corrupt state file is kept when a new one replaces it. */
export const corruptCopyPath = (path: string): string => `${path}.corrupt`

/** Atomic replace. Returns the path the corrupt file was moved to, when `keepCorrupt`. */
export function saveState(path: string, state: CooldownState, keepCorrupt = false): string | null {
  const dir = dirname(path)
  try {
    mkdirSync(dir, {recursive: true, mode: 0o755})
    let moved: string | null = null
    if (keepCorrupt) {
      try {
        renameSync(path, corruptCopyPath(path))
        moved = corruptCopyPath(path)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      }
    }
    const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`)
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, `${JSON.stringify(state, null, 2)}\n`)
      fsyncSync(fd)
    } catch (e) {
      closeSync(fd)
      unlinkSync(tmp)
      throw e
    }
    closeSync(fd)
    renameSync(tmp, path)
    const dirFd = openSync(dir, 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
    return moved
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new QuotaError(code === 'EACCES' || code === 'EPERM' ? 'permission' : 'failed', `cannot write the state file ${path}: ${(e as Error).message}`, {
      cause: e,
      hint: 'the mails went out; without the state file the next run mails these offenders again',
    })
  }
}
