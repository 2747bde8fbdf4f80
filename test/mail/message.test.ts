// Who warnquota mails (the one predicate, warnquota's semantics) and the mail itself, byte for byte
// in linuxquota's layout.

import {describe, expect, it} from 'vitest'

import type {QuotaRecord} from '../../src/core/types.js'
import {AUTO_UNITS, RAW_UNITS} from '../../src/core/units.js'
import {parseWarnquotaConf} from '../../src/mail/conf.js'
import {
  DEFAULT_USER_SIGNATURE,
  type MessageSettings,
  TABLE_HEADER,
  messageText,
  offenceBlock,
  renderBody,
  renderHeaders,
  renderMail,
  tableRows,
} from '../../src/mail/message.js'
import {type Observation, OffenderCollector, mailBlocked, mailDevFrom, offends, shouldCc} from '../../src/mail/offenders.js'

const NOW = 1_800_000_000
const KiB = 1024
const rec = (id: number, [used, soft, hard, btime]: number[], [inodes, isoft, ihard, itime]: number[]): QuotaRecord => ({
  id,
  space: {usedBytes: used, softLimitBytes: soft * KiB, hardLimitBytes: hard * KiB, graceExpiresAt: btime},
  inodes: {used: inodes, softLimit: isoft, hardLimit: ihard, graceExpiresAt: itime},
})
const HOME = {mountpoint: '/home', device: '/dev/vdb', fstype: 'ext4'}
const SRV = {mountpoint: '/srv', device: '/dev/mapper/vg0-srv', fstype: 'xfs'}
const obs = (id: number, fs: typeof HOME, record: QuotaRecord, name: string | null = `u${id}`, type: 'user' | 'group' = 'user'): Observation => ({
  type,
  id,
  name,
  fs,
  record,
})

describe('offends: at or over a soft limit, space (in KiB, usage rounded up) or inodes', () => {
  it.each([
    ['under both', rec(1, [1023 * KiB, 1024, 0, 0], [9, 10, 0, 0]), false],
    ['space exactly at soft', rec(1, [1024 * KiB, 1024, 0, 0], [0, 0, 0, 0]), true],
    ['one byte under soft, which rounds up to it', rec(1, [1024 * KiB - 1, 1024, 0, 0], [0, 0, 0, 0]), true],
    ['inodes exactly at soft', rec(1, [0, 0, 0, 0], [10, 10, 0, 0]), true],
    ['over the hard limit with no soft limit', rec(1, [5000 * KiB, 0, 1024, 0], [50, 0, 10, 0]), false],
    ['no limits at all', rec(1, [5000 * KiB, 0, 0, 0], [50, 0, 0, 0]), false],
  ])('%s', (_, record, expected) => {
    expect(offends(record)).toBe(expected)
  })

  it('mailBlocked: space at the hard limit, or at soft with the grace over', () => {
    expect(mailBlocked(rec(1, [2048 * KiB, 1024, 2048, NOW + 10], [0, 0, 0, 0]), NOW)).toBe(true)
    expect(mailBlocked(rec(1, [1500 * KiB, 1024, 2048, NOW], [0, 0, 0, 0]), NOW)).toBe(true)
    expect(mailBlocked(rec(1, [1500 * KiB, 1024, 2048, NOW + 1], [0, 0, 0, 0]), NOW)).toBe(false)
    expect(mailBlocked(rec(1, [0, 0, 0, 0], [20, 10, 20, NOW - 1]), NOW)).toBe(false) // inodes never count
  })
})

