// One qemu process with its temporary directory (agent sockets, snapshot overlays) and console.
// Whatever happens, the process is killed and the directory removed: on stop(), and at host exit.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readdirSync, rmdirSync, rmSync, statSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {LabImages} from './build.js'
import {qemuArgs, type QemuSockets} from './qemu.js'

export interface MachineOptions {
  images: LabImages
  cpus: number
  memoryMiB: number
  mode: 'agent' | 'shell'
  append?: string[]
  extraArgs?: string[]
  /** Called with console output as it arrives (agent mode). */
  onConsole?: (text: string) => void
}

export interface AgentSockets {
  ctl: Socket
  out: Socket
  err: Socket
}

const CONSOLE_KEEP = 256 * 1024
const live = new Set<Machine>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const machine of live) machine.destroy()
  })
}

const RUN_PREFIX = 'quotakit-lab-'

/** Removes run directories left empty by hosts that were killed (-9) mid-run. */
function sweepStale(base: string): void {
  const cutoff = Date.now() - 10 * 60 * 1000
  for (const name of readdirSync(base)) {
    if (!name.startsWith(RUN_PREFIX)) continue
    const dir = join(base, name)
    try {
      if (statSync(dir).mtimeMs < cutoff && readdirSync(dir).length === 0) rmdirSync(dir)
    } catch {
      // Someone else's, or already gone.
    }
  }
}

function runDirectory(): string {
  // Unix socket paths must stay short (108 bytes): fall back to /tmp when TMPDIR is deep.
  const base = tmpdir().length > 60 ? '/tmp' : tmpdir()
  sweepStale(base)
  return mkdtempSync(join(base, RUN_PREFIX))
}

export class Machine {
  readonly dir = runDirectory()
  readonly process: ChildProcess
  readonly sockets: Promise<AgentSockets>
  /** Resolves with qemu's exit code (or signal name) when it ends. */
  readonly exited: Promise<number | string>
  private readonly servers: Server[] = []
  private consoleText = ''
  private qemuStderr = ''
  private destroyed = false

  constructor(options: MachineOptions) {
    installExitHook()
    live.add(this)
    const paths: QemuSockets = {ctl: join(this.dir, 'ctl.sock'), out: join(this.dir, 'out.sock'), err: join(this.dir, 'err.sock')}
    const accept = (path: string) =>
      new Promise<Socket>((resolve, reject) => {
        const server = createServer((socket) => {
          server.close()
          resolve(socket)
        })
        server.on('error', reject)
        server.listen(path)
        this.servers.push(server)
      })
    const [ctl, out, err] = [accept(paths.ctl), accept(paths.out), accept(paths.err)]
    this.sockets = Promise.all([ctl, out, err]).then(([c, o, e]) => ({ctl: c, out: o, err: e}))
    this.sockets.catch(() => {})

    const args = qemuArgs({...options, sockets: paths})
    // TMPDIR: qemu puts the snapshot overlays there, so they go away with the run directory.
    const env = {...process.env, TMPDIR: this.dir}
    this.process =
      options.mode === 'shell'
        ? spawn(options.images.host.qemu, args, {env, stdio: 'inherit'})
        : spawn(options.images.host.qemu, args, {env, stdio: ['pipe', 'pipe', 'pipe']})
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
      this.process.on('error', (error) => {
        this.qemuStderr += String(error)
        resolve('spawn-error')
      })
    })
    this.process.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      this.consoleText = (this.consoleText + text).slice(-CONSOLE_KEEP)
      options.onConsole?.(text)
    })
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.qemuStderr = (this.qemuStderr + chunk.toString()).slice(-16384)
    })
  }

  /** The guest console so far (the last 256 KiB) followed by anything qemu printed on stderr. */
  console(): string {
    return this.qemuStderr ? `${this.consoleText}\n[qemu stderr]\n${this.qemuStderr}` : this.consoleText
  }

  /** The last lines of the console, for error messages. */
  consoleTail(lines = 30): string {
    return this.console().replace(/\r/g, '').split('\n').slice(-lines).join('\n')
  }

  /** Waits for qemu to exit by itself for up to `ms`, then kills it. Always removes the run directory. */
  async shutdown(ms: number): Promise<void> {
    const timer = setTimeout(() => this.process.kill('SIGKILL'), ms)
    try {
      await this.exited
    } finally {
      clearTimeout(timer)
      this.destroy()
    }
  }

  /** Synchronous last resort: kill qemu, drop the sockets and the run directory. */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    live.delete(this)
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL')
    for (const server of this.servers) server.close()
    void this.sockets.then((s) => [s.ctl, s.out, s.err].forEach((socket) => socket.destroy()), () => {})
    rmSync(this.dir, {recursive: true, force: true})
  }
}
