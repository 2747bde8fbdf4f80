// The mail warnquota sends, laid out exactly as linuxquota 4.06 writes it to MAIL_CMD
// (mail_user() in warnquota.c), plus `Auto-Submitted: auto-generated` so vacation responders
// stay quiet. Pure: an offender and the settings in, header lines and body text out.
//
//   From: FROM
//   Reply-To: SUPPORT
//   Subject: SUBJECT
//   To: <login name, or name@domain>
//   Cc: CC_TO                                   (CC_TO non-empty, and CC_BEFORE's test)
//   MIME-Version: 1.0                           (these four only when CHARSET is non-empty)
//   Content-Type: text/plain; charset=CHARSET
//   Content-Disposition: inline
//   Content-Transfer-Encoding: 8bit
//   Auto-Submitted: auto-generated              (quotakit)
//
//   MESSAGE (or the built-in text)
//   per filesystem, unless -d:
//     \n<description> (<device>)\n   or   \n<device>\n
//     \n                        Block limits               File limits\n
//     Filesystem           used    soft    hard  grace    used  soft  hard  grace\n
//     <device padded to 15, or on its own line then 15 blanks><flags> %7s %7s %7s %6s %7s %5s %5s %6s\n\n
//   SIGNATURE (or the built-in text with SUPPORT and PHONE)
//
// In this table the flags are warnquota's own: `+` when AT or over the soft limit (repquota's
// `+` means over). Both come from core/limits.ts (atOrOverSoft here).

import {formatGraceRemaining} from '../core/durations.js'
import {atOrOverSoft, graceColumnApplies, inodeSide, type LimitSide, spaceSideKiB} from '../core/limits.js'
import {formatInodes, formatSpaceKiB, type HumanUnits} from '../core/units.js'
import {type WarnquotaConf, expandTokens} from './conf.js'
import type {Offence, Offender} from './offenders.js'

export const DEFAULT_USER_MESSAGE =
  'Hi,\n\nWe noticed that you are in violation with the quotasystem\nused on this system. We have found the following violations:\n\n'

export const DEFAULT_GROUP_MESSAGE = (group: string): string =>
  `Hi,\n\nWe noticed that the group ${group} you are member of violates the quotasystem\nused on this system. We have found the following violations:\n\n`

export const DEFAULT_USER_SIGNATURE = (support: string, phone: string): string =>
  '\nWe hope that you will cleanup before your grace period expires.\n' +
  '\nBasically, this means that the system thinks you are using more disk space\n' +
  'on the above partition(s) than you are allowed.  If you do not delete files\n' +
  'and get below your quota before the grace period expires, the system will\n' +
  'prevent you from creating new files.\n\n' +
  `For additional assistance, please contact us at ${support}\nor via phone at ${phone}.\n`

export const DEFAULT_GROUP_SIGNATURE = (support: string, phone: string): string =>
  '\nPlease cleanup the group data before the grace period expires.\n' +
  '\nBasically, this means that the system thinks group is using more disk space\n' +
  'on the above partition(s) than it is allowed.  If you do not delete files\n' +
  'and get below group quota before the grace period expires, the system will\n' +
  'prevent you and other members of the group from creating new files owned by\n' +
  'the group.\n\n' +
  `For additional assistance, please contact us at ${support}\nor via phone at ${phone}.\n`

export const TABLE_TITLE = '                        Block limits               File limits'
export const TABLE_HEADER = 'Filesystem           used    soft    hard  grace    used  soft  hard  grace'
const DEVICE_COLUMNS = 15

export const AUTO_SUBMITTED: [string, string] = ['Auto-Submitted', 'auto-generated']

export interface MessageSettings {
  conf: WarnquotaConf
  /** uname nodename and domainname, for %h and %d */
  host: string
  domain: string
  /** /etc/quotatab: device -> description */
  quotatab: ReadonlyMap<string, string>
  units: HumanUnits
  /** false with -d: no per-filesystem table */
  details: boolean
  nowEpoch: number
}

export interface Recipients {
  /** To: header value */
  to: string
  /** Cc: header value, null for none */
  cc: string | null
}