describe('OffenderCollector', () => {
  it('one offender per id listing every filesystem it offends on; users before groups, by id', () => {
    const c = new OffenderCollector(NOW)
    c.add(obs(7, HOME, rec(7, [2000 * KiB, 1000, 0, NOW + 60], [1, 0, 0, 0])))
    c.add(obs(3, HOME, rec(3, [10 * KiB, 1000, 0, 0], [1, 0, 0, 0]))) // fine
    c.add(obs(50, HOME, rec(50, [2000 * KiB, 1000, 0, 0], [1, 0, 0, 0]), 'staff', 'group'))
    c.add(obs(7, SRV, rec(7, [0, 0, 0, 0], [5, 5, 0, 0])))
    c.add(obs(2, SRV, rec(2, [0, 0, 0, 0], [6, 5, 9, NOW - 1])))
    const {offenders} = c.result()
    expect(offenders.map((o) => `${o.type}:${o.id}:${o.offences.map((x) => x.fs.mountpoint).join(',')}`)).toEqual(['user:2:/srv', 'user:7:/home,/srv', 'group:50:/home'])
    expect(offenders[0].offences[0]).toMatchObject({spaceStatus: 'ok', inodeStatus: 'expired'})
    expect(offenders[1].offences[1]).toMatchObject({spaceStatus: 'ok', inodeStatus: 'ok'}) // exactly at soft
  })

  it('MAILDEV any: drops just the offences on filesystems where mail would bounce', () => {
    const c = new OffenderCollector(NOW, mailDevFrom('ANY'))
    c.add(obs(1, HOME, rec(1, [3000 * KiB, 1000, 2000, NOW + 60], [0, 0, 0, 0])))
    c.add(obs(1, SRV, rec(1, [1500 * KiB, 1000, 2000, NOW + 60], [0, 0, 0, 0])))
    const r = c.result()
    expect(r.offenders[0].offences.map((o) => o.fs.mountpoint)).toEqual(['/srv'])
    expect(r.undeliverable).toBe(1)
  })

  it('MAILDEV device: an id that cannot take mail there gets no mail at all', () => {
    const c = new OffenderCollector(NOW, mailDevFrom('/dev/vdb'))
    c.add(obs(1, HOME, rec(1, [3000 * KiB, 0, 2000, 0], [0, 0, 0, 0]))) // hard reached, not an offender here
    c.add(obs(1, SRV, rec(1, [1500 * KiB, 1000, 0, NOW + 60], [0, 0, 0, 0])))
    c.add(obs(2, SRV, rec(2, [1500 * KiB, 1000, 0, NOW + 60], [0, 0, 0, 0])))
    const r = c.result()
    expect(r.offenders.map((o) => o.id)).toEqual([2])
    expect(r.mailDevSeen).toBe(true)
    expect(r.undeliverable).toBe(1)
  })
})

const conf = (text = '') => parseWarnquotaConf(text).conf

function settings(overrides: Partial<MessageSettings> = {}): MessageSettings {
  return {conf: conf(), host: 'fs1', domain: '(none)', quotatab: new Map(), units: RAW_UNITS, details: true, nowEpoch: NOW, ...overrides}
}

function offender(...records: Array<[typeof HOME, QuotaRecord]>) {
  const c = new OffenderCollector(NOW)
  for (const [fs, r] of records) c.add(obs(1000, fs, r, 'alice'))
  return c.result().offenders[0]
}

describe('the per-filesystem table', () => {
  it('is linuxquota\'s block: title, header, row with + at or over soft, grace left', () => {
    const o = offender([HOME, rec(1000, [3001 * KiB, 2000, 4000, NOW + 7 * 86_400], [10, 10, 20, 0])])
    expect(offenceBlock(o.offences[0], settings())).toBe(
      [
        '',
        '/dev/vdb',
        '',
        '                        Block limits               File limits',
        'Filesystem           used    soft    hard  grace    used  soft  hard  grace',
        '/dev/vdb       ++    3001    2000    4000  7days      10    10    20       ',
        '',
        '',
      ].join('\n'),
    )
  })

  it('puts a device longer than 15 bytes on its own line, and uses the quotatab description', () => {
    const o = offender([SRV, rec(1000, [1500 * KiB, 1000, 0, NOW - 5], [1, 0, 0, 0])])
    const block = offenceBlock(o.offences[0], settings({quotatab: new Map([['/dev/mapper/vg0-srv', 'Project space\n(not backed up)']])}))
    expect(block.split('\n').slice(0, 8)).toEqual([
      '',
      'Project space',
      '(not backed up) (/dev/mapper/vg0-srv)',
      '',
      '                        Block limits               File limits',
      TABLE_HEADER,
      '/dev/mapper/vg0-srv',
      '               +-    1500    1000       0   none       1     0     0       ',
    ])
  })

  it('-s: human units as repquota -s prints them', () => {
    const o = offender([HOME, rec(1000, [300 * 1024 * KiB, 200 * 1024, 400 * 1024, NOW + 3600], [150_000, 100_000, 0, NOW + 90_000])])
    expect(tableRows(offenceBlock(o.offences[0], settings({units: AUTO_UNITS})))).toEqual(['/dev/vdb       ++    300M    200M    400M  01:00    150k  100k     0  25:00'])
  })
})

