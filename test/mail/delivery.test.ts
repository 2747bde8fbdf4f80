// Retries (4xx yes, 5xx no, only the pending recipients), the in-order pool, the cooldown
// decisions and the state file (atomic, corrupt files reported and kept).

import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {type CooldownState, decide, nextState, severities, stateProblem} from '../../src/mail/cooldown.js'
import {deliver, inOrderPool} from '../../src/mail/deliver.js'
import {OffenderCollector} from '../../src/mail/offenders.js'
import {loadState, saveState} from '../../src/mail/state-file.js'
import {type Attempt, type MailTransport, chooseTransport, isTemporary, sendmailExitStatus, smtpConnection} from '../../src/mail/transports.js'

/** A transport that answers from a script of attempts. */
function scripted(answers: Array<(to: string[]) => Attempt>): MailTransport & {calls: string[][]} {
  const calls: string[][] = []
  return {
    kind: 'smtp',
    target: 'test',
    addsEnvelopeHeaders: false,
    concurrency: 1,
    calls,
    async send(mail) {
      calls.push(mail.envelope.to)
      const next = answers[calls.length - 1]
      if (!next) throw new Error('unexpected attempt')
      return next(mail.envelope.to)
    },
    async close() {},
  }
}
const ok = (to: string[]): Attempt => ({accepted: to, rejected: [], response: '250 ok'})
const reject = (code: number, only?: string) => (to: string[]): Attempt => ({
  accepted: to.filter((a) => only !== undefined && a !== only),
  rejected: to.filter((a) => only === undefined || a === only).map((address) => ({address, temporary: code < 500, code, message: `${code} no`})),
  response: null,
})

const sleeps: number[] = []
const policy = {retries: 3, retryDelayMs: 100, sleep: async (ms: number) => void sleeps.push(ms)}
const env = {from: 'q@x', to: ['alice', 'root']}

describe('deliver', () => {
  it('sends once when accepted', async () => {
    const t = scripted([ok])
    expect(await deliver(t, env, ['alice'], Buffer.from('m'), policy)).toMatchObject({status: 'sent', attempts: 1})
  })

  it('retries a 4xx with a doubling delay, then succeeds', async () => {
    sleeps.length = 0
    const t = scripted([reject(451), reject(421), ok])
    const d = await deliver(t, env, ['alice'], Buffer.from('m'), policy)
    expect(d).toMatchObject({status: 'sent', attempts: 3})
    expect(sleeps).toEqual([100, 200])
  })

  it('gives up on a 5xx at once', async () => {
    const t = scripted([reject(550)])
    const d = await deliver(t, env, ['alice'], Buffer.from('m'), policy)
    expect(d.status).toBe('failed')
    expect(d.attempts).toBe(1)
    expect(d.recipients[0]).toEqual({address: 'alice', role: 'to', status: 'failed', code: 550, message: '550 no'})
  })

  it('leaves a persistent 4xx deferred after every retry', async () => {
    const t = scripted([reject(451), reject(451), reject(451), reject(451)])
    const d = await deliver(t, env, ['alice'], Buffer.from('m'), policy)
    expect(d).toMatchObject({status: 'deferred', attempts: 4})
  })

  it('retries only the recipients still pending', async () => {
    const t = scripted([reject(451, 'root'), ok])
    const d = await deliver(t, env, ['alice'], Buffer.from('m'), policy)
    expect(t.calls).toEqual([['alice', 'root'], ['root']])
    expect(d.recipients.map((r) => [r.address, r.role, r.status])).toEqual([
      ['alice', 'to', 'sent'],
      ['root', 'cc', 'sent'],
    ])
  })

  it('a refused Cc does not make the mail failed, but is reported', async () => {
    const t = scripted([reject(550, 'root')])
    const d = await deliver(t, env, ['alice'], Buffer.from('m'), policy)
    expect(d.status).toBe('sent')
    expect(d.recipients[1]).toMatchObject({status: 'failed', code: 550})
  })
})

