// How a rendered mail leaves the machine. Three transports, one interface:
//
//   smtp      nodemailer's pooled SMTP transport: one pool for the run, `maxConnections`
//             connections, `rateLimit` mails per second shared by all of them
//   sendmail  nodemailer's sendmail transport (`sendmail -i -f FROM RCPT...`): used when MAIL_CMD is
//             linuxquota's `/usr/lib/sendmail -t` (any `…/sendmail -t`), or with --sendmail PATH
//   command   any other MAIL_CMD, run as linuxquota runs it: `/bin/sh -c MAIL_CMD` with the whole
//             message on stdin
//
// nodemailer is imported only here, and only when a mail is really sent (not for --dry-run, not at
// startup). Every transport sends the same bytes: the message quotakit composed (message.ts); the
// SMTP one adds Date and Message-ID first, which a local sendmail adds by itself.
//
// Each send reports per recipient: accepted, or rejected temporarily (SMTP 4xx, a connection that
// failed, sendmail/MAIL_CMD exit 75 EX_TEMPFAIL) or permanently (SMTP 5xx, any other exit status).

import {spawn} from 'node:child_process'

import {QuotaError} from '../errors.js'

export interface Envelope {
  from: string
  to: string[]
}

export interface Outgoing {
  envelope: Envelope
  /** the whole message, LF line ends */
  raw: Buffer
}

export interface Rejection {
  address: string
  temporary: boolean
  /** SMTP reply code or the mailer's exit status; null when there is none (a socket error) */
  code: number | null
  message: string
}

export interface Attempt {
  accepted: string[]
  rejected: Rejection[]
  /** the server's last reply, e.g. `250 OK: queued as …` */
  response: string | null
}

export type TransportKind = 'smtp' | 'sendmail' | 'command'

export interface MailTransport {
  readonly kind: TransportKind
  /** a short description for -v and --json: `smtp://mail.example.com:25`, `/usr/sbin/sendmail` */
  readonly target: string
  /** true when the message should carry Date and Message-ID (no local MTA adds them) */
  readonly addsEnvelopeHeaders: boolean
  /** how many mails may be in flight at once */
  readonly concurrency: number
  send(mail: Outgoing): Promise<Attempt>
  close(): Promise<void>
}

// ---- choosing ----

export interface SmtpOptions {
  /** smtp://user:pass@host:port or smtps://…; or host/port/secure below */
  url?: string
  host?: string
  port?: number
  secure?: boolean
  user?: string
  password?: string
  tlsVerify: boolean
  /** mails per second over the whole pool; 0 = no limit */
  rateLimit: number
  maxConnections: number
}

export type TransportChoice =
  | {kind: 'smtp'; smtp: SmtpOptions}
  | {kind: 'sendmail'; path: string}
  | {kind: 'command'; command: string}

/** MAIL_CMD values that mean "hand it to the local sendmail, recipients from the headers". */
const SENDMAIL_T = /^\s*(\/\S*\/sendmail)\s+-t\s*$/

export function chooseTransport(input: {smtp: SmtpOptions | null; sendmail: string | null; mailCmd: string}): TransportChoice {
  if (input.smtp) return {kind: 'smtp', smtp: input.smtp}
  if (input.sendmail) return {kind: 'sendmail', path: input.sendmail}
  const m = SENDMAIL_T.exec(input.mailCmd)
  if (m) return {kind: 'sendmail', path: m[1]}
  if (input.mailCmd.trim() === '') throw new QuotaError('config', 'MAIL_CMD is empty', {hint: 'set MAIL_CMD, or give --smtp URL or --sendmail PATH'})
  return {kind: 'command', command: input.mailCmd}
}

