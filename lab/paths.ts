// Where the lab finds the repository, its own guest files and its cache.
// Works both from the TypeScript sources (vitest imports lab/*.ts) and from dist/lab/*.js.
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

function findRepoRoot(start: string): string {
  let dir = start
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'lab', 'guest'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`lab: cannot find the quotakit repository above ${start}`)
    dir = parent
  }
}

/** The quotakit checkout (holds package.json, dist/, node_modules/, lab/). */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)))
export const labSourceDir = join(repoRoot, 'lab')
/** Files copied into the guest verbatim (init scripts, agent, /etc). */
export const guestDir = join(labSourceDir, 'guest')
/** Built images, keyed by the hash of their inputs. Gitignored. */
export const cacheDir = process.env.QUOTAKIT_LAB_CACHE ?? join(repoRoot, '.lab-cache')
