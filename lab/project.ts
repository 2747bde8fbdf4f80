// The built quotakit project as its own small disk, mounted read-write (snapshot) on /opt/quotakit.
// Its dependencies live on the root image in /opt/node_modules, where Node's resolution finds them.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {KeyBuilder} from './hash.js'
import type {Host} from './host.js'
import {repoRoot} from './paths.js'
import {Staging} from './staging.js'

/** What `npm pack` would ship, as the package.json "files" list says, plus the manifest. */
export const PROJECT_ENTRIES = ['bin', 'dist', 'man', 'schemas', 'package.json', 'oclif.manifest.json']

export function projectKey(): KeyBuilder {
  const key = new KeyBuilder()
  for (const entry of PROJECT_ENTRIES) {
    const path = join(repoRoot, entry)
    if (entry.includes('.')) key.fileContent(path)
    else key.tree(path)
  }
  return key
}

/** True when the project has been built (dist/ holds compiled commands or sources). */
export function projectBuilt(): boolean {
  return existsSync(join(repoRoot, 'dist'))
}

export async function buildProjectImage(host: Host, target: string): Promise<void> {
  const staging = new Staging('project')
  try {
    for (const entry of PROJECT_ENTRIES) {
      const path = join(repoRoot, entry)
      if (!existsSync(path)) continue
      if (entry.includes('.')) staging.file(path, `/${entry}`, 0o644)
      else staging.tree(path, `/${entry}`)
    }
    await staging.mkfsExt4(host.mkfsExt4, target, 'quotakit', 16 << 20)
  } finally {
    staging.remove()
  }
}