/** nodemailer's connection options from a URL or host/port. */
export function smtpConnection(o: SmtpOptions): {host: string; port: number; secure: boolean; auth?: {user: string; pass: string}} {
  let host = o.host
  let port = o.port
  let secure = o.secure
  let user = o.user
  let pass = o.password
  if (o.url) {
    let url: URL
    try {
      url = new URL(o.url)
    } catch {
      throw new QuotaError('config', `not an SMTP URL: '${o.url}'`, {hint: 'e.g. smtp://mail.example.com:25 or smtps://user:password@mail.example.com'})
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new QuotaError('config', `not an SMTP URL: '${o.url}' (the scheme must be smtp or smtps)`)
    }
    host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    secure = url.protocol === 'smtps:'
    port = url.port ? Number(url.port) : secure ? 465 : 25
    if (url.username) user = decodeURIComponent(url.username)
    if (url.password) pass = decodeURIComponent(url.password)
  }
  if (!host) throw new QuotaError('config', 'no SMTP server given', {hint: 'give --smtp URL, or smtp / smtp_host in the [warnquota] settings'})
  secure ??= port === 465
  port ??= secure ? 465 : 25
  if (user !== undefined && pass === undefined) throw new QuotaError('config', `SMTP user '${user}' has no password`, {hint: 'set smtp_password_file (or smtp_password) in the [warnquota] settings'})
  return {host, port, secure, ...(user === undefined ? {} : {auth: {user, pass: pass as string}})}
}

/** `smtp://host:port` for messages and --json: never the credentials a URL may carry. */
export function smtpTarget(o: SmtpOptions): string {
  const conn = smtpConnection(o)
  return `${conn.secure ? 'smtps' : 'smtp'}://${conn.host.includes(':') ? `[${conn.host}]` : conn.host}:${conn.port}`
}

export async function createTransport(choice: TransportChoice, options: {jsonMode: boolean}): Promise<MailTransport> {
  switch (choice.kind) {
    case 'smtp':
      return createSmtpTransport(choice.smtp)
    case 'sendmail':
      return createSendmailTransport(choice.path)
    case 'command':
      return new CommandTransport(choice.command, options.jsonMode)
  }
}

// ---- classifying errors ----

interface MailerError extends Error {
  code?: string
  responseCode?: number
  response?: string
  permanent?: boolean
  rejected?: string[]
  rejectedErrors?: MailerError[]
  recipient?: string
}

