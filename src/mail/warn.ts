// `quotakit warnquota`, the run: read the configuration, find the offenders (kernel or saved
// report), decide each mail (recipients, Cc, cooldown), render it, send it or print it, and keep
// the books (per-recipient results, the cooldown state, the exit status). The command
// (commands/warnquota.ts) only turns flags into WarnOptions.
//
// Output is streamed, one mail at a time, in offender order: with --json the JSON document is
// written as results are decided (JsonResultWriter), with --dry-run the mails are printed as they
// are rendered, so 100 000 offenders never sit in memory as mails.
//
// Exit status (also summary.exitStatus): 1 when any recipient failed for good, or a group has no
// administrator, or a named mount could not be read; else 75 when temporary failures are left
// after the retries; else 65 when the cooldown state file was corrupt (reported, not trusted);
// else 0. Configuration errors stop the run before any mail with 78.

import {existsSync, readFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'

import {getBackend} from '../backend.js'
import {selectFilesystems} from '../core/targets.js'
import type {QuotaType} from '../core/types.js'
import type {HumanUnits} from '../core/units.js'
import {QuotaError} from '../errors.js'
import {Resolver} from '../names.js'
import {domainName, nodeName} from '../sys/uname.js'
import {parseAddressList, qualify, qualifyList} from './address.js'
import {DEFAULT_CONF_PATH, type WarnquotaConf, localeCharset, parseWarnquotaConf} from './conf.js'
import {type CooldownState, type Severity, decide, emptyState, nextState, severities} from './cooldown.js'
import {deliver, inOrderPool} from './deliver.js'
import {type TextEncoding, readTextFile} from './files.js'
import {type MessageSettings, messageText, renderMail, rfc5322Date} from './message.js'
import {type Collected, type Offender, OffenderCollector, mailDevFrom, offenderKey, shouldCc} from './offenders.js'
import {DEFAULT_ADMINS_PATH, DEFAULT_QUOTATAB_PATH, parseGroupAdmins, parseQuotatab} from './quotatab.js'
import {observationsFromReport} from './report-input.js'
import {
  type CooldownJson,
  JsonResultWriter,
  type MailResult,
  type Summary,
  type WarnquotaResult,
  count,
  emptySummary,
  offenceJson,
} from './result.js'
import {DEFAULT_SETTINGS_PATH, type WarnquotaSettings, parseSettings} from './settings.js'
import {DEFAULT_STATE_PATH, type LoadedState, loadState, saveState} from './state-file.js'
import {type MailTransport, type SmtpOptions, type TransportChoice, chooseTransport, createTransport, smtpTarget} from './transports.js'

export type DryRun = 'text' | 'raw'

export interface WarnOptions {
  types: QuotaType[]
  /** MOUNT arguments; empty = every filesystem with that quota type on */
  mounts: string[]
  config?: string
  quotatab?: string
  admins?: string
  settings?: string
  ignoreConfigErrors: boolean
  details: boolean
  units: HumanUnits
  verbose: boolean
  dryRun: DryRun | null
  json: boolean
  fromReport?: string
  smtp?: string
  sendmail?: string
  mailDomain?: string
  rateLimit?: number
  maxConnections?: number
  retries?: number
  retryDelayMs?: number
  cooldownSeconds?: number
  state?: string
  env: NodeJS.ProcessEnv
}

export interface WarnIO {
  /** stdout, waiting for it to drain */
  out(text: string | Buffer): Promise<void>
  /** one `warning: …` line on stderr */
  warn(message: string): void
  /** one failure line on stderr */
  fail(message: string): void
  /** a `hint: …` line on stderr */
  hint(message: string): void
  /** informational line with -v (stderr under --json, else stdout) */
  info(message: string): Promise<void>
  nowMs(): number
  readStdin(): Promise<Buffer>
}

const DEFAULTS = {rateLimit: 100, maxConnections: 5, retries: 3, retryDelayMs: 2000}

interface Prepared {
  conf: WarnquotaConf
  encoding: TextEncoding
  settings: WarnquotaSettings
  quotatab: Map<string, string>
  admins: Map<string, string> | null
  choice: TransportChoice
  mailDomain: string | null
}

/** Everything from files, before any quota is read: every configuration error is found here. */
export function prepare(opts: WarnOptions, io: Pick<WarnIO, 'warn' | 'info'>): Prepared {
  // quotakit's own settings
  const settingsPath = opts.settings ?? DEFAULT_SETTINGS_PATH
  const settingsFile = readTextFile(settingsPath)
  if (!settingsFile && opts.settings) throw new QuotaError('config', `${settingsPath}: no such file`)
  const settings = settingsFile ? parseSettings(settingsFile.text, settingsPath) : {}

  // /etc/warnquota.conf
  const confPath = opts.config ?? DEFAULT_CONF_PATH
  const confFile = readTextFile(confPath)
  if (!confFile && opts.config) throw new QuotaError('config', `${confPath}: no such file`)
  const byteLength = (s: string) => Buffer.byteLength(s, confFile?.encoding ?? 'utf8')
  const parsed = confFile
    ? parseWarnquotaConf(confFile.text, {ignoreErrors: opts.ignoreConfigErrors, defaultCharset: localeCharset(opts.env), file: confPath, byteLength})
    : parseWarnquotaConf('', {defaultCharset: localeCharset(opts.env), file: confPath})
  for (const w of parsed.warnings) io.warn(w)
  const conf = parsed.conf
  if (conf.ldapMail) {
    throw new QuotaError('config', `${confPath}: line ${conf.lines.LDAP_MAIL}: LDAP_MAIL = true: quotakit cannot look addresses up over LDAP`, {
      hint: 'there is no maintained LDAP client it could use; set LDAP_MAIL = false and give --mail-domain DOMAIN (or mail_domain in the [warnquota] settings), or keep linuxquota\'s warnquota for LDAP lookups',
    })
  }

  // /etc/quotatab: device descriptions
  const quotatabPath = opts.quotatab ?? DEFAULT_QUOTATAB_PATH
  const quotatabFile = readTextFile(quotatabPath)
  let quotatab = new Map<string, string>()
  if (quotatabFile) {
    const q = parseQuotatab(quotatabFile.text)
    for (const w of q.warnings) io.warn(`${quotatabPath}: ${w}`)
    // linuxquota stat()s each device; a report from another host names that host's devices
    if (opts.fromReport === undefined) {
      for (const device of q.value.keys()) if (!existsSync(device)) io.warn(`${quotatabPath}: cannot find device ${device} (maybe a typo in quotatab)`)
    }
    quotatab = q.value
  } else if (opts.quotatab) io.warn(`cannot open ${quotatabPath}: no such file; device names are used`)

  // /etc/quotagrpadmins, for group mails
  let admins: Map<string, string> | null = null
  if (opts.types.includes('group')) {
    const adminsPath = opts.admins ?? DEFAULT_ADMINS_PATH
    const adminsFile = readTextFile(adminsPath)
    if (!adminsFile) throw new QuotaError('config', `cannot open the group administrators file ${adminsPath}: no such file`, {hint: 'create it (`group: user` per line) or give -a FILE'})
    const a = parseGroupAdmins(adminsFile.text)
    for (const w of a.warnings) io.warn(`${adminsPath}: ${w}`)
    admins = a.value
  }

  const smtp = smtpOptions(opts, settings)
  const choice = chooseTransport({smtp, sendmail: opts.sendmail ?? settings.sendmail ?? null, mailCmd: conf.mailCmd})
  return {conf, encoding: confFile?.encoding ?? 'utf8', settings, quotatab, admins, choice, mailDomain: opts.mailDomain ?? settings.mailDomain ?? null}
}

function smtpOptions(opts: WarnOptions, s: WarnquotaSettings): SmtpOptions | null {
  const url = opts.smtp ?? s.smtp
  if (!url && !s.smtpHost) return null
  let password = s.smtpPassword
  if (s.smtpPasswordFile) {
    const file = readTextFile(s.smtpPasswordFile)
    if (!file) throw new QuotaError('config', `smtp_password_file ${s.smtpPasswordFile}: no such file`)
    password = file.text.replace(/\r?\n$/, '')
  }
  return {
    url,
    host: s.smtpHost,
    port: s.smtpPort,
    secure: s.smtpSecure,
    user: s.smtpUser,
    password,
    tlsVerify: s.smtpTlsVerify ?? true,
    rateLimit: opts.rateLimit ?? s.rateLimit ?? DEFAULTS.rateLimit,
    maxConnections: Math.max(1, opts.maxConnections ?? s.maxConnections ?? DEFAULTS.maxConnections),
  }
}

/** The parsed report; its bytes and text are garbage as soon as this returns (100 000 ids: ~40 MB). */
async function readReport(file: string, io: WarnIO): Promise<unknown> {
  let bytes: Buffer
  try {
    bytes = file === '-' ? await io.readStdin() : readFileSync(file)
  } catch (e) {
    throw new QuotaError('data', `cannot read the report ${file}: ${(e as Error).message}`, {cause: e})
  }
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch (e) {
    throw new QuotaError('data', `${file}: not JSON (${(e as Error).message})`)
  }
}

/** The offenders, from the kernel or from a saved report. */
async function collect(opts: WarnOptions, conf: WarnquotaConf, nowEpoch: number, io: WarnIO, failures: QuotaError[]): Promise<Collected> {
  const collector = new OffenderCollector(nowEpoch, mailDevFrom(conf.mailDev))
  if (opts.fromReport !== undefined) {
    const file = opts.fromReport
    const data = await readReport(file, io)
    for (const obs of observationsFromReport(data, {types: opts.types, mounts: opts.mounts}, file)) collector.add(obs)
    return collector.result()
  }
  const backend = await getBackend()
  const all = backend.filesystems()
  let looked = 0
  for (const type of opts.types) {
    const targets = selectFilesystems(all, {all: opts.mounts.length === 0, mounts: opts.mounts}, type)
    failures.push(...targets.errors)
    for (const fs of targets.filesystems) {
      try {
        const ref = {mountpoint: fs.mountpoint, device: fs.device, fstype: fs.fstype}
        for (const record of backend.iterate(fs, type)) collector.add({type, id: record.id, name: null, fs: ref, record})
        looked++
      } catch (error) {
        if (!(error instanceof QuotaError)) throw error
        failures.push(error)
      }
    }
  }
  if (looked === 0 && failures.length > 0) throw failures[0]
  const collected = collector.result()
  const resolver = new Resolver()
  for (const o of collected.offenders) o.name = resolver.nameOf(o.type, o.id)
  return collected
}

/** The items of a list, each let go once taken: 100 000 offenders are not all kept to the end. */
function* draining<T>(items: T[]): Generator<T> {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    ;(items as Array<T | undefined>)[i] = undefined
    yield item
  }
}

