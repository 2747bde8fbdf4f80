// warnquota through the real CLI (bin/run.js, built) against the fake kernel, delivering to a real
// SMTP server (smtp-server on 127.0.0.1, an ephemeral port) whose mails are parsed with mailparser;
// sendmail and MAIL_CMD against recording scripts. The real-kernel proof is test/lab/warnquota.test.ts.
//
// Ids 1..10 are used because they have names on any Debian host (daemon, bin, sys, sync, games,
// man, lp, mail, news, uucp); id 4242 has none.

import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type ParsedMail, simpleParser} from 'mailparser'
import {SMTPServer, type SMTPServerOptions} from 'smtp-server'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import type {FakeState} from '../../src/testing/fake-backend.js'
import {BIN, ROOT, fakeState, requireBuild} from '../cli/helpers.js'
import {schemaErrors} from '../cli/schema.js'

const KiB = 1024
const now = Math.floor(Date.now() / 1000)
const grace = {blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800}
const NAMES = ['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp']

const rec = (id: number, [used, soft, hard, btime]: number[], [inodes, isoft, ihard, itime]: number[] = [1, 0, 0, 0]) => ({
  id,
  space: {usedBytes: used * KiB, softLimitBytes: soft * KiB, hardLimitBytes: hard * KiB, graceExpiresAt: btime},
  inodes: {used: inodes, softLimit: isoft, hardLimit: ihard, graceExpiresAt: itime},
})

function state(users: Record<number, ReturnType<typeof rec>>, srv: Record<number, ReturnType<typeof rec>> = {}, groups: Record<number, ReturnType<typeof rec>> = {}): FakeState {
  const vfs = {accounting: true, enforcement: true, format: 'vfsv0' as const, systemFile: false, grace}
  return {
    filesystems: [
      {mountpoint: '/home', device: '/dev/vdb', fstype: 'ext4', devMajor: 253, devMinor: 16, options: ['rw'], quotas: {user: vfs, group: vfs}},
      {
        mountpoint: '/srv',
        device: '/dev/mapper/vg0-srv',
        fstype: 'xfs',
        devMajor: 253,
        devMinor: 32,
        options: ['rw'],
        quotas: {user: {accounting: true, enforcement: true, format: 'xfs', systemFile: true, grace}},
      },
      {mountpoint: '/', device: '/dev/vda1', fstype: 'ext4', devMajor: 253, devMinor: 1, options: ['rw'], quotas: {}},
    ],
    records: {'/home|user': users, '/srv|user': srv, '/home|group': groups},
  }
}

const DEFAULT_STATE = () =>
  state(
    {
      0: rec(0, [13, 0, 0, 0]),
      1: rec(1, [3001, 2000, 4000, now + 3600], [17, 10, 20, now + 3600]), // daemon: both sides, grace 1h
      2: rec(2, [2000, 2000, 4000, 0]), // bin: exactly at the soft limit
      3: rec(3, [1999, 2000, 4000, 0]), // sys: under
      4: rec(4, [500, 0, 400, 0]), // sync: over a hard limit only: never mailed
    },
    {1: rec(1, [10, 0, 0, 0], [6, 5, 0, now + 5 * 86_400])}, // daemon on /srv too, inodes
  )

// ---- processes ----

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

const dir = mkdtempSync(join(tmpdir(), 'quotakit-warnquota-'))
let n = 0
const file = (name: string, content: string, mode = 0o644) => {
  const path = join(dir, `${n++}-${name}`)
  writeFileSync(path, content)
  chmodSync(path, mode)
  return path
}
const conf = (text: string) => file('warnquota.conf', text)
const EMPTY_TAB = file('quotatab', '')
const NO_SETTINGS = file('settings.conf', '')

/** The CLI as a child process, asynchronously (the SMTP server lives in this process). */
function warnquota(args: string[], s: FakeState | null = DEFAULT_STATE(), env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const e: NodeJS.ProcessEnv = {...process.env, LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...env}
    for (const key of ['NO_COLOR', 'FORCE_COLOR', 'DEBUG', 'QUOTAKIT_FAKE_STATE', 'QUOTAKIT_CONTENT_TYPE', 'NODE_ENV']) delete e[key]
    if (s) e.QUOTAKIT_FAKE_STATE = fakeState(s)
    const defaults = ['-q', EMPTY_TAB, ...(args.includes('--settings') ? [] : ['--settings', NO_SETTINGS])]
    const child = spawn(process.execPath, [BIN, 'warnquota', ...defaults, ...args], {cwd: ROOT, env: e})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (status) => resolve({status, stdout, stderr}))
    child.stdin.end(stdin ?? '')
  })
}