/** 4xx (and nodemailer's "not permanent"), a lost connection: worth another try. 5xx: not. */
export function isTemporary(err: MailerError): boolean {
  if (typeof err.permanent === 'boolean') return !err.permanent
  if (typeof err.responseCode === 'number') return err.responseCode >= 400 && err.responseCode < 500
  // no SMTP reply at all: the server could not be reached or the connection broke
  return ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(err.code ?? '')
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim()

function rejectionsFromError(err: MailerError, addresses: string[]): Rejection[] {
  if (err.rejectedErrors && err.rejectedErrors.length > 0) {
    const byAddress = new Map(err.rejectedErrors.map((e) => [e.recipient ?? '', e]))
    return addresses.map((address) => {
      const e = byAddress.get(address) ?? err
      return {address, temporary: isTemporary(e), code: e.responseCode ?? null, message: oneLine(e.response ?? e.message)}
    })
  }
  return addresses.map((address) => ({
    address,
    temporary: isTemporary(err),
    code: err.responseCode ?? null,
    message: oneLine(err.response ?? err.message),
  }))
}

// ---- smtp ----

/** The parts of nodemailer's SentMessageInfo read here. */
interface SentInfo {
  accepted?: Array<string | {address: string}>
  rejected?: Array<string | {address: string}>
  rejectedErrors?: MailerError[]
  response?: string
}

async function createSmtpTransport(o: SmtpOptions): Promise<MailTransport> {
  const conn = smtpConnection(o)
  const {default: nodemailer} = await import('nodemailer')
  const transporter = nodemailer.createTransport({
    pool: true,
    ...conn,
    maxConnections: o.maxConnections,
    maxMessages: Infinity,
    ...(o.rateLimit > 0 ? {rateLimit: o.rateLimit, rateDelta: 1000} : {}),
    tls: {rejectUnauthorized: o.tlsVerify},
  })
  return {
    kind: 'smtp',
    target: smtpTarget(o),
    addsEnvelopeHeaders: true,
    // keep the pool busy (and its rate limiter fed) without holding every message at once
    concurrency: Math.max(4, o.maxConnections * 4),
    async send(mail) {
      try {
        const info: SentInfo = await transporter.sendMail({envelope: {...mail.envelope}, raw: mail.raw})
        const address = (a: string | {address: string}) => (typeof a === 'string' ? a : a.address)
        const rejectedErrors = info.rejectedErrors ?? []
        const rejected = rejectionsFromError(Object.assign(new Error('rejected'), {rejectedErrors}) as MailerError, (info.rejected ?? []).map(address))
        const accepted = (info.accepted ?? []).map(address)
        return {accepted, rejected, response: info.response ? oneLine(String(info.response)) : null}
      } catch (e) {
        return {accepted: [], rejected: rejectionsFromError(e as MailerError, mail.envelope.to), response: null}
      }
    },
    async close() {
      transporter.close()
    },
  }
}

// ---- sendmail ----

/** sendmail's exit status from nodemailer's message; 75 (EX_TEMPFAIL) means "queue it and retry". */
export function sendmailExitStatus(message: string): number | null {
  const m = /exited with code (\d+)/.exec(message)
  return m ? Number(m[1]) : null
}

const EX_TEMPFAIL = 75

async function createSendmailTransport(path: string): Promise<MailTransport> {
  const {default: nodemailer} = await import('nodemailer')
  const transporter = nodemailer.createTransport({sendmail: true, path, newline: 'unix'})
  return {
    kind: 'sendmail',
    target: path,
    addsEnvelopeHeaders: false,
    concurrency: 4,
    async send(mail) {
      try {
        const info: SentInfo = await transporter.sendMail({envelope: {...mail.envelope}, raw: mail.raw})
        return {accepted: mail.envelope.to, rejected: [], response: info.response ? String(info.response) : null}
      } catch (e) {
        const err = e as MailerError
        const status = sendmailExitStatus(err.message)
        const message = err.code === 'ENOENT' ? `${path}: not found` : oneLine(err.message)
        return {
          accepted: [],
          rejected: mail.envelope.to.map((address) => ({address, temporary: status === EX_TEMPFAIL, code: status, message})),
          response: null,
        }
      }
    },
    async close() {
      transporter.close()
    },
  }
}

// ---- MAIL_CMD ----

/**
 * `/bin/sh -c MAIL_CMD`, the message on stdin, one at a time (as linuxquota does; a MAIL_CMD such
 * as `cat` would otherwise interleave). Its stderr is ours; its stdout is ours too, except under
 * --json, where it goes to stderr so stdout stays one JSON document.
 */
class CommandTransport implements MailTransport {
  readonly kind = 'command'
  readonly addsEnvelopeHeaders = false
  readonly concurrency = 1

  constructor(
    private readonly command: string,
    private readonly jsonMode: boolean,
  ) {}

  get target(): string {
    return this.command
  }

  send(mail: Outgoing): Promise<Attempt> {
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', this.command], {stdio: ['pipe', this.jsonMode ? 2 : 'inherit', 'inherit']})
      const fail = (temporary: boolean, code: number | null, message: string) =>
        resolve({accepted: [], rejected: mail.envelope.to.map((address) => ({address, temporary, code, message})), response: null})
      child.on('error', (err) => fail(false, null, `cannot run /bin/sh: ${err.message}`))
      // A mailer that does not read its input gets EPIPE, as linuxquota ignores SIGPIPE: its exit
      // status decides.
      const stdin = child.stdin as NonNullable<typeof child.stdin>
      stdin.on('error', () => {})
      child.on('close', (code, signal) => {
        if (code === 0) resolve({accepted: mail.envelope.to, rejected: [], response: null})
        else if (signal) fail(false, null, `MAIL_CMD was killed by ${signal}`)
        else fail(code === EX_TEMPFAIL, code, `MAIL_CMD exited with status ${code}`)
      })
      stdin.end(mail.raw)
    })
  }

  async close(): Promise<void> {}
}
