// The framing between the host and the guest agent (lab/guest/rootfs/usr/lib/lab/agent).
// Requests and reply headers are single ASCII lines; command, stdin and output travel as raw bytes
// whose lengths the header gives, so every byte comes back exactly.
//
//   host -> guest  Q <id> <mode> <user> <timeout-s> <cmd-len> <stdin-len>\n <cmd><stdin>
//                  X\n                                  (power off)
//   guest -> host  READY <protocol> <uptime-s>\n
//                  R <id> <code> <out-len> <err-len> <flags>\n [<stdout><stderr> in capture mode]
//                  E <message>\n
// In stream mode (s) stdout and stderr flow on their own ports while the command runs; the reply
// only counts them.

export const PROTOCOL_VERSION = 1

export type Mode = 'c' | 's'

export interface Request {
  id: number
  mode: Mode
  /** Run as this user; root when absent. */
  user?: string
  timeoutSeconds: number
  command: string | Buffer
  stdin?: string | Buffer
}

const USER_NAME = /^[a-z_][a-z0-9_.-]*$/i

export function encodeRequest(request: Request): Buffer {
  if (request.user !== undefined && !USER_NAME.test(request.user)) {
    throw new Error(`lab: invalid user name ${JSON.stringify(request.user)}`)
  }
  if (!Number.isInteger(request.timeoutSeconds) || request.timeoutSeconds < 1) {
    throw new Error(`lab: invalid timeout ${request.timeoutSeconds}`)
  }
  const command = Buffer.from(request.command)
  const stdin = Buffer.from(request.stdin ?? '')
  const header = `Q ${request.id} ${request.mode} ${request.user ?? '-'} ${request.timeoutSeconds} ${command.length} ${stdin.length}\n`
  return Buffer.concat([Buffer.from(header, 'ascii'), command, stdin])
}

export function encodePoweroff(): Buffer {
  return Buffer.from('X\n', 'ascii')
}

export type AgentMessage =
  | {type: 'ready'; protocol: number; uptimeSeconds: number}
  | {type: 'result'; id: number; code: number; outLength: number; errLength: number; timedOut: boolean; stdout?: Buffer; stderr?: Buffer}
  | {type: 'error'; message: string}

type Pending = Extract<AgentMessage, {type: 'result'}>

/**
 * Decodes the agent's control stream, whatever the chunking. `carriesOutput(id)` says whether the
 * reply to request `id` is followed by its output (capture mode).
 */
export class AgentDecoder {
  private buffer: Buffer = Buffer.alloc(0)
  private pending?: Pending

  constructor(private readonly carriesOutput: (id: number) => boolean) {}

  push(chunk: Buffer): AgentMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const messages: AgentMessage[] = []
    for (;;) {
      if (this.pending) {
        const {outLength, errLength} = this.pending
        if (this.buffer.length < outLength + errLength) break
        messages.push({
          ...this.pending,
          stdout: Buffer.from(this.buffer.subarray(0, outLength)),
          stderr: Buffer.from(this.buffer.subarray(outLength, outLength + errLength)),
        })
        this.buffer = this.buffer.subarray(outLength + errLength)
        this.pending = undefined
        continue
      }
      const newline = this.buffer.indexOf(0x0a)
      if (newline < 0) break
      const line = this.buffer.subarray(0, newline).toString('latin1')
      this.buffer = this.buffer.subarray(newline + 1)
      const message = parseLine(line)
      if (message.type === 'result' && this.carriesOutput(message.id)) this.pending = message
      else messages.push(message)
    }
    return messages
  }
}

function parseLine(line: string): AgentMessage {
  const words = line.trim().split(/\s+/)
  if (words[0] === 'READY' && words.length >= 3) {
    return {type: 'ready', protocol: Number(words[1]), uptimeSeconds: Number(words[2])}
  }
  if (words[0] === 'R' && words.length === 6) {
    const [id, code, outLength, errLength] = words.slice(1, 5).map(Number)
    if ([id, code, outLength, errLength].every(Number.isInteger)) {
      return {type: 'result', id, code, outLength, errLength, timedOut: words[5] === 't'}
    }
  }
  if (words[0] === 'E') return {type: 'error', message: line.slice(2)}
  return {type: 'error', message: `unexpected line from the agent: ${JSON.stringify(line)}`}
}