// ---- the SMTP server ----

interface Received {
  from: string
  rcpt: string[]
  raw: string
  mail: ParsedMail
  at: number
}

let server: SMTPServer
let port = 0
let received: Received[] = []
/** per-test RCPT TO policy: return an SMTP code to refuse, or undefined to accept */
let rcptPolicy: (address: string, attempt: number) => number | undefined = () => undefined
const rcptAttempts = new Map<string, number>()

beforeAll(async () => {
  requireBuild()
  const options: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const attempt = (rcptAttempts.get(address.address) ?? 0) + 1
      rcptAttempts.set(address.address, attempt)
      const code = rcptPolicy(address.address, attempt)
      if (code === undefined) return callback()
      callback(Object.assign(new Error(`refused ${address.address} (attempt ${attempt})`), {responseCode: code}))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          raw,
          mail: await simpleParser(raw),
          at: Date.now(),
        })
        callback()
      })
    },
  }
  server = new SMTPServer(options)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.server.address() as AddressInfo).port
})

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()))
})

afterEach(() => {
  received = []
  rcptPolicy = () => undefined
  rcptAttempts.clear()
})

// smtp-server (like most SMTP servers) wants NAME@DOMAIN, so SMTP tests give a mail domain
const smtp = () => ['--smtp', `smtp://127.0.0.1:${port}`, '--mail-domain', 'example.com']
const at = (name: string) => `${name}@example.com`
const byTo = (to: string) => received.find((r) => r.rcpt.includes(to)) as Received
const rowsOf = (text: string) => text.split('\n').filter((l) => /^(\/dev\/\S+)?\s+[-+]{2} /.test(l) || /^ {15}[-+]{2} /.test(l))

// ---- tests ----

