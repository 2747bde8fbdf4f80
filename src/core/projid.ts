// Parsers for the project-quota databases xfs_quota and quota-tools share:
//   /etc/projid    name:id     (project names)
//   /etc/projects  id:path     (directory trees under a project)
// Pure: text in, entries out. Lines are trimmed; blank lines and '#' comments are skipped, and so
// are malformed lines (a non-numeric id, an empty field), as xfsprogs' reader skips them, so one
// bad line does not hide every other project. Reading the files is the caller's job.

export interface ProjidEntry {
  name: string
  id: number
}

export interface ProjectPath {
  id: number
  path: string
}

export const DEFAULT_PROJID_PATH = '/etc/projid'
export const DEFAULT_PROJECTS_PATH = '/etc/projects'

/** The projid/projects paths, overridable for tests through QUOTAKIT_PROJID / QUOTAKIT_PROJECTS. */
export function projidPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.QUOTAKIT_PROJID || DEFAULT_PROJID_PATH
}

export function projectsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.QUOTAKIT_PROJECTS || DEFAULT_PROJECTS_PATH
}

/** A project id is a u32 other than (u32)-1, written in decimal. */
function parseId(s: string): number | null {
  if (!/^\d{1,10}$/.test(s)) return null
  const id = Number(s)
  return id < 0xffffffff ? id : null
}

function* dataLines(text: string): Generator<string> {
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.length > 0 && !line.startsWith('#')) yield line
  }
}

/** `name:id` lines. Extra ':'-separated fields after the id are ignored. */
export function parseProjid(text: string): ProjidEntry[] {
  const out: ProjidEntry[] = []
  for (const line of dataLines(text)) {
    const [name, idText] = line.split(':').map((f) => f.trim())
    const id = idText === undefined ? null : parseId(idText)
    if (name && id !== null) out.push({name, id})
  }
  return out
}

/** `id:path` lines; the path keeps any ':' it contains. */
export function parseProjects(text: string): ProjectPath[] {
  const out: ProjectPath[] = []
  for (const line of dataLines(text)) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const id = parseId(line.slice(0, colon).trim())
    const path = line.slice(colon + 1).trim()
    if (id !== null && path.length > 0) out.push({id, path})
  }
  return out
}