describe('inOrderPool', () => {
  it('runs concurrently but reports in input order', async () => {
    const delays = [30, 5, 15, 1, 10]
    const order: number[] = []
    let inFlight = 0
    let peak = 0
    await inOrderPool(
      delays,
      3,
      async (ms, i) => {
        peak = Math.max(peak, ++inFlight)
        await new Promise((r) => setTimeout(r, ms))
        inFlight--
        return i
      },
      (i) => void order.push(i),
    )
    expect(order).toEqual([0, 1, 2, 3, 4])
    expect(peak).toBe(3)
  })
})

describe('transports: choosing and classifying', () => {
  it('SMTP wins, then --sendmail, then MAIL_CMD ".../sendmail -t", else the command', () => {
    const smtp = {url: 'smtp://h', tlsVerify: true, rateLimit: 0, maxConnections: 1}
    expect(chooseTransport({smtp, sendmail: '/x', mailCmd: 'cat'}).kind).toBe('smtp')
    expect(chooseTransport({smtp: null, sendmail: '/x', mailCmd: 'cat'})).toEqual({kind: 'sendmail', path: '/x'})
    expect(chooseTransport({smtp: null, sendmail: null, mailCmd: '/usr/lib/sendmail -t'})).toEqual({kind: 'sendmail', path: '/usr/lib/sendmail'})
    expect(chooseTransport({smtp: null, sendmail: null, mailCmd: ' /usr/sbin/sendmail  -t '})).toEqual({kind: 'sendmail', path: '/usr/sbin/sendmail'})
    expect(chooseTransport({smtp: null, sendmail: null, mailCmd: '/usr/sbin/sendmail -t -oi'})).toEqual({kind: 'command', command: '/usr/sbin/sendmail -t -oi'})
    expect(() => chooseTransport({smtp: null, sendmail: null, mailCmd: ''})).toThrow(/MAIL_CMD is empty/)
  })

  it('reads SMTP URLs', () => {
    const base = {tlsVerify: true, rateLimit: 0, maxConnections: 1}
    expect(smtpConnection({...base, url: 'smtp://mail.example.com'})).toEqual({host: 'mail.example.com', port: 25, secure: false})
    expect(smtpConnection({...base, url: 'smtps://u%40x:p%3As@[::1]'})).toEqual({host: '::1', port: 465, secure: true, auth: {user: 'u@x', pass: 'p:s'}})
    expect(smtpConnection({...base, host: 'h', port: 587})).toEqual({host: 'h', port: 587, secure: false})
    expect(() => smtpConnection({...base, url: 'http://x'})).toThrow(/scheme must be smtp/)
    expect(() => smtpConnection({...base, host: 'h', user: 'u'})).toThrow(/has no password/)
  })

  it('4xx and lost connections are temporary; 5xx and the rest permanent', () => {
    expect(isTemporary({name: 'E', message: '', responseCode: 451})).toBe(true)
    expect(isTemporary({name: 'E', message: '', responseCode: 550})).toBe(false)
    expect(isTemporary({name: 'E', message: '', code: 'ECONNECTION'})).toBe(true)
    expect(isTemporary({name: 'E', message: '', code: 'EENVELOPE'})).toBe(false)
    expect(isTemporary({name: 'E', message: '', responseCode: 503, permanent: false})).toBe(true)
    expect(sendmailExitStatus('Sendmail exited with code 75')).toBe(75)
    expect(sendmailExitStatus('spawn ENOENT')).toBeNull()
  })
})

const NOW = 1_800_000_000
function offenderWith(status: 'soft' | 'hard' | 'expired' | 'at', device = '/dev/vdb') {
  const c = new OffenderCollector(NOW)
  const used = {at: 1000, soft: 1500, expired: 1500, hard: 2500}[status]
  const btime = {at: 0, soft: NOW + 60, expired: NOW - 60, hard: NOW + 60}[status]
  c.add({
    type: 'user',
    id: 1000,
    name: 'alice',
    fs: {mountpoint: '/m', device, fstype: 'ext4'},
    record: {id: 1000, space: {usedBytes: used * 1024, softLimitBytes: 1000 * 1024, hardLimitBytes: 2000 * 1024, graceExpiresAt: btime}, inodes: {used: 0, softLimit: 0, hardLimit: 0, graceExpiresAt: 0}},
  })
  return c.result().offenders[0]
}