describe('over SMTP', () => {
  it('mails each offender at or over a soft limit once, listing every filesystem; silent, exit 0', async () => {
    const r = await warnquota([...smtp(), '-c', conf('FROM = quota@example.com\nSUPPORT = help@example.com\nSUBJECT = Over quota\nCC_TO = root\n')])
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
    expect(received.map((m) => m.rcpt).sort()).toEqual([
      [at('bin'), at('root')],
      [at('daemon'), at('root')],
    ])
    const m = byTo(at('daemon'))
    expect(m.from).toBe('quota@example.com')
    const h = m.mail.headers
    expect(h.get('from')).toMatchObject({text: 'quota@example.com'})
    expect(h.get('reply-to')).toMatchObject({text: 'help@example.com'})
    expect(h.get('subject')).toBe('Over quota')
    expect(h.get('to')).toMatchObject({text: at('daemon')})
    expect(h.get('cc')).toMatchObject({text: at('root')})
    expect(h.get('auto-submitted')).toBe('auto-generated')
    expect(h.get('date')).toBeInstanceOf(Date)
    expect(h.get('message-id')).toMatch(/^<quotakit\.\d+\.[0-9a-f]{12}@.+>$/)
    expect(h.has('mime-version')).toBe(false) // no CHARSET, C locale
    // the raw header block, in linuxquota's order
    expect(m.raw.split('\r\n\r\n')[0].split('\r\n').map((l) => l.split(':')[0])).toEqual(['From', 'Reply-To', 'Subject', 'To', 'Cc', 'Auto-Submitted', 'Date', 'Message-ID'])
    expect(rowsOf(m.mail.text ?? '')).toEqual([
      '/dev/vdb       ++    3001    2000    4000  01:00      17    10    20  01:00',
      '               -+      10       0       0              6     5     0  5days',
    ])
    expect(m.mail.text).toContain('\n/dev/mapper/vg0-srv\n')
    expect(m.mail.text).toContain('We noticed that you are in violation with the quotasystem')
    expect(rowsOf(byTo(at('bin')).mail.text ?? '')).toEqual(['/dev/vdb       +-    2000    2000    4000              1     0     0       '])
  })

  it('--mail-domain addresses users and bare CC_TO names in that domain; CHARSET adds MIME headers', async () => {
    const r = await warnquota([...smtp(), '-c', conf('CC_TO = root, Quota Team <quota@corp.example>\nCHARSET = UTF-8\n'), '/home'])
    expect(r.status).toBe(0)
    const m = byTo('daemon@example.com')
    expect(m.rcpt).toEqual(['daemon@example.com', 'root@example.com', 'quota@corp.example'])
    expect(m.raw).toContain('\r\nCc: root@example.com, Quota Team <quota@corp.example>\r\n')
    expect(m.mail.headers.get('content-type')).toMatchObject({value: 'text/plain', params: {charset: 'UTF-8'}})
    expect(m.mail.headers.get('content-transfer-encoding')).toBe('8bit')
  })

  it('CC_BEFORE: Cc only when a grace period ends within it; empty CC_TO: never', async () => {
    const s = state({1: rec(1, [3001, 2000, 0, now + 3600]), 2: rec(2, [3001, 2000, 0, now + 5 * 86_400])})
    await warnquota([...smtp(), '-c', conf('CC_TO = root\nCC_BEFORE = 2 days\n')], s)
    expect(byTo(at('daemon')).rcpt).toEqual([at('daemon'), at('root')])
    expect(byTo(at('bin')).rcpt).toEqual([at('bin')])
    expect(byTo(at('bin')).mail.headers.has('cc')).toBe(false)
    received = []
    await warnquota([...smtp(), '-c', conf('CC_TO =\n')], s)
    expect(received.every((m) => m.rcpt.length === 1 && !m.mail.headers.has('cc'))).toBe(true)
  })

  it('retries a 4xx with backoff and then delivers (exit 0)', async () => {
    rcptPolicy = (address, attempt) => (address === at('daemon') && attempt < 3 ? 451 : undefined)
    const r = await warnquota([...smtp(), '--json', '--retry-delay', '50ms', '-c', conf('CC_TO =\n')])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(schemaErrors('warnquota', out)).toEqual([])
    const daemon = out.results.find((x: {name: string}) => x.name === 'daemon')
    expect(daemon).toMatchObject({status: 'sent', attempts: 3, recipients: [{address: at('daemon'), role: 'to', status: 'sent', code: null, message: null}]})
    expect(rcptAttempts.get(at('daemon'))).toBe(3)
    expect(received.filter((m) => m.rcpt.includes(at('daemon')))).toHaveLength(1)
  })

  it('gives up on a 5xx at once: the others are still mailed, exit 1, one stderr line', async () => {
    rcptPolicy = (address) => (address === at('daemon') ? 550 : undefined)
    const r = await warnquota([...smtp(), '-c', conf('CC_TO =\n')])
    expect(r.status).toBe(1)
    expect(rcptAttempts.get(at('daemon'))).toBe(1)
    expect(received.map((m) => m.rcpt)).toEqual([[at('bin')]])
    expect(r.stderr).toBe('quotakit warnquota: user daemon: daemon@example.com: failed: 550 refused daemon@example.com (attempt 1)\n')
  })

  it('leaves a persistent 4xx deferred after the retries: exit 75', async () => {
    rcptPolicy = (address) => (address === at('bin') ? 452 : undefined)
    const r = await warnquota([...smtp(), '--retries', '2', '--retry-delay', '10ms', '--json', '-c', conf('CC_TO =\n')])
    expect(r.status).toBe(75)
    const out = JSON.parse(r.stdout)
    expect(out.summary).toMatchObject({offenders: 2, sent: 1, deferred: 1, exitStatus: 75})
    expect(rcptAttempts.get(at('bin'))).toBe(3)
    expect(r.stderr).toContain('user bin: bin@example.com: deferred after 3 attempts: 452 refused bin@example.com')
  })

  it('a refused Cc is reported (exit 1) while the user still gets the mail', async () => {
    rcptPolicy = (address) => (address === at('root') ? 550 : undefined)
    const r = await warnquota([...smtp(), '--json', '-c', conf('CC_TO = root\n')])
    expect(r.status).toBe(1)
    expect(received.map((m) => m.rcpt).sort()).toEqual([[at('bin')], [at('daemon')]])
    const out = JSON.parse(r.stdout)
    expect(out.results.map((x: {status: string}) => x.status)).toEqual(['sent', 'sent'])
    expect(out.results[0].recipients[1]).toMatchObject({address: at('root'), role: 'cc', status: 'failed', code: 550})
  })

  it('bare login names refused by the server: exit 1 and a hint to give --mail-domain', async () => {
    const r = await warnquota(['--smtp', `smtp://127.0.0.1:${port}`, '-c', conf('CC_TO =\n'), '/home'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('user daemon: daemon: failed: 501')
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('hint: SMTP servers usually want NAME@DOMAIN, not a bare login name: give --mail-domain DOMAIN (or mail_domain in the [warnquota] settings)')
  })

  it('an unreachable server is a temporary failure: exit 75', async () => {
    const r = await warnquota(['--smtp', 'smtp://127.0.0.1:1', '--retries', '1', '--retry-delay', '10ms', '-c', conf('')])
    expect(r.status).toBe(75)
    expect(r.stderr).toContain('deferred after 2 attempts: connect ECONNREFUSED')
  })

  it('keeps to the rate limit across the pool', async () => {
    const users = Object.fromEntries(Array.from({length: 10}, (_, i) => [i + 1, rec(i + 1, [3001, 2000, 0, now + 3600])]))
    const started = Date.now()
    const r = await warnquota([...smtp(), '--rate-limit', '5', '--max-connections', '2', '-c', conf('CC_TO =\n')], state(users))
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(received).toHaveLength(10)
    const times = received.map((m) => m.at).sort((a, b) => a - b)
    // 5 per second: at most 5 arrive in the first half second, the rest one window later
    expect(times.filter((t) => t < times[0] + 500)).toHaveLength(5)
    expect(times[5] - times[0]).toBeGreaterThanOrEqual(700)
    expect(times[9] - times[0]).toBeLessThan(3000)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
  })
})

describe('sendmail and MAIL_CMD', () => {
  /** A sendmail that records its arguments and input, and exits with $FAKE_EXIT. */
  function fakeSendmail(): {path: string; log: string} {
    const log = join(dir, `${n++}-sendmail-log`)
    const bin = join(dir, `${n++}-bin`)
    mkdirSync(bin)
    const path = join(bin, 'sendmail')
    writeFileSync(path, `#!/bin/sh\nmkdir -p ${log}\nprintf '%s\\n' "$@" > ${log}/$$.args\ncat > ${log}/$$.msg\nexit \${FAKE_EXIT:-0}\n`)
    chmodSync(path, 0o755)
    return {path, log}
  }
  const calls = (log: string) =>
    existsSync(log)
      ? readdirSync(log)
          .filter((f) => f.endsWith('.args'))
          .sort()
          .map((f) => ({args: readFileSync(join(log, f), 'utf8').trim().split('\n'), msg: readFileSync(join(log, f.replace('.args', '.msg')), 'utf8')}))
      : []

  it('MAIL_CMD ".../sendmail -t" goes through nodemailer\'s sendmail transport: -i -f FROM RCPT..., linuxquota\'s message', async () => {
    const {path, log} = fakeSendmail()
    const r = await warnquota(['-c', conf(`MAIL_CMD = "${path} -t"\nFROM = quota@example.com\nCC_TO = root\n`), '/home'])
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
    const c = calls(log)
    expect(c.map((x) => x.args).sort()).toEqual([
      ['-i', '-f', 'quota@example.com', 'bin', 'root'],
      ['-i', '-f', 'quota@example.com', 'daemon', 'root'],
    ])
    const daemon = c.find((x) => x.args.includes('daemon')) as {msg: string}
    expect(daemon.msg.split('\n').slice(0, 7)).toEqual([
      'From: quota@example.com',
      'Reply-To: support@localhost',
      'Subject: Disk Quota usage on system',
      'To: daemon',
      'Cc: root',
      'Auto-Submitted: auto-generated',
      '',
    ])
    expect(daemon.msg).not.toContain('\r')
    expect(rowsOf(daemon.msg)).toEqual(['/dev/vdb       ++    3001    2000    4000  01:00      17    10    20  01:00'])
  })

  it('--sendmail PATH: exit 75 from sendmail is temporary (exit 75), other codes permanent (exit 1)', async () => {
    const {path} = fakeSendmail()
    const temp = await warnquota(['--sendmail', path, '--retries', '1', '--retry-delay', '10ms', '-c', conf('')], DEFAULT_STATE(), {FAKE_EXIT: '75'})
    expect(temp.status).toBe(75)
    expect(temp.stderr).toContain('deferred after 2 attempts: Sendmail exited with code 75')
    const perm = await warnquota(['--sendmail', path, '-c', conf('')], DEFAULT_STATE(), {FAKE_EXIT: '69'})
    expect(perm.status).toBe(1)
    expect(perm.stderr).toContain('failed: Sendmail exited with code 69')
    const missing = await warnquota(['--sendmail', join(dir, 'no-such-sendmail'), '-c', conf('')])
    expect(missing.status).toBe(1)
  })

  it('any other MAIL_CMD runs under /bin/sh -c with the message on stdin, one at a time', async () => {
    const out = join(dir, `${n++}-mbox`)
    const r = await warnquota(['-c', conf(`MAIL_CMD = "cat >> ${out}; echo ---- >> ${out}"\n`)])
    expect([r.status, r.stdout]).toEqual([0, ''])
    const mails = readFileSync(out, 'utf8').split('----\n').filter(Boolean)
    expect(mails).toHaveLength(2)
    expect(mails[0].startsWith('From: support@localhost\nReply-To: support@localhost\nSubject: Disk Quota usage on system\nTo: daemon\nCc: root\nAuto-Submitted: auto-generated\n\nHi,\n')).toBe(true)
  })

  it('MAIL_CMD=cat prints the mails on stdout as linuxquota does; under --json they go to stderr', async () => {
    const r = await warnquota(['-c', conf('MAIL_CMD = cat\n')])
    expect(r.status).toBe(0)
    expect(r.stdout.match(/^To: .*$/gm)).toEqual(['To: daemon', 'To: bin'])
    const j = await warnquota(['--json', '-c', conf('MAIL_CMD = cat\n')])
    expect(JSON.parse(j.stdout).summary.sent).toBe(2)
    expect(j.stderr).toContain('To: daemon')
  })

  it('a failing MAIL_CMD is a permanent failure (exit 1); exit 75 a temporary one', async () => {
    expect((await warnquota(['-c', conf('MAIL_CMD = "cat >/dev/null; exit 3"\n')])).status).toBe(1)
    expect((await warnquota(['--retries', '0', '-c', conf('MAIL_CMD = "cat >/dev/null; exit 75"\n')])).status).toBe(75)
  })
})

describe('--dry-run', () => {
  it('prints the mails as text and sends nothing', async () => {
    const r = await warnquota([...smtp(), '--dry-run', '-c', conf('CC_TO =\n')])
    expect(r.status).toBe(0)
    expect(received).toHaveLength(0)
    expect(r.stdout.match(/^To: .*$/gm)).toEqual([`To: ${at('daemon')}`, `To: ${at('bin')}`])
  })

  it('--json: the mails as data, valid against schemas/warnquota.schema.json', async () => {
    const r = await warnquota(['--dry-run', '--json', '-c', conf('')])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(schemaErrors('warnquota', out)).toEqual([])
    expect(out).toMatchObject({schemaVersion: 1, dryRun: true, transport: {kind: 'sendmail', target: '/usr/lib/sendmail'}, cooldown: null})
    expect(out.summary).toMatchObject({offenders: 2, dryRun: 2, sent: 0, exitStatus: 0})
    const daemon = out.results[0]
    expect(daemon).toMatchObject({type: 'user', id: 1, name: 'daemon', status: 'dry-run', to: ['daemon'], cc: ['root']})
    expect(daemon.filesystems.map((f: {mountpoint: string}) => f.mountpoint)).toEqual(['/home', '/srv'])
    expect(daemon.filesystems[0].space).toEqual({
      usedBytes: 3001 * KiB,
      softLimitBytes: 2000 * KiB,
      hardLimitBytes: 4000 * KiB,
      graceExpiresAt: new Date((now + 3600) * 1000).toISOString(),
      graceExpiresAtEpoch: now + 3600,
      status: 'soft',
    })
    expect(daemon.mail.headers.at(-1)).toEqual({name: 'Auto-Submitted', value: 'auto-generated'})
    expect(daemon.mail.text).toContain('Filesystem           used    soft    hard  grace')
  })

  it('never shows SMTP credentials from the URL', async () => {
    const r = await warnquota(['--smtp', 'smtp://quota:s3cret@127.0.0.1:2525', '--dry-run', '--json', '-c', conf('')])
    expect(JSON.parse(r.stdout).transport).toEqual({kind: 'smtp', target: 'smtp://127.0.0.1:2525'})
    expect(r.stdout).not.toContain('s3cret')
  })

  it('=raw: an mbox of the exact bytes, Date and Message-ID included for SMTP', async () => {
    const r = await warnquota([...smtp(), '--dry-run=raw', '-c', conf('MESSAGE = From the admin:|\n')])
    expect(r.status).toBe(0)
    const entries = r.stdout.split(/^From support@localhost /m).filter(Boolean)
    expect(entries).toHaveLength(2)
    expect(r.stdout).toMatch(/^Message-ID: <quotakit\./m)
    expect(r.stdout).toContain('\n>From the admin:\n') // mboxrd quoting
  })
})

describe('cooldown', () => {
  it('mails an unchanged offender once per period, again at once when things get worse', async () => {
    const stateFile = join(dir, `${n++}-state`, 'warnquota.json')
    const args = [...smtp(), '--cooldown', '24h', '--state', stateFile, '-c', conf('CC_TO =\n')]
    expect((await warnquota(args)).status).toBe(0)
    expect(received).toHaveLength(2)
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'))
    expect(Object.keys(saved.offenders).sort()).toEqual(['user:1', 'user:2'])

    received = []
    const again = await warnquota([...args, '--json'])
    expect(received).toHaveLength(0)
    const out = JSON.parse(again.stdout)
    expect(schemaErrors('warnquota', out)).toEqual([])
    expect(out.results.map((r: {status: string}) => r.status)).toEqual(['suppressed', 'suppressed'])
    expect(out.cooldown).toMatchObject({seconds: 86_400, stateFile, stateStatus: 'ok', problem: null, corruptCopy: null})

    // bin goes over its hard limit: worse, mailed at once; daemon unchanged
    const worse = DEFAULT_STATE()
    worse.records['/home|user'][2] = rec(2, [4500, 2000, 4000, now + 3600])
    received = []
    expect((await warnquota(args, worse)).status).toBe(0)
    expect(received.map((m) => m.rcpt)).toEqual([[at('bin')]])
  })

  it('a corrupt state file is reported and not trusted: everyone is mailed, exit 65, the file kept', async () => {
    const stateFile = file('state.json', '{"schemaVersion": 1, "offenders": {"user:1": {"lastMailedAt": "yesterday"')
    const r = await warnquota([...smtp(), '--cooldown', '1d', '--state', stateFile, '--json', '-c', conf('CC_TO =\n')])
    expect(r.status).toBe(65)
    expect(received).toHaveLength(2)
    expect(r.stderr).toMatch(/warning: the state file .* is corrupt \(not JSON/)
    const out = JSON.parse(r.stdout)
    expect(out.cooldown).toMatchObject({stateStatus: 'corrupt', corruptCopy: `${stateFile}.corrupt`})
    expect(out.summary.exitStatus).toBe(65)
    expect(readFileSync(`${stateFile}.corrupt`, 'utf8')).toContain('yesterday')
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).schemaVersion).toBe(1)
  })
})

describe('--from-report', () => {
  it('mails from a saved repquota --json, with no kernel involved', async () => {
    const report = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'repquota', '-a', '--json'], {env: {...process.env, QUOTAKIT_FAKE_STATE: fakeState(DEFAULT_STATE())}})
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.on('close', () => resolve(out))
    })
    const saved = file('report.json', report)
    const r = await warnquota([...smtp(), '--from-report', saved, '-c', conf('CC_TO =\n')], null)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(received.map((m) => m.rcpt).sort()).toEqual([[at('bin')], [at('daemon')]])
    expect(rowsOf(byTo(at('daemon')).mail.text ?? '')).toHaveLength(2)

    // from stdin, only /srv
    received = []
    const fromStdin = await warnquota([...smtp(), '--from-report', '-', '-c', conf('CC_TO =\n'), '/srv'], null, {}, report)
    expect(fromStdin.status).toBe(0)
    expect(received.map((m) => m.rcpt)).toEqual([[at('daemon')]])
  })

  it('refuses a file that is not a repquota report: exit 65', async () => {
    const r = await warnquota(['--from-report', file('bad.json', '{"reports": 3}'), '-c', conf('')], null)
    expect(r.status).toBe(65)
    expect(r.stderr).toContain('not a repquota --json report')
  })
})