export interface RenderedMail {
  headers: Array<[string, string]>
  body: string
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8')

function graceCell(side: LimitSide, nowEpoch: number): string {
  return graceColumnApplies(side) ? formatGraceRemaining(side.graceExpiresAt, nowEpoch) : ''
}

/** One filesystem's block of the body: title, table header and the row. */
export function offenceBlock(offence: Offence, settings: Pick<MessageSettings, 'quotatab' | 'units' | 'nowEpoch'>): string {
  const device = offence.fs.device
  const description = settings.quotatab.get(device)
  const space = spaceSideKiB(offence.record.space)
  const inodes = inodeSide(offence.record.inodes)
  const {units, nowEpoch} = settings
  const flag = (side: LimitSide) => (atOrOverSoft(side) ? '+' : '-')
  const lead = byteLength(device) > DEVICE_COLUMNS ? `${device}\n${' '.repeat(DEVICE_COLUMNS)}` : device + ' '.repeat(DEVICE_COLUMNS - byteLength(device))
  const row =
    `${lead}${flag(space)}${flag(inodes)}` +
    ` ${formatSpaceKiB(space.used, units.space).padStart(7)} ${formatSpaceKiB(space.soft, units.space).padStart(7)}` +
    ` ${formatSpaceKiB(space.hard, units.space).padStart(7)} ${graceCell(space, nowEpoch).padStart(6)}` +
    ` ${formatInodes(inodes.used, units.inodes).padStart(7)} ${formatInodes(inodes.soft, units.inodes).padStart(5)}` +
    ` ${formatInodes(inodes.hard, units.inodes).padStart(5)} ${graceCell(inodes, nowEpoch).padStart(6)}`
  const title = description === undefined ? device : `${description} (${device})`
  return `\n${title}\n\n${TABLE_TITLE}\n${TABLE_HEADER}\n${row}\n\n`
}

export function renderBody(offender: Offender, settings: MessageSettings): string {
  const {conf} = settings
  const name = offender.name ?? String(offender.id)
  const tokens = {name, host: settings.host, domain: settings.domain}
  const group = offender.type !== 'user'
  const intro = group
    ? conf.groupMessage === null ? DEFAULT_GROUP_MESSAGE(name) : expandTokens(conf.groupMessage, tokens)
    : conf.message === null ? DEFAULT_USER_MESSAGE : expandTokens(conf.message, tokens)
  const table = settings.details ? offender.offences.map((o) => offenceBlock(o, settings)).join('') : ''
  const signature = group
    ? conf.groupSignature === null ? DEFAULT_GROUP_SIGNATURE(conf.support, conf.phone) : expandTokens(conf.groupSignature, tokens)
    : conf.signature === null ? DEFAULT_USER_SIGNATURE(conf.support, conf.phone) : expandTokens(conf.signature, tokens)
  return intro + table + signature
}

export function renderHeaders(recipients: Recipients, conf: WarnquotaConf): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['From', conf.from],
    ['Reply-To', conf.support],
    ['Subject', conf.subject],
    ['To', recipients.to],
  ]
  if (recipients.cc !== null) headers.push(['Cc', recipients.cc])
  if (conf.charset !== '') {
    headers.push(
      ['MIME-Version', '1.0'],
      ['Content-Type', `text/plain; charset=${conf.charset}`],
      ['Content-Disposition', 'inline'],
      ['Content-Transfer-Encoding', '8bit'],
    )
  }
  headers.push(AUTO_SUBMITTED)
  return headers
}

export function renderMail(offender: Offender, recipients: Recipients, settings: MessageSettings): RenderedMail {
  return {headers: renderHeaders(recipients, settings.conf), body: renderBody(offender, settings)}
}

/** The message as text with LF line ends, as linuxquota pipes it to MAIL_CMD. */
export function messageText(mail: RenderedMail, extraHeaders: Array<[string, string]> = []): string {
  const lines = [...mail.headers, ...extraHeaders].map(([k, v]) => `${k}: ${v}`)
  return `${lines.join('\n')}\n\n${mail.body}`
}

/** RFC 5322 date for a Date: header: `Tue, 01 Dec 2026 10:00:00 +0000`. */
export function rfc5322Date(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace('GMT', '+0000')
}

/** The row of the table for one offence, as a line (for tests and the lab comparison). */
export const tableRows = (body: string): string[] => {
  const lines = body.split('\n')
  const rows: string[] = []
  lines.forEach((line, i) => {
    if (line !== TABLE_HEADER) return
    const next = lines[i + 1] ?? ''
    // a long device name sits on its own line, the numbers on the next
    rows.push(/^\S+$/.test(next) && lines[i + 2]?.startsWith(' '.repeat(DEVICE_COLUMNS)) ? `${next}\n${lines[i + 2]}` : next)
  })
  return rows
}
