// /etc/warnquota.conf with linuxquota 4.06's rules (quota-reference 3.3, and the behaviour of
// Debian's warnquota checked on this host). Pure: text in, a config or a QuotaError('config') out.
//
//   - `KEY = value` lines; key and value lose surrounding blanks and single/double quotes
//     (stripstring: `"a"`, `'a'` and `" 'a' "` all give `a`); keys are case-sensitive
//   - `#` or `;` in column 0 starts a comment; blank lines are skipped; an indented `#` is NOT a
//     comment (it is a line without `=`)
//   - a line ending in `\` is joined with the next one (comments and blank lines are not
//     recognised inside such a join); a file that ends inside a join is an error
//   - a logical line may hold at most 16382 bytes (16383 with its newline)
//   - unknown key, missing `=`, overlong line, unterminated join: errors that abort the run;
//     with -I (ignoreErrors) they become warnings, as in linuxquota
//   - MESSAGE, SIGNATURE, GROUP_MESSAGE, GROUP_SIGNATURE: `|` becomes a newline, then every `%x`
//     must be one of %i %s %h %d %% (checked even with -I, as in linuxquota)
//   - CC_BEFORE: `<n> <unit>` (sscanf "%d%s": the blank is optional, the unit is second(s),
//     minute(s), hour(s) or day(s)); unparsable is an error even with -I
//
// Where quotakit is stricter, on purpose (docs/compat.md): LDAP_MAIL must be `true` or `false`
// (linuxquota reads anything else as false), and LDAP_MAIL = true is refused by the command
// (quotakit has no LDAP client), never silently downgraded to plain names.

import {QuotaError} from '../errors.js'

export const DEFAULT_CONF_PATH = '/etc/warnquota.conf'

/** linuxquota's compiled-in defaults (warnquota.c). */
export const CONF_DEFAULTS = {
  mailCmd: '/usr/lib/sendmail -t',
  from: 'support@localhost',
  subject: 'Disk Quota usage on system',
  ccTo: 'root',
  support: 'support@localhost',
  phone: '(xxx) xxx-xxxx or (yyy) yyy-yyyy',
} as const

export const LDAP_KEYS = [
  'LDAP_MAIL',
  'LDAP_TLS',
  'LDAP_HOST',
  'LDAP_PORT',
  'LDAP_URI',
  'LDAP_BINDDN',
  'LDAP_BINDPW',
  'LDAP_BASEDN',
  'LDAP_SEARCH_ATTRIBUTE',
  'LDAP_MAIL_ATTRIBUTE',
  'LDAP_DEFAULT_MAIL_DOMAIN',
] as const

const TEXT_KEYS = ['MESSAGE', 'SIGNATURE', 'GROUP_MESSAGE', 'GROUP_SIGNATURE'] as const
const PLAIN_KEYS = ['MAIL_CMD', 'FROM', 'SUBJECT', 'CC_TO', 'SUPPORT', 'PHONE', 'CHARSET', 'MAILDEV', 'CC_BEFORE'] as const

/** Every key linuxquota 4.06 (built with LDAP, as Debian's is) knows. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set<string>([...PLAIN_KEYS, ...TEXT_KEYS, ...LDAP_KEYS])

/** linuxquota reads lines with fgets into a 16384-byte buffer: 16383 bytes with the newline. */
export const MAX_LINE_BYTES = 16383

export interface WarnquotaConf {
  mailCmd: string
  from: string
  subject: string
  /** '' = no Cc at all */
  ccTo: string
  /** Cc only when some grace ends within this many seconds; null = always Cc */
  ccBeforeSeconds: number | null
  support: string
  phone: string
  /** '' = no MIME headers */
  charset: string
  /** null = linuxquota's built-in text; `|` already turned into newlines */
  message: string | null
  signature: string | null
  groupMessage: string | null
  groupSignature: string | null
  /** null = unset; 'any' or a device */
  mailDev: string | null
  ldapMail: boolean
  /** the LDAP_* keys that were set (other than LDAP_MAIL), name -> value */
  ldapKeys: Record<string, string>
  /** every key that was set, with the line it was set on (the last one wins, as in linuxquota) */
  lines: Record<string, number>
}