describe('groups (-g) and names', () => {
  const withGroups = () => {
    const s = DEFAULT_STATE()
    s.records['/home|group'] = {8: rec(8, [3001, 2000, 0, now + 3600]), 9: rec(9, [3001, 2000, 0, now + 3600])}
    return s
  }

  it('mails each group\'s administrator; a group without one is reported, exit 1', async () => {
    const admins = file('admins', '# admins\nmail: postmaster\n')
    const r = await warnquota([...smtp(), '-g', '-a', admins, '-c', conf('CC_TO =\n')], withGroups())
    expect(r.status).toBe(1)
    expect(received.map((m) => m.rcpt)).toEqual([[at('postmaster')]])
    expect(received[0].mail.text).toContain('the group mail you are member of')
    expect(r.stderr).toContain(`group news: no administrator for group news in ${admins}`)
  })

  it('-ug mails users and groups; a missing admins file is a configuration error (78)', async () => {
    const admins = file('admins', 'mail: postmaster\nnews: postmaster\n')
    const r = await warnquota([...smtp(), '-ug', '-a', admins, '-c', conf('CC_TO =\n')], withGroups())
    expect(r.status).toBe(0)
    expect(received).toHaveLength(4)
    expect((await warnquota(['-g', '-a', join(dir, 'none'), '-c', conf('')])).status).toBe(78)
  })

  it('an id without a name is skipped with a warning, as linuxquota does', async () => {
    const s = DEFAULT_STATE()
    s.records['/home|user'][4242] = rec(4242, [3001, 2000, 0, now + 3600])
    const r = await warnquota([...smtp(), '-c', conf('CC_TO =\n')], s)
    expect(r.status).toBe(0)
    expect(received).toHaveLength(2)
    expect(r.stderr).toBe('quotakit warnquota: warning: user #4242: no name for uid 4242; not mailed\n')
  })
})

