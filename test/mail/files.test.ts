// /etc/quotatab and /etc/quotagrpadmins (linuxquota's parsing rules), quotakit's settings file,
// addresses, and the encodings config files are read in.

import {readFileSync, existsSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {formatAddress, parseAddressList, qualify, qualifyList, splitAddressList} from '../../src/mail/address.js'
import {decodeText} from '../../src/mail/files.js'
import {parseGroupAdmins, parseQuotatab} from '../../src/mail/quotatab.js'
import {parseDelayMs, parseSettings} from '../../src/mail/settings.js'
import {QuotaError} from '../../src/errors.js'

describe('parseQuotatab', () => {
  it('reads Debian\'s installed example: comments only', () => {
    expect(parseQuotatab(readFileSync('/etc/quotatab', 'utf8'))).toEqual({value: new Map(), warnings: []})
  })

  it('splits at the first colon, strips blanks and quotes, turns | into newlines', () => {
    const {value, warnings} = parseQuotatab('# c\n; c\n\n/dev/vdb: Home directories|(backed up nightly)\n "/dev/vdc" : \'Scratch: not backed up\' \n')
    expect(warnings).toEqual([])
    expect([...value]).toEqual([
      ['/dev/vdb', 'Home directories\n(backed up nightly)'],
      ['/dev/vdc', 'Scratch: not backed up'],
    ])
  })

  it('reports a line without a colon and goes on; the first line for a device wins', () => {
    const {value, warnings} = parseQuotatab('/dev/vdb home\n/dev/vdc: one\n/dev/vdc: two\n')
    expect(warnings).toEqual(["line 1: cannot parse (missing ':')"])
    expect(value.get('/dev/vdc')).toBe('one')
  })
})

describe('parseGroupAdmins', () => {
  it('reads Debian\'s installed example', () => {
    expect([...parseGroupAdmins(readFileSync('/etc/quotagrpadmins', 'utf8')).value]).toEqual([
      ['users', 'root'],
      ['mygroup', 'chief'],
    ])
  })

  it('takes one word after the colon; blanks around both are fine', () => {
    const {value, warnings} = parseGroupAdmins('  staff  :   alice  \n#x: y\n;z: w\nweb:bob\n')
    expect(warnings).toEqual([])
    expect([...value]).toEqual([
      ['staff', 'alice'],
      ['web', 'bob'],
    ])
  })

  it('reports and skips what linuxquota reports and skips', () => {
    const {value, warnings} = parseGroupAdmins('staff alice\n: bob\ndb:\nweb: bob carol\nstaff: dave\nstaff: erin\n')
    expect(warnings).toEqual([
      'line 1: cannot find the end of the group name',
      'line 2: cannot find the end of the group name',
      "line 3: cannot find the administrator's name",
      "line 4: trailing characters after the administrator's name",
      'line 6: group staff is listed again; the first line wins',
    ])
    expect([...value]).toEqual([['staff', 'dave']])
  })
})

describe('parseSettings', () => {
  it('reads the [warnquota] section and skips the others', () => {
    const s = parseSettings(
      '# quotakit\n[serve]\nport = 1\n[warnquota]\nsmtp = smtp://mail:25\nsmtp_tls_verify = no\nmail_domain = "example.com"\nrate_limit = 20\nretry_delay = 500ms\ncooldown = 1d 12h\n[other]\nx = y\n',
    )
    expect(s).toEqual({smtp: 'smtp://mail:25', smtpTlsVerify: false, mailDomain: 'example.com', rateLimit: 20, retryDelayMs: 500, cooldownSeconds: 129_600})
  })

  it('refuses unknown keys and bad values in [warnquota] (exit 78)', () => {
    const kindOf = (text: string) => {
      try {
        parseSettings(text, 'q.conf')
      } catch (e) {
        return [(e as QuotaError).kind, (e as QuotaError).message]
      }
      return null
    }
    expect(kindOf('[warnquota]\nsmpt = x\n')).toEqual(['config', "q.conf: line 2: unknown key 'smpt' in [warnquota]"])
    expect(kindOf('[warnquota]\nrate_limit = fast\n')?.[0]).toBe('config')
    expect(kindOf('[warnquota]\nsmtp_port = 70000\n')?.[1]).toContain('out of range')
    expect(kindOf('[warnquota]\ncooldown = soon\n')?.[0]).toBe('config')
    expect(kindOf('[warnquota]\nno equals sign\n')?.[1]).toContain("missing '='")
  })

  it('parseDelayMs reads milliseconds and durations', () => {
    expect([parseDelayMs('250ms'), parseDelayMs('2s'), parseDelayMs('3')]).toEqual([250, 2000, 3000])
  })
})

describe('addresses', () => {
  it('splits lists at commas outside quotes and brackets', () => {
    expect(splitAddressList('root, "Doe, J" <j@x>, a@b')).toEqual(['root', '"Doe, J" <j@x>', 'a@b'])
    expect(parseAddressList('root, Quota Team <quota@example.com>')).toEqual([
      {name: '', address: 'root'},
      {name: 'Quota Team', address: 'quota@example.com'},
    ])
  })

  it('adds a default domain to bare names only', () => {
    expect(qualify('alice', 'example.com')).toBe('alice@example.com')
    expect(qualify('a@b', 'example.com')).toBe('a@b')
    expect(qualify('alice', null)).toBe('alice')
    expect(qualifyList('root, Team <team>, x@y', 'example.com')).toBe('root@example.com, Team <team@example.com>, x@y')
    expect(formatAddress({name: 'Doe, J', address: 'j@x'})).toBe('"Doe, J" <j@x>')
  })
})

describe('decodeText', () => {
  it('reads valid UTF-8 as UTF-8 and anything else byte for byte as Latin-1', () => {
    expect(decodeText(Buffer.from('Grüße', 'utf8'))).toEqual({text: 'Grüße', encoding: 'utf8'})
    const latin1 = Buffer.from('Grüße', 'latin1')
    const decoded = decodeText(latin1)
    expect(decoded.encoding).toBe('latin1')
    expect(Buffer.from(decoded.text, 'latin1').equals(latin1)).toBe(true)
  })
})
