// Host-side unit tests of the lab agent's framing (lab/protocol.ts): no VM needed.
import {describe, expect, it} from 'vitest'
import {AgentDecoder, encodePoweroff, encodeRequest, type AgentMessage} from '../lab/protocol.js'
import {shellQuote} from '../lab/shell-quote.js'

/** Feeds `bytes` to a decoder in chunks of `size` and collects every message. */
function decodeInChunks(bytes: Buffer, size: number, capture: (id: number) => boolean = () => true): AgentMessage[] {
  const decoder = new AgentDecoder(capture)
  const messages: AgentMessage[] = []
  for (let at = 0; at < bytes.length; at += size) messages.push(...decoder.push(bytes.subarray(at, at + size)))
  return messages
}

describe('encodeRequest', () => {
  it('frames a header line followed by the raw command and stdin bytes', () => {
    const stdin = Buffer.from([0, 10, 255])
    const frame = encodeRequest({id: 7, mode: 'c', timeoutSeconds: 30, command: 'echo é', stdin})
    const header = 'Q 7 c - 30 7 3\n'
    expect(frame.subarray(0, header.length).toString()).toBe(header)
    expect(frame.subarray(header.length, header.length + 7).toString()).toBe('echo é')
    expect(frame.subarray(header.length + 7).equals(stdin)).toBe(true)
  })

  it('names the user, and refuses names that would break the header', () => {
    expect(encodeRequest({id: 1, mode: 's', user: 'alice', timeoutSeconds: 1, command: 'id'}).toString()).toBe('Q 1 s alice 1 2 0\nid')
    expect(() => encodeRequest({id: 1, mode: 'c', user: 'alice bob', timeoutSeconds: 1, command: 'id'})).toThrow(/invalid user/)
    expect(() => encodeRequest({id: 1, mode: 'c', user: 'a\nQ', timeoutSeconds: 1, command: 'id'})).toThrow(/invalid user/)
    expect(() => encodeRequest({id: 1, mode: 'c', timeoutSeconds: 0.5, command: 'id'})).toThrow(/invalid timeout/)
  })

  it('has a power-off request', () => {
    expect(encodePoweroff().toString()).toBe('X\n')
  })
})

describe('AgentDecoder', () => {
  const stdout = Buffer.from('line\n\0\xffR 9 0 0 0 -\n', 'latin1')
  const stderr = Buffer.from('warn\n')
  const stream = Buffer.concat([
    Buffer.from('READY 1 5.92\n'),
    Buffer.from(`R 1 3 ${stdout.length} ${stderr.length} -\n`),
    stdout,
    stderr,
    Buffer.from('R 2 124 0 0 t\n'),
  ])

  it.each([1, 2, 5, 1024])('decodes replies whatever the chunk size (%i bytes)', (size) => {
    const messages = decodeInChunks(stream, size)
    expect(messages).toEqual([
      {type: 'ready', protocol: 1, uptimeSeconds: 5.92},
      {type: 'result', id: 1, code: 3, outLength: stdout.length, errLength: stderr.length, timedOut: false, stdout, stderr},
      {type: 'result', id: 2, code: 124, outLength: 0, errLength: 0, timedOut: true, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0)},
    ])
  })

  it('reads no output after a stream-mode reply (the bytes came on their own ports)', () => {
    const messages = decodeInChunks(Buffer.from('R 4 0 12 3 -\nREADY 1 1\n'), 3, () => false)
    expect(messages).toEqual([
      {type: 'result', id: 4, code: 0, outLength: 12, errLength: 3, timedOut: false},
      {type: 'ready', protocol: 1, uptimeSeconds: 1},
    ])
  })

  it('holds a reply back until all its output has arrived', () => {
    const decoder = new AgentDecoder(() => true)
    expect(decoder.push(Buffer.from('R 1 0 4 0 -\nab'))).toEqual([])
    expect(decoder.push(Buffer.from('cd'))).toMatchObject([{type: 'result', id: 1, stdout: Buffer.from('abcd')}])
  })

  it('reports agent errors and lines it does not understand', () => {
    expect(decodeInChunks(Buffer.from('E bad request header 3\nhello\n'), 4)).toEqual([
      {type: 'error', message: 'bad request header 3'},
      {type: 'error', message: 'unexpected line from the agent: "hello"'},
    ])
  })
})

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('/mnt/ext4/shared/a-b_c.txt')).toBe('/mnt/ext4/shared/a-b_c.txt')
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`)
    expect(shellQuote('')).toBe("''")
  })
})
