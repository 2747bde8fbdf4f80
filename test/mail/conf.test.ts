// warnquota.conf parsing: linuxquota 4.06's rules, checked against the files Debian ships and,
// for every broken variant, against Debian's own warnquota binary on this host (it reads the
// configuration before it looks for quotas, so its exit status says whether it accepted the file).

import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {
  CONF_DEFAULTS,
  badToken,
  expandTokens,
  localeCharset,
  parseCcBefore,
  parseWarnquotaConf,
  stripString,
} from '../../src/mail/conf.js'
import {QuotaError} from '../../src/errors.js'

const LINUXQUOTA = '/usr/sbin/warnquota'
const hasLinuxquota = existsSync(LINUXQUOTA)
const dir = mkdtempSync(join(tmpdir(), 'quotakit-conf-'))

const parse = (text: string, ignoreErrors = false) => parseWarnquotaConf(text, {ignoreErrors, file: 'test.conf'})

function rejects(text: string, ignoreErrors = false): string {
  try {
    parse(text, ignoreErrors)
  } catch (e) {
    expect(e).toBeInstanceOf(QuotaError)
    expect((e as QuotaError).kind).toBe('config')
    return (e as QuotaError).message
  }
  throw new Error('parsed, but should have been refused')
}

/** Debian's warnquota on the same text: 0 accepted, 1 refused. */
function linuxquotaAccepts(text: string, ignoreErrors = false): boolean {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.conf`)
  writeFileSync(file, text)
  const r = spawnSync(LINUXQUOTA, [...(ignoreErrors ? ['-I'] : []), '-c', file, '-q', '/dev/null'], {encoding: 'utf8', env: {PATH: '/usr/sbin:/usr/bin:/bin', LANG: 'C'}})
  return r.status === 0
}

function ourAccepts(text: string, ignoreErrors = false): boolean {
  try {
    parse(text, ignoreErrors)
    return true
  } catch {
    return false
  }
}

describe('Debian\'s files', () => {
  it('the installed /etc/warnquota.conf parses, with its values', () => {
    const {conf, warnings} = parseWarnquotaConf(readFileSync('/etc/warnquota.conf', 'utf8'))
    expect(warnings).toEqual([])
    expect(conf).toMatchObject({
      mailCmd: '/usr/sbin/sendmail -t',
      from: 'root@localhost',
      subject: 'Over quota',
      ccTo: 'root@localhost',
      support: 'root@localhost',
      phone: '<enter your phone number here>',
      charset: 'UTF-8',
      message: null,
      ccBeforeSeconds: null,
      ldapMail: false,
    })
  })

  it('the documented example is refused for its FAIL key, and parses without it', () => {
    const text = readFileSync('/usr/share/doc/quota/warnquota.conf', 'utf8')
    expect(rejects(text)).toMatch(/line \d+: unknown variable FAIL/)
    const {conf} = parse(text.replace(/^FAIL.*$/m, ''))
    expect(conf.mailCmd).toBe('/usr/lib/sendmail -t')
    expect(conf.subject).toBe('Your account quota has exceeded!')
    // continuation lines joined, | turned into newlines, tokens kept for later
    expect(conf.message).toBe("Hello user %i, I've noticed you use too much space on my disk in %h.%d.\nDelete your files on the following filesystems:\n")
    expect(conf.groupMessage).toBe('Hello,\nyour group %i is using too much disk space at %h.\nI suggest you to clean up group files on the following filesystems:\n')
    expect(conf.signature).toBe('See you!\n\t\t\tYour admin of %h\n')
  })
})

describe('parseWarnquotaConf', () => {
  it('has linuxquota\'s defaults for an empty file', () => {
    const {conf} = parse('')
    expect(conf).toMatchObject({...CONF_DEFAULTS, charset: '', ccBeforeSeconds: null, mailDev: null, message: null, signature: null})
  })

  it('strips blanks and quotes around keys and values', () => {
    const {conf} = parse(`FROM\t=\t"quota@example.com"\n"SUBJECT" = 'Hi there' \nPHONE =  " '123' "\nCC_TO =\n`)
    expect([conf.from, conf.subject, conf.phone, conf.ccTo]).toEqual(['quota@example.com', 'Hi there', '123', ''])
  })

  it('joins backslash lines, also across comment-looking and blank lines', () => {
    expect(parse('FROM = a\\\n#b\n').conf.from).toBe('a#b')
    expect(parse('FROM = a\\\n\nSUBJECT = s\n').conf.from).toBe('a')
    expect(parse('MESSAGE = one \\\n two|three\n').conf.message).toBe('one  two\nthree')
  })

  it('accepts a last line without a newline, and CRLF line ends', () => {
    expect(parse('FROM = a').conf.from).toBe('a')
    expect(parse('FROM = a\r\nSUBJECT = b\r\n').conf).toMatchObject({from: 'a', subject: 'b'})
  })

  it('reads CC_BEFORE, MAILDEV, CHARSET and the last value of a repeated key', () => {
    const {conf} = parse('CC_BEFORE = 2 days\nMAILDEV = any\nCHARSET = ISO-8859-1\nFROM = a\nFROM = b\n')
    expect(conf).toMatchObject({ccBeforeSeconds: 172_800, mailDev: 'any', charset: 'ISO-8859-1', from: 'b'})
    expect(conf.lines.FROM).toBe(5)
  })

  it('keeps LDAP keys for the command to judge, and reads LDAP_MAIL strictly', () => {
    const {conf} = parse('LDAP_MAIL = TRUE\nLDAP_URI = ldap://x\n')
    expect(conf.ldapMail).toBe(true)
    expect(conf.ldapKeys).toEqual({LDAP_URI: 'ldap://x'})
    expect(parse('LDAP_MAIL = false\n').conf.ldapMail).toBe(false)
    expect(rejects('LDAP_MAIL = yes\n')).toContain("LDAP_MAIL must be true or false, not 'yes'")
  })

  it('refuses unknown keys, lines without =, an empty key, an indented comment', () => {
    expect(rejects('FOO = bar\n')).toBe('test.conf: line 1: unknown variable FOO')
    expect(rejects('from = x\n')).toContain('unknown variable from')
    expect(rejects('FROM = a\nnothing here\n')).toBe("test.conf: line 2: missing '='")
    expect(rejects('=x\n')).toContain("unknown variable ''")
    expect(rejects(' # not a comment\n')).toContain("line 1: missing '='")
  })

  it('reports every problem, not just the first', () => {
    expect(rejects('A = 1\nB\nC = 3\n')).toBe("test.conf: line 1: unknown variable A; line 2: missing '='; line 3: unknown variable C")
  })

  it('refuses an overlong line and an unterminated join', () => {
    expect(rejects(`FROM = ${'a'.repeat(16_376)}\n`)).toContain('line 1: line too long')
    expect(parse(`FROM = ${'a'.repeat(16_375)}\n`).conf.from).toHaveLength(16_375)
    expect(rejects('FROM = a\\\n')).toContain('unterminated last line')
  })

  it('-I turns those into warnings', () => {
    const {conf, warnings} = parse('FOO = 1\nFROM = ok\nbad\n', true)
    expect(conf.from).toBe('ok')
    expect(warnings).toEqual(['test.conf: line 1: unknown variable FOO (ignored: -I)', "test.conf: line 3: missing '=' (ignored: -I)"])
  })

  it('refuses bad tokens and CC_BEFORE even with -I', () => {
    expect(rejects('MESSAGE = hi %x\n', true)).toContain('unrecognized expression %x in MESSAGE')
    expect(rejects('SIGNATURE = 100%\n', true)).toContain('unrecognized expression % in SIGNATURE')
    expect(rejects('GROUP_MESSAGE = a%|b\n', true)).toContain('unrecognized expression %\\n in GROUP_MESSAGE')
    expect(rejects('CC_BEFORE = 2 fortnights\n', true)).toContain("cannot parse time '2 fortnights' in CC_BEFORE")
  })
})

describe('against Debian\'s warnquota on the same file', () => {
  const variants: Array<[string, string]> = [
    ['good', 'FROM = a\nSUBJECT = "b"\n# c\n; d\n\n'],
    ['unknown key', 'FOO = bar\n'],
    ['lower-case key', 'from = a\n'],
    ['missing =', 'MAIL_CMD = cat\nFOO\n'],
    ['indented comment', ' # x\n'],
    ['empty key', '=x\n'],
    ['bad token', 'MESSAGE = hi %x\n'],
    ['percent at the end', 'MESSAGE = 100%\n'],
    ['percent before a pipe', 'MESSAGE = a%|b\n'],
    ['good tokens', 'MESSAGE = %i %s %h %d %%|\n'],
    ['bad CC_BEFORE', 'CC_BEFORE = 2 fortnights\n'],
    ['capitalised CC_BEFORE unit', 'CC_BEFORE = 2 Days\n'],
    ['CC_BEFORE without a blank', 'CC_BEFORE = 2days\n'],
    ['CC_BEFORE with trailing words', 'CC_BEFORE = 2 days junk\n'],
    ['join into a comment', 'FROM = a\\\n#x\n'],
    ['join into a blank line', 'FROM = a\\\n\n'],
    ['unterminated join', 'FROM = a\\\n'],
    ['no final newline', 'FROM = a'],
    ['longest line', `FROM = ${'a'.repeat(16_375)}\n`],
    ['line one byte too long', `FROM = ${'a'.repeat(16_376)}\n`],
    ['LDAP keys with LDAP off', 'LDAP_URI = ldap://x\nLDAP_BASEDN = dc=x\nLDAP_MAIL = false\n'],
    ['quotes only', 'FROM = ""\n'],
  ]
  for (const [name, text] of variants) {
    it(`${name}: same verdict`, () => {
      expect(ourAccepts(text)).toBe(linuxquotaAccepts(text))
    })
  }
  for (const [name, text] of [['unknown key', 'FOO = 1\n'], ['missing =', 'X\n'], ['bad token', 'MESSAGE = %q\n']] as const) {
    it(`with -I, ${name}: same verdict`, () => {
      expect(ourAccepts(text, true)).toBe(linuxquotaAccepts(text, true))
    })
  }
})

describe('tokens', () => {
  it('badToken finds the first unknown %x, stepping over %% as linuxquota does', () => {
    expect(badToken('%i %s %h %d %%')).toBeNull()
    expect(badToken('%%x')).toBeNull()
    expect(badToken('a %y b')).toBe('%y')
    expect(badToken('end %')).toBe('%')
  })

  it('expandTokens substitutes name, host, domain and %', () => {
    expect(expandTokens('Hi %i (%s) at %h.%d: 100%%', {name: 'alice', host: 'fs1', domain: '(none)'})).toBe('Hi alice (alice) at fs1.(none): 100%')
  })

  it('stripString removes blanks and both kinds of quotes at both ends only', () => {
    expect(stripString(` "'a "b' c'" \t`)).toBe('a "b\' c')
  })
})

describe('CC_BEFORE and CHARSET', () => {
  it('parseCcBefore reads a number and a unit word', () => {
    expect(parseCcBefore('5 seconds')).toBe(5)
    expect(parseCcBefore('1 minute')).toBe(60)
    expect(parseCcBefore('12hours')).toBe(43_200)
    expect(parseCcBefore('2 days')).toBe(172_800)
    expect(parseCcBefore('2 Days')).toBeNull()
    expect(parseCcBefore('days')).toBeNull()
  })

  it('localeCharset follows LC_ALL, LC_MESSAGES, LANG; C and POSIX give none', () => {
    expect(localeCharset({LANG: 'en_US.UTF-8'})).toBe('UTF-8')
    expect(localeCharset({LANG: 'de_DE.utf8'})).toBe('UTF-8')
    expect(localeCharset({LC_ALL: 'C', LANG: 'en_US.UTF-8'})).toBe('')
    expect(localeCharset({LC_MESSAGES: 'POSIX'})).toBe('')
    expect(localeCharset({LANG: 'fr_FR.ISO-8859-1@euro'})).toBe('ISO-8859-1')
    expect(localeCharset({})).toBe('')
  })
})
