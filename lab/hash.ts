// Cache keys: hashes of the inputs an image is built from.
import {createHash, type Hash} from 'node:crypto'
import {existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import {join} from 'node:path'

export class KeyBuilder {
  private readonly hash: Hash = createHash('sha256')

  /** Adds a labelled string. */
  text(label: string, value: string): this {
    this.hash.update(`${label}\0${value}\0`)
    return this
  }

  /** Adds a host file by identity (path, size, mtime): cheap, for large system files like node or the kernel. */
  fileStat(path: string): this {
    const st = statSync(path)
    return this.text('stat', `${path}:${st.size}:${st.mtimeMs}`)
  }

  /** Adds a file by content. Missing files count as absent. */
  fileContent(path: string): this {
    if (!existsSync(path)) return this.text('absent', path)
    this.hash.update(`file\0${path}\0`)
    this.hash.update(readFileSync(path))
    return this
  }

  /** Adds a directory tree by content: relative paths, exec bits, symlink targets and file bytes. */
  tree(dir: string, exclude: (relative: string) => boolean = () => false): this {
    if (!existsSync(dir)) return this.text('absent', dir)
    const walk = (relative: string): void => {
      const entries = readdirSync(join(dir, relative)).sort()
      for (const name of entries) {
        const rel = relative ? `${relative}/${name}` : name
        if (exclude(rel)) continue
        const path = join(dir, rel)
        const st = lstatSync(path)
        if (st.isDirectory()) {
          this.text('dir', rel)
          walk(rel)
        } else if (st.isSymbolicLink()) {
          this.text('link', `${rel}->${readlinkSync(path)}`)
        } else if (st.isFile()) {
          this.hash.update(`file\0${rel}\0${st.mode & 0o111 ? 'x' : '-'}\0`)
          this.hash.update(readFileSync(path))
        }
      }
    }
    this.text('tree', dir)
    walk('')
    return this
  }

  /** The key: 16 hex digits are plenty to tell builds apart. */
  digest(): string {
    return this.hash.digest('hex').slice(0, 16)
  }
}
