// quotakit's own warnquota settings: what linuxquota's warnquota.conf has no words for (SMTP,
// the default mail domain, rate limit, retries, the cooldown). They live in the `[warnquota]`
// section of /etc/quotakit/quotakit.conf, so /etc/warnquota.conf stays readable by linuxquota's
// warnquota (which aborts on any key it does not know). Flags override these; these override
// the built-in defaults. Pure: the command reads the file.
//
//   [warnquota]
//   smtp = smtps://quota:secret@mail.example.com      # or smtp_host / smtp_port / smtp_secure
//   smtp_user = quota                                 # with smtp_password or smtp_password_file
//   smtp_password_file = /etc/quotakit/smtp-password
//   smtp_tls_verify = true
//   sendmail = /usr/sbin/sendmail                     # use sendmail instead of MAIL_CMD
//   mail_domain = example.com                         # alice -> alice@example.com
//   rate_limit = 100                                  # mails per second over SMTP, 0 = none
//   max_connections = 5
//   retries = 3                                       # for temporary (4xx) failures
//   retry_delay = 2s                                  # doubled after each retry (250ms works too)
//   cooldown = 24h                                    # default: off
//   state = /var/lib/quotakit/warnquota.json
//
// `#` and `;` start comments; other sections belong to other commands and are skipped. An unknown
// key in [warnquota], or a bad value, is a configuration error (exit 78): never ignored.

import {parseDurationSeconds} from '../core/durations.js'
import {QuotaError} from '../errors.js'

export const DEFAULT_SETTINGS_PATH = '/etc/quotakit/quotakit.conf'

/** A retry delay: `250ms`, or any duration core/durations.ts reads (`2s`, `1m`, `30`). */
export function parseDelayMs(text: string, what = 'retry delay'): number {
  const ms = /^\s*(\d+)\s*ms\s*$/.exec(text)
  return ms ? Number(ms[1]) : parseDurationSeconds(text, what) * 1000
}

export interface WarnquotaSettings {
  smtp?: string
  smtpHost?: string
  smtpPort?: number
  smtpSecure?: boolean
  smtpUser?: string
  smtpPassword?: string
  smtpPasswordFile?: string
  smtpTlsVerify?: boolean
  sendmail?: string
  mailDomain?: string
  rateLimit?: number
  maxConnections?: number
  retries?: number
  retryDelayMs?: number
  cooldownSeconds?: number
  state?: string
}

type Kind = 'string' | 'count' | 'port' | 'bool' | 'duration' | 'delay'

const KEYS: Readonly<Record<string, [keyof WarnquotaSettings, Kind]>> = {
  smtp: ['smtp', 'string'],
  smtp_host: ['smtpHost', 'string'],
  smtp_port: ['smtpPort', 'port'],
  smtp_secure: ['smtpSecure', 'bool'],
  smtp_user: ['smtpUser', 'string'],
  smtp_password: ['smtpPassword', 'string'],
  smtp_password_file: ['smtpPasswordFile', 'string'],
  smtp_tls_verify: ['smtpTlsVerify', 'bool'],
  sendmail: ['sendmail', 'string'],
  mail_domain: ['mailDomain', 'string'],
  rate_limit: ['rateLimit', 'count'],
  max_connections: ['maxConnections', 'count'],
  retries: ['retries', 'count'],
  retry_delay: ['retryDelayMs', 'delay'],
  cooldown: ['cooldownSeconds', 'duration'],
  state: ['state', 'string'],
}

function convert(kind: Kind, value: string, where: string): string | number | boolean {
  const bad = (what: string) => new QuotaError('config', `${where}: ${what}`)
  switch (kind) {
    case 'string':
      return value
    case 'count':
    case 'port': {
      if (!/^\d+$/.test(value)) throw bad(`'${value}' is not a whole number`)
      const n = Number(value)
      if (kind === 'port' && (n < 1 || n > 65_535)) throw bad(`port ${value} is out of range`)
      return n
    }
    case 'bool':
      if (/^(true|yes|on|1)$/i.test(value)) return true
      if (/^(false|no|off|0)$/i.test(value)) return false
      throw bad(`'${value}' is not true or false`)
    case 'duration':
    case 'delay':
      try {
        return kind === 'delay' ? parseDelayMs(value) : parseDurationSeconds(value, 'duration')
      } catch (e) {
        throw bad((e as Error).message)
      }
  }
}

export function parseSettings(text: string, file = DEFAULT_SETTINGS_PATH): WarnquotaSettings {
  const settings: Record<string, unknown> = {}
  let section = ''
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    const where = `${file}: line ${i + 1}`
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header) {
      section = header[1].trim()
      return
    }
    if (section !== 'warnquota') return
    const eq = line.indexOf('=')
    if (eq === -1) throw new QuotaError('config', `${where}: missing '='`)
    const key = line.slice(0, eq).trim()
    const value = line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
    const spec = KEYS[key]
    if (!spec) {
      throw new QuotaError('config', `${where}: unknown key '${key}' in [warnquota]`, {hint: `known keys: ${Object.keys(KEYS).join(', ')}`})
    }
    settings[spec[0]] = convert(spec[1], value, `${where}: ${key}`)
  })
  return settings as WarnquotaSettings
}
