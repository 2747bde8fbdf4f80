// The parts of oclif.manifest.json the man pages use. oclif copies every extra static of a
// command class into the manifest, which is how exitStatus, files and seeAlso get here.

export interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  description?: string
  summary?: string
  options?: string[]
  default?: unknown
  allowNo?: boolean
  hidden?: boolean
  required?: boolean
  multiple?: boolean
  helpValue?: string | string[]
  helpGroup?: string
}

export interface ManifestArg {
  name: string
  description?: string
  required?: boolean
  multiple?: boolean
  options?: string[]
  hidden?: boolean
}

export type ManifestExample = string | {description?: string; command: string}

export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  examples?: ManifestExample[]
  flags: Record<string, ManifestFlag>
  args: Record<string, ManifestArg>
  exitStatus?: Array<{code: number; meaning: string}>
  files?: Array<{path: string; description: string}>
  seeAlso?: string[]
}

export interface Manifest {
  version: string
  commands: Record<string, ManifestCommand>
}

/** `grace:set` -> `grace set` as typed (topicSeparator is a space). */
export const spokenId = (id: string): string => id.replaceAll(':', ' ')

/** `grace:set` -> `quotakit-grace-set`, the page name. */
export const pageName = (bin: string, id: string): string => `${bin}-${id.replaceAll(':', '-').replaceAll(' ', '-')}`

/** What oclif's help does to examples: `<%= config.bin %>` and `<%= command.id %>`. */
export function substitute(text: string, bin: string, id: string): string {
  return text.replace(/<%=\s*config\.bin\s*%>/g, bin).replace(/<%=\s*command\.id\s*%>/g, spokenId(id))
}

export const visibleCommands = (m: Manifest): ManifestCommand[] =>
  Object.values(m.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id))
