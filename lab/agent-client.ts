// The host end of the agent's channel: three virtio-serial ports (control, stdout, stderr),
// each a unix socket qemu connects to. Requests run one at a time, in call order.
import type {Socket} from 'node:net'
import {AgentDecoder, encodePoweroff, encodeRequest, type AgentMessage, type Mode} from './protocol.js'

export interface ExecOptions {
  /** Run as this guest user (setpriv with the user's groups); root when absent. */
  user?: string
  /** Bytes for the command's stdin; /dev/null when absent. */
  stdin?: string | Buffer
  /** The guest kills the command's process group after this long and reports code 124. Default 120 s. */
  timeoutMs?: number
  /** Receive stdout as it is written (stream mode); it is then not collected into the result. */
  onStdout?: (chunk: Buffer) => void
  /** Receive stderr as it is written (stream mode); it is then not collected into the result. */
  onStderr?: (chunk: Buffer) => void
}

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
  stdoutBuffer: Buffer
  stderrBuffer: Buffer
  /** The guest killed the command at its timeout (code is then 124). */
  timedOut: boolean
  /** Host-side wall time of the request. */
  ms: number
}

export interface ReadyInfo {
  protocol: number
  uptimeSeconds: number
}

export const DEFAULT_EXEC_TIMEOUT_MS = 120_000
/**
 * How long the host waits for an answer before declaring the guest wedged: the guest enforces the
 * timeout itself, by its own clock, which a loaded host can slow down; so twice that, plus 30 s.
 */
function hostDeadlineMs(timeoutMs: number): number {
  return 2 * timeoutMs + 30_000
}

interface Running {
  id: number
  mode: Mode
  started: number
  out: Buffer[]
  err: Buffer[]
  outCount: number
  errCount: number
  options: ExecOptions
  reply?: Extract<AgentMessage, {type: 'result'}>
  resolve: (result: ExecResult) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export class AgentClient {
  readonly ready: Promise<ReadyInfo>
  private resolveReady!: (info: ReadyInfo) => void
  private rejectReady!: (error: Error) => void
  private readonly decoder: AgentDecoder
  private queue: Promise<unknown> = Promise.resolve()
  private running?: Running
  private nextId = 1
  private failure?: Error

  constructor(private readonly ctl: Socket, out: Socket, err: Socket) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve
      this.rejectReady = reject
    })
    this.ready.catch(() => {})
    this.decoder = new AgentDecoder((id) => this.running?.id === id && this.running.mode === 'c')
    ctl.on('data', (chunk: Buffer) => {
      for (const message of this.decoder.push(chunk)) this.onMessage(message)
    })
    out.on('data', (chunk: Buffer) => this.onOutput('out', chunk))
    err.on('data', (chunk: Buffer) => this.onOutput('err', chunk))
  }

  /** Runs `command` through /bin/sh -c in the guest. Calls queue up and run one at a time. */
  exec(command: string | Buffer, options: ExecOptions = {}): Promise<ExecResult> {
    const result = this.queue.then(() => this.run(command, options))
    this.queue = result.catch(() => {})
    return result
  }

  /** Asks the guest to power off at once (no reply comes). */
  poweroff(): void {
    if (!this.ctl.destroyed) this.ctl.write(encodePoweroff())
  }

  /** Fails the pending and all later requests (the VM is gone or wedged). */
  fail(error: Error): void {
    this.failure ??= error
    this.rejectReady(error)
    if (this.running) {
      clearTimeout(this.running.timer)
      this.running.reject(error)
      this.running = undefined
    }
  }

  private run(command: string | Buffer, options: ExecOptions): Promise<ExecResult> {
    if (this.failure) return Promise.reject(this.failure)
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS
    const mode: Mode = options.onStdout || options.onStderr ? 's' : 'c'
    const id = this.nextId++
    const frame = encodeRequest({
      id, mode, user: options.user, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)), command, stdin: options.stdin,
    })
    return new Promise<ExecResult>((resolve, reject) => {
      const deadline = hostDeadlineMs(timeoutMs)
      const timer = setTimeout(() => {
        this.fail(new Error(`lab: the guest did not answer within ${deadline} ms: ${String(command).slice(0, 200)}`))
      }, deadline)
      this.running = {id, mode, started: Date.now(), out: [], err: [], outCount: 0, errCount: 0, options, resolve, reject, timer}
      this.ctl.write(frame)
    })
  }

  private onMessage(message: AgentMessage): void {
    switch (message.type) {
      case 'ready':
        this.resolveReady({protocol: message.protocol, uptimeSeconds: message.uptimeSeconds})
        return
      case 'error':
        this.fail(new Error(`lab agent: ${message.message}`))
        return
      case 'result': {
        const running = this.running
        if (!running || running.id !== message.id) {
          this.fail(new Error(`lab: reply for request ${message.id} that is not running`))
          return
        }
        running.reply = message
        if (message.stdout) running.out.push(message.stdout)
        if (message.stderr) running.err.push(message.stderr)
        this.maybeFinish()
      }
    }
  }

  private onOutput(stream: 'out' | 'err', chunk: Buffer): void {
    const running = this.running
    if (!running || running.mode !== 's') return
    const callback = stream === 'out' ? running.options.onStdout : running.options.onStderr
    if (stream === 'out') running.outCount += chunk.length
    else running.errCount += chunk.length
    if (callback) callback(chunk)
    else (stream === 'out' ? running.out : running.err).push(chunk)
    this.maybeFinish()
  }

  private maybeFinish(): void {
    const running = this.running
    const reply = running?.reply
    if (!running || !reply) return
    if (running.mode === 's' && (running.outCount < reply.outLength || running.errCount < reply.errLength)) return
    clearTimeout(running.timer)
    this.running = undefined
    const stdoutBuffer = Buffer.concat(running.out)
    const stderrBuffer = Buffer.concat(running.err)
    running.resolve({
      code: reply.code,
      stdout: stdoutBuffer.toString(),
      stderr: stderrBuffer.toString(),
      stdoutBuffer,
      stderrBuffer,
      timedOut: reply.timedOut,
      ms: Date.now() - running.started,
    })
  }
}