describe('cooldown', () => {
  it('severities: the worse side per device; exactly at soft counts as soft', () => {
    expect(severities(offenderWith('at'))).toEqual({'/dev/vdb': 'soft'})
    expect(severities(offenderWith('expired'))).toEqual({'/dev/vdb': 'expired'})
    expect(severities(offenderWith('hard'))).toEqual({'/dev/vdb': 'hard'})
  })

  const prev = {lastMailedAt: NOW - 3600, filesystems: {'/dev/vdb': 'soft' as const}}
  it('mails new offenders, worse ones, and due ones; not unchanged ones within the period', () => {
    expect(decide(undefined, {'/dev/vdb': 'soft'}, NOW, 86_400)).toEqual({mail: true, reason: 'new'})
    expect(decide(prev, {'/dev/vdb': 'soft'}, NOW, 86_400)).toEqual({mail: false, reason: 'cooldown', nextAt: NOW - 3600 + 86_400})
    expect(decide(prev, {'/dev/vdb': 'expired'}, NOW, 86_400)).toEqual({mail: true, reason: 'worse'})
    expect(decide(prev, {'/dev/vdb': 'soft', '/dev/vdc': 'soft'}, NOW, 86_400)).toEqual({mail: true, reason: 'worse'})
    expect(decide({...prev, filesystems: {'/dev/vdb': 'hard'}}, {'/dev/vdb': 'soft'}, NOW, 86_400).mail).toBe(false)
    expect(decide(prev, {'/dev/vdb': 'soft'}, NOW, 3600)).toEqual({mail: true, reason: 'due'})
  })

  it('nextState: fresh entries for the mailed, old ones kept, non-offenders of scanned types dropped', () => {
    const state: CooldownState = {
      schemaVersion: 1,
      offenders: {'user:1': prev, 'user:2': prev, 'user:3': prev, 'group:9': prev},
    }
    const current = new Map([
      ['user:1', {'/dev/vdb': 'soft' as const}],
      ['user:2', {'/dev/vdb': 'hard' as const}],
    ])
    const next = nextState(state, ['user'], current, new Set(['user:2']), NOW)
    expect(next.offenders).toEqual({
      'user:1': prev,
      'user:2': {lastMailedAt: NOW, filesystems: {'/dev/vdb': 'hard'}},
      'group:9': prev,
    })
  })

  it('stateProblem checks the shape', () => {
    expect(stateProblem({schemaVersion: 1, offenders: {}})).toBeNull()
    expect(stateProblem([])).toBe('not a JSON object')
    expect(stateProblem({schemaVersion: 2, offenders: {}})).toContain('schemaVersion')
    expect(stateProblem({schemaVersion: 1, offenders: {alice: {}}})).toContain('bad key')
    expect(stateProblem({schemaVersion: 1, offenders: {'user:1': {lastMailedAt: 1, filesystems: {x: 'bad'}}}})).toContain('bad severity')
  })
})

describe('state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quotakit-state-'))

  it('missing, then saved atomically (no temporary file left), then read back', () => {
    const file = join(dir, 'sub', 'state.json')
    expect(loadState(file).status).toBe('missing')
    const state: CooldownState = {schemaVersion: 1, offenders: {'user:1': {lastMailedAt: 5, filesystems: {'/dev/vdb': 'soft'}}}}
    expect(saveState(file, state)).toBeNull()
    expect(readdirSync(join(dir, 'sub'))).toEqual(['state.json'])
    expect(loadState(file)).toEqual({status: 'ok', state})
  })

  it('a corrupt file is reported, not trusted, and kept as .corrupt when replaced', () => {
    const file = join(dir, 'bad.json')
    writeFileSync(file, '{"schemaVersion": 1, "offenders": {"user:1": ')
    const loaded = loadState(file)
    expect(loaded.status).toBe('corrupt')
    expect(loaded.state.offenders).toEqual({})
    expect(saveState(file, loaded.state, true)).toBe(`${file}.corrupt`)
    expect(readFileSync(`${file}.corrupt`, 'utf8')).toContain('"user:1": ')
    expect(loadState(file).status).toBe('ok')
    expect(existsSync(file)).toBe(true)
  })
})