describe('configuration errors stop the run before any mail (exit 78)', () => {
  it('an unknown key; -I warns and goes on', async () => {
    const bad = conf('FOO = bar\nCC_TO =\n')
    const r = await warnquota([...smtp(), '-c', bad])
    expect(r.status).toBe(78)
    expect(r.stderr.split('\n')[0]).toBe(`quotakit warnquota: ${bad}: line 1: unknown variable FOO`)
    expect(received).toHaveLength(0)
    const ignored = await warnquota([...smtp(), '-I', '-c', bad])
    expect(ignored.status).toBe(0)
    expect(ignored.stderr).toBe(`quotakit warnquota: warning: ${bad}: line 1: unknown variable FOO (ignored: -I)\n`)
    expect(received).toHaveLength(2)
  })

  it('LDAP_MAIL = true is refused with a clear message; LDAP keys with LDAP_MAIL = false are fine', async () => {
    const r = await warnquota([...smtp(), '-c', conf('LDAP_MAIL = true\nLDAP_URI = ldap://ldap.example.com\n')])
    expect(r.status).toBe(78)
    expect(r.stderr).toContain('line 1: LDAP_MAIL = true: quotakit cannot look addresses up over LDAP')
    expect(r.stderr).toContain('hint: there is no maintained LDAP client')
    const off = await warnquota([...smtp(), '-c', conf('LDAP_MAIL = false\nLDAP_URI = ldap://ldap.example.com\nCC_TO =\n')])
    expect(off.status).toBe(0)
  })

  it('a missing -c file, a bad settings file, a bad token; --json reports the error as JSON', async () => {
    expect((await warnquota(['-c', join(dir, 'nope.conf')])).status).toBe(78)
    const settings = file('settings', '[warnquota]\nsmpt = x\n')
    expect((await warnquota(['--settings', settings, '-c', conf('')])).status).toBe(78)
    const j = await warnquota(['--json', '-c', conf('MESSAGE = %x\n')])
    expect(j.status).toBe(78)
    expect(JSON.parse(j.stdout).error).toMatchObject({kind: 'config', exitCode: 78})
  })

  it('settings file: SMTP and mail domain from [warnquota]', async () => {
    const settings = file('settings', `[warnquota]\nsmtp = smtp://127.0.0.1:${port}\nmail_domain = example.org\nrate_limit = 0\n`)
    const r = await warnquota(['--settings', settings, '-c', conf('CC_TO =\n')])
    expect(r.status).toBe(0)
    expect(received.map((m) => m.rcpt).sort()).toEqual([['bin@example.org'], ['daemon@example.org']])
  })
})