export interface ParseConfOptions {
  /** -I: unknown keys, lines without `=`, overlong lines and an unterminated join are warnings */
  ignoreErrors?: boolean
  /** CHARSET when the file does not set it: linuxquota takes the locale's codeset (see localeCharset) */
  defaultCharset?: string
  /** for messages */
  file?: string
  /** byte length of a string as read from the file (defaults to UTF-8) */
  byteLength?: (s: string) => number
}

export interface ParsedConf {
  conf: WarnquotaConf
  warnings: string[]
}

/** stripstring(): blanks, `"` and `'` off both ends. */
export function stripString(s: string): string {
  return s.replace(/^[\s"']+/, '').replace(/[\s"']+$/, '')
}

const TOKEN_HINT = 'use %i or %s (name), %h (host), %d (domain) or %% (a percent sign); | is a newline'

/** verify_format(): each `%` must start one of %s %i %h %d %%. Returns the bad expression or null. */
export function badToken(text: string): string | null {
  for (let at = text.indexOf('%'); at !== -1; at = text.indexOf('%', at + 2)) {
    const next = text[at + 1]
    if (next === undefined || !'sihd%'.includes(next)) return `%${next ?? ''}`
  }
  return null
}

/** format_print(): %i %s -> name, %h -> host, %d -> domain, %% -> %. Assumes badToken() passed. */
export function expandTokens(text: string, values: {name: string; host: string; domain: string}): string {
  let out = ''
  let last = 0
  for (let at = text.indexOf('%'); at !== -1; last = at + 2, at = text.indexOf('%', at + 2)) {
    out += text.slice(last, at)
    const next = text[at + 1]
    if (next === 's' || next === 'i') out += values.name
    else if (next === 'h') out += values.host
    else if (next === 'd') out += values.domain
    else if (next === '%') out += '%'
  }
  return out + text.slice(last)
}

const TIME_UNITS: Readonly<Record<string, number>> = {
  second: 1,
  seconds: 1,
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
  day: 86_400,
  days: 86_400,
}

/** CC_BEFORE as sscanf("%d%s") + str2timeunits read it; null when unparsable. */
export function parseCcBefore(value: string): number | null {
  const m = /^\s*([+-]?\d+)\s*(\S+)/.exec(value)
  if (!m) return null
  const factor = TIME_UNITS[m[2]]
  if (factor === undefined) return null
  const seconds = Number(m[1]) * factor
  return Number.isSafeInteger(seconds) ? seconds : null
}

/**
 * linuxquota's CHARSET default: the codeset of LC_ALL / LC_MESSAGES / LANG (first one set) unless
 * that locale is C or POSIX; '' otherwise. `en_US.UTF-8` -> `UTF-8`, `de_DE@euro` -> ''.
 */
export function localeCharset(env: NodeJS.ProcessEnv): string {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  if (locale === '' || /^(c|posix)$/i.test(locale)) return ''
  const m = /\.([^@]+)/.exec(locale)
  if (!m) return ''
  // glibc's nl_langinfo(CODESET) spells utf8 as UTF-8
  return /^utf-?8$/i.test(m[1]) ? 'UTF-8' : m[1]
}

interface LogicalLine {
  text: string
  line: number // the physical line it ended on, as linuxquota reports it
}

function defaults(defaultCharset: string): WarnquotaConf {
  return {
    ...CONF_DEFAULTS,
    ccBeforeSeconds: null,
    charset: defaultCharset,
    message: null,
    signature: null,
    groupMessage: null,
    groupSignature: null,
    mailDev: null,
    ldapMail: false,
    ldapKeys: {},
    lines: {},
  }
}

export function parseWarnquotaConf(text: string, options: ParseConfOptions = {}): ParsedConf {
  const file = options.file ?? DEFAULT_CONF_PATH
  const byteLength = options.byteLength ?? ((s: string) => Buffer.byteLength(s, 'utf8'))
  const conf = defaults(options.defaultCharset ?? '')
  const warnings: string[] = []
  const errors: string[] = []
  const fatal: string[] = [] // errors -I does not excuse
  const soft = (line: number, message: string) => (options.ignoreErrors ? warnings : errors).push(`line ${line}: ${message}`)

  // Physical lines -> logical lines (joins, comments, blank lines, length).
  const physical = text.split('\n')
  const endsWithNewline = physical.at(-1) === ''
  if (endsWithNewline) physical.pop()
  const logical: LogicalLine[] = []
  let pending: string | null = null
  physical.forEach((raw, index) => {
    const line = index + 1
    if (pending === null) {
      if (raw.startsWith('#') || raw.startsWith(';')) return
      if (raw.trim() === '') return
    }
    const joined: string = (pending ?? '') + raw
    if (byteLength(joined) + 1 > MAX_LINE_BYTES) {
      soft(line, `line too long (at most ${MAX_LINE_BYTES - 1} bytes)`)
      pending = null
      return
    }
    const last = index === physical.length - 1 && !endsWithNewline
    if (joined.endsWith('\\') && !last) {
      pending = joined.slice(0, -1)
      return
    }
    pending = null
    logical.push({text: joined, line})
  })
  if (pending !== null) soft(physical.length, 'unterminated last line (it ends with a backslash)')

  for (const {text: content, line} of logical) {
    const eq = content.indexOf('=')
    if (eq === -1) {
      soft(line, "missing '='")
      continue
    }
    const key = stripString(content.slice(0, eq))
    const value = stripString(content.slice(eq + 1))
    if (!KNOWN_KEYS.has(key)) {
      soft(line, `unknown variable ${key === '' ? "''" : key}`)
      continue
    }
    conf.lines[key] = line
    switch (key) {
      case 'MAIL_CMD':
        conf.mailCmd = value
        break
      case 'FROM':
        conf.from = value
        break
      case 'SUBJECT':
        conf.subject = value
        break
      case 'CC_TO':
        conf.ccTo = value
        break
      case 'SUPPORT':
        conf.support = value
        break
      case 'PHONE':
        conf.phone = value
        break
      case 'CHARSET':
        conf.charset = value
        break
      case 'MAILDEV':
        conf.mailDev = value === '' ? null : value
        break
      case 'CC_BEFORE': {
        const seconds = parseCcBefore(value)
        if (seconds === null) fatal.push(`line ${line}: cannot parse time '${value}' in CC_BEFORE (use e.g. 2 days; units: seconds, minutes, hours, days)`)
        else conf.ccBeforeSeconds = seconds
        break
      }
      case 'MESSAGE':
      case 'SIGNATURE':
      case 'GROUP_MESSAGE':
      case 'GROUP_SIGNATURE': {
        const textValue = value.replaceAll('|', '\n')
        const bad = badToken(textValue)
        if (bad !== null) {
          fatal.push(`line ${line}: unrecognized expression ${JSON.stringify(bad).slice(1, -1)} in ${key}`)
          break
        }
        if (key === 'MESSAGE') conf.message = textValue
        else if (key === 'SIGNATURE') conf.signature = textValue
        else if (key === 'GROUP_MESSAGE') conf.groupMessage = textValue
        else conf.groupSignature = textValue
        break
      }
      case 'LDAP_MAIL':
        if (/^true$/i.test(value)) conf.ldapMail = true
        else if (/^false$/i.test(value)) conf.ldapMail = false
        else fatal.push(`line ${line}: LDAP_MAIL must be true or false, not '${value}'`)
        break
      default:
        // the other LDAP_* keys: kept; the command decides (refused with LDAP_MAIL = true)
        conf.ldapKeys[key] = value
    }
  }

  const problems = [...fatal, ...errors]
  if (problems.length > 0) {
    const tokenProblem = fatal.some((p) => p.includes('unrecognized expression'))
    const hint = tokenProblem
      ? TOKEN_HINT
      : errors.length > 0
        ? 'fix the file, or give -I (--ignore-config-errors) to skip such lines as linuxquota before 4.05 did'
        : 'fix the file'
    throw new QuotaError('config', `${file}: ${problems.join('; ')}`, {hint})
  }
  return {conf, warnings: warnings.map((w) => `${file}: ${w} (ignored: -I)`)}
}