const MBOX_FROM = /^(>*From )/gm

/** One message in mboxrd form: a `From ` separator line, `>`-quoted `From ` lines, a blank line. */
function mboxEntry(raw: string, envelopeFrom: string, nowMs: number): string {
  const date = new Date(nowMs).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1 $3 $2 $5 $4')
  const body = raw.replace(MBOX_FROM, '>$1')
  return `From ${envelopeFrom || 'MAILER-DAEMON'} ${date}\n${body}${body.endsWith('\n') ? '' : '\n'}\n`
}

interface Handled {
  result: MailResult
  /** the message as printed by --dry-run (text or mbox) */
  printed?: string
  /** cooldown bookkeeping */
  key: string
  severities: Record<string, Severity>
}

export async function runWarnquota(opts: WarnOptions, io: WarnIO): Promise<WarnquotaResult> {
  const nowMs = io.nowMs()
  const nowEpoch = Math.floor(nowMs / 1000)
  const p = prepare(opts, io)
  const {conf, settings, choice} = p

  if (opts.dryRun === null && opts.json === false && opts.verbose) {
    for (const key of Object.keys(conf.ldapKeys)) await io.info(`note: ${key} is set but LDAP_MAIL is false: not used`)
  }

  // cooldown state
  const cooldownSeconds = opts.cooldownSeconds ?? settings.cooldownSeconds ?? 0
  const statePath = opts.state ?? settings.state ?? DEFAULT_STATE_PATH
  let loaded: LoadedState | null = null
  if (cooldownSeconds > 0) {
    loaded = loadState(statePath)
    if (loaded.status === 'corrupt') {
      io.warn(`the state file ${statePath} is corrupt (${loaded.problem}): not trusted, every offender is mailed; it is kept as ${statePath}.corrupt when the new state is saved`)
    }
  }
  const prevState: CooldownState = loaded?.state ?? emptyState()

  const failures: QuotaError[] = []
  const collected = await collect(opts, conf, nowEpoch, io, failures)
  if (conf.mailDev !== null && mailDevFrom(conf.mailDev).kind === 'device' && !collected.mailDevSeen) {
    io.warn(`MAILDEV ${conf.mailDev} is not one of the filesystems checked: not applied`)
  }

  const host = nodeName()
  const message: MessageSettings = {conf, host, domain: domainName(), quotatab: p.quotatab, units: opts.units, details: opts.details, nowEpoch}
  const retryPolicy = {
    retries: opts.retries ?? settings.retries ?? DEFAULTS.retries,
    retryDelayMs: opts.retryDelayMs ?? settings.retryDelayMs ?? DEFAULTS.retryDelayMs,
  }
  const envelopeFrom = qualify(parseAddressList(conf.from)[0]?.address ?? '', p.mailDomain)
  const addsEnvelopeHeaders = choice.kind === 'smtp'

  const transport: MailTransport | null = opts.dryRun === null ? await createTransport(choice, {jsonMode: opts.json}) : null
  const transportInfo = transport
    ? {kind: transport.kind, target: transport.target}
    : {kind: choice.kind, target: choice.kind === 'smtp' ? smtpTarget(choice.smtp) : choice.kind === 'sendmail' ? choice.path : choice.command}
  const cooldownJson: CooldownJson | null = loaded
    ? {seconds: cooldownSeconds, stateFile: statePath, stateStatus: loaded.status, problem: loaded.status === 'corrupt' ? loaded.problem : null, corruptCopy: null}
    : null
  const header = {schemaVersion: 1 as const, dryRun: opts.dryRun !== null, transport: transportInfo}
  const writer = opts.json ? new JsonResultWriter((text) => io.out(text)) : null
  await writer?.begin(header)

  const summary: Summary = emptySummary()
  summary.undeliverable = collected.undeliverable
  const mailed = new Set<string>()
  const current = new Map<string, Record<string, Severity>>()

  const handle = async (offender: Offender): Promise<Handled> => {
    const key = offenderKey(offender.type, offender.id)
    const sev = severities(offender)
    current.set(key, sev)
    const base: MailResult = {
      type: offender.type,
      id: offender.id,
      name: offender.name,
      status: 'skipped',
      reason: null,
      to: [],
      cc: [],
      attempts: 0,
      recipients: [],
      filesystems: offender.offences.map(offenceJson),
    }
    const idWord = offender.type === 'user' ? 'uid' : offender.type === 'group' ? 'gid' : 'project id'
    if (offender.name === null) return {key, severities: sev, result: {...base, status: 'skipped', reason: `no name for ${idWord} ${offender.id}`}}
    let toAddress: string
    if (offender.type === 'user') toAddress = qualify(offender.name, p.mailDomain)
    else {
      const admin = p.admins?.get(offender.name)
      if (admin === undefined) {
        return {key, severities: sev, result: {...base, status: 'failed', reason: `no administrator for group ${offender.name} in ${opts.admins ?? DEFAULT_ADMINS_PATH}`}}
      }
      toAddress = qualify(admin, p.mailDomain)
    }
    const ccHeader = shouldCc(offender, conf.ccTo, conf.ccBeforeSeconds, nowEpoch) ? qualifyList(conf.ccTo, p.mailDomain) : null
    const ccAddresses = ccHeader === null ? [] : parseAddressList(ccHeader).map((a) => a.address)
    const toAddresses = parseAddressList(toAddress).map((a) => a.address)
    const envelopeTo = [...new Set([...toAddresses, ...ccAddresses])]
    const addressed = {...base, to: toAddresses, cc: ccAddresses}
    if (cooldownSeconds > 0) {
      const decision = decide(prevState.offenders[key], sev, nowEpoch, cooldownSeconds)
      if (!decision.mail) {
        return {key, severities: sev, result: {...addressed, status: 'suppressed', reason: `mailed at ${new Date(prevState.offenders[key].lastMailedAt * 1000).toISOString()}; cooldown until ${new Date(decision.nextAt * 1000).toISOString()}`}}
      }
    }
    const mail = renderMail(offender, {to: toAddress, cc: ccHeader}, message)
    const extra: Array<[string, string]> = addsEnvelopeHeaders
      ? [['Date', rfc5322Date(nowMs)], ['Message-ID', `<quotakit.${nowEpoch}.${randomBytes(6).toString('hex')}@${host}>`]]
      : []
    const text = messageText(mail, extra)
    if (opts.dryRun !== null) {
      const printed = opts.json ? undefined : opts.dryRun === 'raw' ? mboxEntry(text, envelopeFrom, nowMs) : `${text}${text.endsWith('\n') ? '' : '\n'}\n`
      const mailJson = opts.json ? {headers: [...mail.headers, ...extra].map(([name, value]) => ({name, value})), text: mail.body} : undefined
      return {key, severities: sev, printed, result: {...addressed, status: 'dry-run', ...(mailJson ? {mail: mailJson} : {})}}
    }
    const delivery = await deliver(transport as MailTransport, {from: envelopeFrom, to: envelopeTo}, toAddresses, Buffer.from(text, p.encoding), retryPolicy)
    const failed = delivery.recipients.find((r) => r.role === 'to' && r.status !== 'sent')
    return {
      key,
      severities: sev,
      result: {
        ...addressed,
        status: delivery.status,
        reason: delivery.status === 'sent' ? null : (failed?.message ?? null),
        attempts: delivery.attempts,
        recipients: delivery.recipients,
      },
    }
  }

  let permanentProblem = failures.length > 0
  let temporaryProblem = false
  let bareNameRefused = false
  const done = async ({result, printed, key}: Handled) => {
    count(summary, result.status)
    if (result.status === 'sent') mailed.add(key)
    for (const r of result.recipients) {
      if (r.status === 'failed') permanentProblem = true
      if (r.status === 'deferred') temporaryProblem = true
      if (r.status !== 'sent' && choice.kind === 'smtp' && !r.address.includes('@')) bareNameRefused = true
    }
    if (result.status === 'failed') permanentProblem = true
    const who = `${result.type} ${result.name ?? `#${result.id}`}`
    for (const r of result.recipients.filter((x) => x.status !== 'sent')) {
      const how = r.status === 'failed' ? 'failed' : `deferred after ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`
      io.fail(`${who}: ${r.address}: ${how}: ${r.message ?? 'no reason given'}`)
    }
    if (result.recipients.length === 0 && result.status === 'failed') io.fail(`${who}: ${result.reason}`)
    if (result.status === 'skipped') io.warn(`${who}: ${result.reason}; not mailed`)
    if (writer) await writer.result(result)
    else if (printed !== undefined) await io.out(printed)
    if (opts.verbose && !writer && opts.dryRun === null) {
      const cc = result.cc.length > 0 ? ` (cc ${result.cc.join(', ')})` : ''
      const fss = `${result.filesystems.length} filesystem${result.filesystems.length === 1 ? '' : 's'}`
      if (result.status === 'sent') await io.info(`${who}: sent to ${result.to.join(', ')}${cc}: ${fss}`)
      else if (result.status === 'suppressed') await io.info(`${who}: not mailed: ${result.reason}`)
    }
  }

  try {
    await inOrderPool(draining(collected.offenders), transport?.concurrency ?? 1, handle, done)
  } finally {
    await transport?.close()
  }

  // the cooldown memory: only after a real run
  if (loaded && opts.dryRun === null) {
    const moved = saveState(statePath, nextState(prevState, opts.types, current, mailed, nowEpoch), loaded.status === 'corrupt')
    if (cooldownJson) cooldownJson.corruptCopy = moved
  }

  for (const f of failures) io.fail(f.line)
  if (bareNameRefused) io.hint('SMTP servers usually want NAME@DOMAIN, not a bare login name: give --mail-domain DOMAIN (or mail_domain in the [warnquota] settings)')
  summary.exitStatus = permanentProblem ? 1 : temporaryProblem ? 75 : loaded?.status === 'corrupt' ? 65 : 0
  if (writer) await writer.end(summary, cooldownJson)
  else if (opts.verbose && opts.dryRun === null) {
    await io.info(
      `${summary.offenders} offender${summary.offenders === 1 ? '' : 's'}: ${summary.sent} sent, ${summary.failed} failed, ${summary.deferred} deferred, ` +
        `${summary.suppressed} suppressed, ${summary.skipped} skipped` + (transport ? ` (${transport.kind} ${transport.target})` : ''),
    )
  }
  return {...header, results: [], summary, cooldown: cooldownJson}
}