describe('startup', () => {
  /** The modules a run asks for, through a resolve hook, and the CommonJS ones it holds at exit. */
  async function modulesLoaded(args: string[]): Promise<string[]> {
    const hooks = file('hooks.mjs', 'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`[module] ${r.url}\\n`); return r }\n')
    const register = file(
      'register.mjs',
      [
        `import {Module, register} from 'node:module'`,
        `register(${JSON.stringify(`file://${hooks}`)})`,
        'process.on(\'exit\', () => { for (const f of Object.keys(Module._cache)) process.stderr.write(`[module] ${f}\\n`) })',
        '',
      ].join('\n'),
    )
    const r = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', register, BIN, 'warnquota', '-q', EMPTY_TAB, '--settings', NO_SETTINGS, ...args], {
        env: {...process.env, NODE_ENV: '', QUOTAKIT_FAKE_STATE: fakeState(DEFAULT_STATE())},
      })
      let err = ''
      child.stderr.on('data', (d) => (err += d))
      child.on('close', () => resolve(err))
    })
    return r.split('\n').filter((l) => l.startsWith('[module] '))
  }

  it('nodemailer is loaded only when a mail is really sent', async () => {
    const dry = await modulesLoaded(['--dry-run', '--json', '-c', conf('')])
    expect(dry.some((m) => m.includes('dist/quotakit.cjs'))).toBe(true)
    expect(dry.some((m) => m.includes('nodemailer'))).toBe(false)
    const sent = await modulesLoaded([...smtp(), '-c', conf('CC_TO =\n')])
    expect(sent.some((m) => m.includes('nodemailer'))).toBe(true)
  })
})

