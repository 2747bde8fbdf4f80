// The project's production node_modules, chosen from npm's lockfile rather than by running npm:
// every installed package the lockfile does not mark as dev-only (what `npm prune --omit=dev` keeps).
import {cpSync, existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

interface LockPackage {
  dev?: boolean
  optional?: boolean
  link?: boolean
}

export interface Lockfile {
  packages?: Record<string, LockPackage>
}

/** The lockfile describing what is installed: npm's hidden lockfile when present, else package-lock.json. */
export function lockfilePath(projectDir: string): string {
  const hidden = join(projectDir, 'node_modules', '.package-lock.json')
  return existsSync(hidden) ? hidden : join(projectDir, 'package-lock.json')
}

/** Paths like `node_modules/@oclif/core` of the packages production needs. */
export function productionPackages(lock: Lockfile): string[] {
  return Object.entries(lock.packages ?? {})
    .filter(([path, meta]) => path.startsWith('node_modules/') && !meta.dev && !meta.link)
    .map(([path]) => path)
    .sort()
}

/**
 * Copies the production packages of `projectDir` into `targetNodeModules` (a `node_modules` directory).
 * Optional packages for other platforms are in the lockfile but not installed: they are skipped.
 */
export function copyProductionModules(projectDir: string, targetNodeModules: string): number {
  const lock = JSON.parse(readFileSync(lockfilePath(projectDir), 'utf8')) as Lockfile
  let copied = 0
  for (const path of productionPackages(lock)) {
    const source = join(projectDir, path)
    if (!existsSync(source)) continue
    const target = join(targetNodeModules, path.slice('node_modules/'.length))
    // Nested packages (a/node_modules/b) are copied with their parent and again on their own: harmless.
    cpSync(source, target, {recursive: true, dereference: false, filter: (src) => !src.endsWith('/.bin')})
    copied++
  }
  return copied
}