describe('the mail', () => {
  const o = offender(
    [HOME, rec(1000, [3001 * KiB, 2000, 4000, NOW + 3600], [1, 0, 0, 0])],
    [SRV, rec(1000, [0, 0, 0, 0], [6, 5, 0, NOW + 600])],
  )

  it('has linuxquota\'s headers in its order, MIME only with CHARSET, then Auto-Submitted', () => {
    expect(renderHeaders({to: 'alice', cc: 'root'}, conf('FROM = q@x\nSUPPORT = help@x\nSUBJECT = Over quota\n'))).toEqual([
      ['From', 'q@x'],
      ['Reply-To', 'help@x'],
      ['Subject', 'Over quota'],
      ['To', 'alice'],
      ['Cc', 'root'],
      ['Auto-Submitted', 'auto-generated'],
    ])
    expect(renderHeaders({to: 'alice', cc: null}, conf('CHARSET = UTF-8\n')).map(([k]) => k)).toEqual([
      'From',
      'Reply-To',
      'Subject',
      'To',
      'MIME-Version',
      'Content-Type',
      'Content-Disposition',
      'Content-Transfer-Encoding',
      'Auto-Submitted',
    ])
  })

  it('is MESSAGE, one block per filesystem, SIGNATURE; tokens expanded', () => {
    const s = settings({conf: conf('MESSAGE = Hello %i on %h.%d:|\nSIGNATURE = --|%s, 100%% yours|\n')})
    const body = renderBody(o, s)
    expect(body.startsWith('Hello alice on fs1.(none):\n\n/dev/vdb\n')).toBe(true)
    expect(body.endsWith('\n\n--\nalice, 100% yours\n')).toBe(true)
    expect(tableRows(body)).toEqual([
      '/dev/vdb       +-    3001    2000    4000  01:00       1     0     0       ',
      '/dev/mapper/vg0-srv\n               -+       0       0       0              6     5     0  00:10',
    ])
  })

  it('uses the built-in texts when MESSAGE and SIGNATURE are unset; -d leaves the table out', () => {
    const body = renderBody(o, settings({details: false}))
    expect(body).toBe(
      'Hi,\n\nWe noticed that you are in violation with the quotasystem\nused on this system. We have found the following violations:\n\n' +
        DEFAULT_USER_SIGNATURE('support@localhost', '(xxx) xxx-xxxx or (yyy) yyy-yyyy'),
    )
  })

  it('a group mail names the group', () => {
    const c = new OffenderCollector(NOW)
    c.add(obs(50, HOME, rec(50, [3001 * KiB, 2000, 0, 0], [1, 0, 0, 0]), 'staff', 'group'))
    const body = renderBody(c.result().offenders[0], settings({details: false}))
    expect(body).toContain('We noticed that the group staff you are member of violates the quotasystem')
    expect(body).toContain('Please cleanup the group data before the grace period expires.')
  })

  it('messageText: headers, a blank line, the body', () => {
    const text = messageText(renderMail(o, {to: 'alice', cc: null}, settings({details: false})), [['Date', 'x']])
    expect(text.split('\n').slice(0, 7)).toEqual([
      'From: support@localhost',
      'Reply-To: support@localhost',
      'Subject: Disk Quota usage on system',
      'To: alice',
      'Auto-Submitted: auto-generated',
      'Date: x',
      '',
    ])
  })
})

describe('shouldCc (CC_TO, CC_BEFORE)', () => {
  const soon = offender([HOME, rec(1000, [3001 * KiB, 2000, 0, NOW + 3600], [1, 0, 0, 0])])
  const later = offender([HOME, rec(1000, [3001 * KiB, 2000, 0, NOW + 5 * 86_400], [1, 0, 0, 0])])
  const atSoft = offender([HOME, rec(1000, [2000 * KiB, 2000, 0, 0], [1, 0, 0, 0])])

  it('no CC_TO: never; no CC_BEFORE: always', () => {
    expect(shouldCc(soon, '', null, NOW)).toBe(false)
    expect(shouldCc(later, 'root', null, NOW)).toBe(true)
  })

  it('CC_BEFORE: only when some grace ends within it (a side with no timer counts, as in linuxquota)', () => {
    expect(shouldCc(soon, 'root', 2 * 86_400, NOW)).toBe(true)
    expect(shouldCc(later, 'root', 2 * 86_400, NOW)).toBe(false)
    expect(shouldCc(atSoft, 'root', 2 * 86_400, NOW)).toBe(true)
  })
})