describe('output', () => {
  it('-v says who was mailed, and a summary', async () => {
    const r = await warnquota([...smtp(), '-v', '-c', conf('CC_TO = root\n')])
    expect(r.status).toBe(0)
    expect(r.stdout.split('\n')).toEqual([
      'user daemon: sent to daemon@example.com (cc root@example.com): 2 filesystems',
      'user bin: sent to bin@example.com (cc root@example.com): 1 filesystem',
      `2 offenders: 2 sent, 0 failed, 0 deferred, 0 suppressed, 0 skipped (smtp smtp://127.0.0.1:${port})`,
      '',
    ])
  })

  it('nobody over a limit: no mail, nothing printed, exit 0; --json still a full document', async () => {
    const s = state({3: rec(3, [1999, 2000, 4000, 0])})
    const r = await warnquota([...smtp(), '-c', conf('')], s)
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', ''])
    const j = await warnquota([...smtp(), '--json', '-c', conf('')], s)
    const out = JSON.parse(j.stdout)
    expect(out.results).toEqual([])
    expect(schemaErrors('warnquota', out)).toEqual([])
  })

  it('the streamed JSON is exactly JSON.stringify(model, null, 2)', async () => {
    const r = await warnquota(['--dry-run', '--json', '-c', conf('')])
    expect(r.stdout).toBe(`${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`)
  })
})
