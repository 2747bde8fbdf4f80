// The image cache: one file per (artifact, input hash) under .lab-cache/.
// Artifacts are built under a temporary name and renamed into place, so concurrent labs never see half a file.
import {mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {cacheDir} from './paths.js'

export interface Cached {
  path: string
  key: string
  /** True when the artifact came from the cache. */
  hit: boolean
}

/** Older builds of an artifact kept besides the current one (a running lab may still use them). */
const KEEP_OLDER = 2

function prune(prefix: string, suffix: string, current: string): void {
  const older = readdirSync(cacheDir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(suffix) && join(cacheDir, f) !== current)
    .map((f) => ({path: join(cacheDir, f), mtime: statSync(join(cacheDir, f)).mtimeMs}))
    .sort((a, b) => b.mtime - a.mtime)
  for (const stale of older.slice(KEEP_OLDER)) rmSync(stale.path, {force: true, recursive: true})
}

/**
 * Returns `<cache>/<name>-<key><suffix>`, building it first with `build(tempPath)` when it is missing.
 */
export async function cached(name: string, key: string, suffix: string, build: (target: string) => Promise<void>): Promise<Cached> {
  mkdirSync(cacheDir, {recursive: true})
  const path = join(cacheDir, `${name}-${key}${suffix}`)
  if (existsSync(path)) {
    const now = new Date()
    utimesSync(path, now, now)
    return {path, key, hit: true}
  }
  const temp = join(cacheDir, `.tmp-${name}-${key}-${process.pid}-${Date.now()}${suffix}`)
  try {
    await build(temp)
    renameSync(temp, path)
  } finally {
    rmSync(temp, {force: true, recursive: true})
  }
  prune(`${name}-`, suffix, path)
  return {path, key, hit: false}
}
