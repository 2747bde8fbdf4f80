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

type Reply = Extract<AgentMessage, {type: 'result'}>

/**
 * Decodes the agent's control stream, whatever the chunking. `carriesOutput(id)` says whether the
 * reply to request `id` is followed by its output (capture mode). Output is gathered chunk by chunk
 * and joined once, so large outputs cost one copy.
 */
export class AgentDecoder {
  /** The start of a line whose newline has not arrived yet. */
  private partialLine: Buffer = Buffer.alloc(0)
  private pending?: Reply
  private payload: Buffer[] = []
  private payloadBytes = 0

  constructor(private readonly carriesOutput: (id: number) => boolean) {}

  push(chunk: Buffer): AgentMessage[] {
    const messages: AgentMessage[] = []
    let rest = chunk
    while (rest.length > 0) {
      if (this.pending) {
        const take = rest.subarray(0, this.pending.outLength + this.pending.errLength - this.payloadBytes)
        this.payload.push(take)
        this.payloadBytes += take.length
        rest = rest.subarray(take.length)
        this.completePending(messages)
        continue
      }
      const newline = rest.indexOf(0x0a)
      if (newline < 0) {
        this.partialLine = Buffer.concat([this.partialLine, rest])
        break
      }
      const line = Buffer.concat([this.partialLine, rest.subarray(0, newline)]).toString('latin1')
      this.partialLine = Buffer.alloc(0)
      rest = rest.subarray(newline + 1)
      const message = parseLine(line)
      if (message.type === 'result' && this.carriesOutput(message.id)) {
        this.pending = message
        this.completePending(messages)
      } else {
        messages.push(message)
      }
    }
    return messages
  }

  private completePending(messages: AgentMessage[]): void {
    const reply = this.pending
    if (!reply || this.payloadBytes < reply.outLength + reply.errLength) return
    const payload = Buffer.concat(this.payload)
    messages.push({
      ...reply,
      stdout: payload.subarray(0, reply.outLength),
      stderr: payload.subarray(reply.outLength),
    })
    this.pending = undefined
    this.payload = []
    this.payloadBytes = 0
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
