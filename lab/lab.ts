// startLab(): build (or reuse) the images, boot the guest, wait for its agent, and hand back a Lab.
import {AgentClient, type ExecOptions, type ExecResult} from './agent-client.js'
import {buildLab, type LabImages} from './build.js'
import {Machine} from './machine.js'
import {shellQuote} from './shell-quote.js'

export interface LabOptions {
  /** Guest CPUs. Default 1 (QUOTAKIT_LAB_CPUS overrides); see lab/README.md for the measurements. */
  cpus?: number
  /** Guest memory. Default 2048 MiB. */
  memoryMiB?: number
  /** Give up booting after this long. Default 120 s. */
  bootTimeoutMs?: number
  /** Echo the guest console to stderr (also QUOTAKIT_LAB_VERBOSE=1). */
  verbose?: boolean
  /** Extra kernel command-line words (debugging). */
  kernelArgs?: string[]
  /** Extra qemu arguments (debugging). */
  qemuArgs?: string[]
}

export class LabError extends Error {
  override name = 'LabError'
}

export interface Lab {
  /** Runs `command` through /bin/sh -c in the guest; resolves with its exact output and exit code. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>
  /** Writes a guest file (as root, or as `user`), creating or truncating it. */
  writeFile(path: string, content: string | Buffer, options?: {user?: string; mode?: number}): Promise<void>
  /** Reads a guest file's bytes. */
  readFile(path: string, options?: {user?: string}): Promise<Buffer>
  /** Sets the guest clock (date -s @epoch). Grace periods are measured against it. */
  setClock(date: Date | number): Promise<void>
  /** Moves the guest clock forward by `ms` from where it is now. */
  advanceClock(ms: number): Promise<void>
  /** The guest's current time (whole seconds). */
  now(): Promise<Date>
  /** Ends the guest (reboot -f; qemu is killed if it has not gone within 10 s) and removes temporary files. */
  stop(): Promise<void>
  /** The guest console so far. */
  console(): string
  /** Host wall time from start to a ready agent. */
  readonly bootMs: number
  /** Guest uptime when the agent became ready (bootMs minus this: firmware, kernel unpacking, host). */
  readonly guestReadySeconds: number
  readonly images: LabImages
}

const FAIL_MARK = /LAB-BOOT-FAILED: ([^\r\n]*)|(Kernel panic[^\r\n]*)/

function checked(result: ExecResult, what: string): ExecResult {
  if (result.code !== 0) throw new LabError(`lab: ${what} failed (exit ${result.code}): ${result.stderr.trim()}`)
  return result
}

class RunningLab implements Lab {
  constructor(
    private readonly machine: Machine,
    private readonly agent: AgentClient,
    readonly images: LabImages,
    readonly bootMs: number,
    readonly guestReadySeconds: number,
  ) {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.agent.exec(command, options)
  }

  async writeFile(path: string, content: string | Buffer, options: {user?: string; mode?: number} = {}): Promise<void> {
    const chmod = options.mode === undefined ? '' : ` && chmod ${options.mode.toString(8)} ${shellQuote(path)}`
    checked(await this.exec(`cat > ${shellQuote(path)}${chmod}`, {user: options.user, stdin: content}), `writing ${path}`)
  }

  async readFile(path: string, options: {user?: string} = {}): Promise<Buffer> {
    return checked(await this.exec(`cat ${shellQuote(path)}`, {user: options.user}), `reading ${path}`).stdoutBuffer
  }

  async setClock(date: Date | number): Promise<void> {
    const epoch = Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000)
    checked(await this.exec(`date -s @${epoch} >/dev/null`), 'setting the clock')
  }

  async advanceClock(ms: number): Promise<void> {
    const seconds = Math.ceil(ms / 1000)
    checked(await this.exec(`date -s @$(( $(date +%s) + ${seconds} )) >/dev/null`), 'advancing the clock')
  }

  async now(): Promise<Date> {
    const out = checked(await this.exec('date +%s'), 'reading the clock').stdout
    return new Date(Number(out.trim()) * 1000)
  }

  console(): string {
    return this.machine.console()
  }

  async stop(): Promise<void> {
    this.agent.poweroff()
    this.agent.fail(new LabError('lab: stopped'))
    await this.machine.shutdown(10_000)
  }
}

function defaultCpus(): number {
  const fromEnv = Number(process.env.QUOTAKIT_LAB_CPUS)
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1
}

/** Boots a fresh guest (fresh test filesystems) and resolves once its agent answers. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const started = Date.now()
  const images = await buildLab()
  const verbose = options.verbose ?? process.env.QUOTAKIT_LAB_VERBOSE === '1'
  let bootFailure: (error: Error) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    bootFailure = reject
  })
  failed.catch(() => {})
  let seen = ''
  const machine = new Machine({
    images,
    cpus: options.cpus ?? defaultCpus(),
    memoryMiB: options.memoryMiB ?? 2048,
    mode: 'agent',
    append: options.kernelArgs,
    extraArgs: options.qemuArgs,
    onConsole: (text) => {
      if (verbose) process.stderr.write(text)
      seen = (seen + text).slice(-4096)
      const mark = FAIL_MARK.exec(seen)
      if (mark) bootFailure(new LabError(`lab: boot failed: ${mark[1] ?? mark[2]}`))
    },
  })
  const timeoutMs = options.bootTimeoutMs ?? 120_000
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LabError(`lab: the guest was not ready within ${timeoutMs} ms`)), timeoutMs)
  })
  const exited = machine.exited.then((code) => {
    throw new LabError(`lab: qemu exited (${code}) before the guest was ready`)
  })
  try {
    const sockets = await Promise.race([machine.sockets, failed, timedOut, exited])
    const agent = new AgentClient(sockets.ctl, sockets.out, sockets.err)
    void machine.exited.then((code) => agent.fail(new LabError(`lab: the guest went away (qemu exit ${code})\n${machine.consoleTail()}`)))
    const ready = await Promise.race([agent.ready, failed, timedOut, exited])
    return new RunningLab(machine, agent, images, Date.now() - started, ready.uptimeSeconds)
  } catch (error) {
    machine.destroy()
    const message = error instanceof Error ? error.message : String(error)
    throw new LabError(`${message}\n--- guest console (last lines) ---\n${machine.consoleTail()}`)
  } finally {
    clearTimeout(timer)
  }
}
