// warnquota on a real kernel. On each lab mount: alice over her space soft limit, bob over his
// inode soft limit, carol EXACTLY at her inode soft limit (warnquota's >=: mailed, with no grace
// timer), group staff over its soft limit on /mnt/ext4 (mailed to its admin, alice). Then:
//   1. linuxquota's warnquota and quotakit's, both with MAIL_CMD=cat, on the same state: the same
//      recipients, the same headers (quotakit adds Auto-Submitted), the same message and signature,
//      the same per-filesystem blocks, row for row; twice, with grace running and grace over
//   2. quotakit over SMTP to a sink inside the guest (node:net, the guest has no smtp-server):
//      one mail per offender with the right numbers; --cooldown then suppresses the second run
//   3. quotakit --dry-run --json validates against schemas/warnquota.schema.json
// Grace periods are 3.5 days, shown as `3days` whatever the seconds between runs; later `none`.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type ExecOptions, type Lab, startLab} from '../../lab/index.js'
import {TABLE_HEADER, TABLE_TITLE} from '../../src/mail/message.js'
import {schemaErrors} from '../cli/schema.js'

const MOUNTS = ['/mnt/ext4', '/mnt/ext4v0', '/mnt/xfs']
const GRACE = 302_400 // 3.5 days
const CONF = [
  'MAIL_CMD = cat',
  'FROM = quota@lab.test',
  'SUPPORT = help@lab.test',
  'SUBJECT = Over quota',
  'CC_TO = root',
  'CHARSET = UTF-8',
  'MESSAGE = Hello %i,|you are over quota on %h (100%% sure):|',
  'SIGNATURE = --|The admins of %h|',
  '',
].join('\n')

let lab: Lab
let ext4Device = ''

async function ok(command: string, options?: ExecOptions): Promise<string> {
  const r = await lab.exec(command, options)
  expect(r, `${command}\n${r.stderr}`).toMatchObject({code: 0})
  return r.stdout
}

interface Mail {
  to: string
  headers: string[]
  /** MESSAGE and SIGNATURE: the body without the per-filesystem blocks */
  text: string
  /** the per-filesystem blocks, sorted (linuxquota lists them in reverse discovery order) */
  blocks: string[]
  /** table rows, sorted */
  rows: string[]
}

// a block: an empty line, the title (a quotatab description may span lines), an empty line, the table
const BLOCK = new RegExp(`(?<=\\n)\\n((?:[^\\n]+\\n)*?[^\\n]+)\\n\\n${TABLE_TITLE}\\n${TABLE_HEADER}\\n([^\\n]*(?:\\n {15}[^\\n]*)?)\\n\\n`, 'g')

/** Mails as MAIL_CMD=cat prints them one after the other, or one .eml each. */
function parseMails(text: string): Mail[] {
  return text
    .replaceAll('\r\n', '\n')
    .split(/^(?=From: )/m)
    .filter((m) => m.startsWith('From: '))
    .map((m) => {
      const split = m.indexOf('\n\n')
      const headers = m.slice(0, split).split('\n')
      const body = m.slice(split + 2)
      const blocks = [...body.matchAll(BLOCK)].map((b) => b[0]).sort()
      return {
        to: (headers.find((h) => h.startsWith('To: ')) ?? '').slice(4),
        headers,
        text: body.replace(BLOCK, '<fs>'),
        blocks,
        rows: [...body.matchAll(BLOCK)].map((b) => b[2]).sort(),
      }
    })
    .sort((a, b) => a.to.localeCompare(b.to) || a.text.localeCompare(b.text))
}

const withoutQuotakitHeaders = (m: Mail) => ({...m, headers: m.headers.filter((h) => !/^(Auto-Submitted|Date|Message-ID): /.test(h))})

beforeAll(async () => {
  lab = await startLab()
  console.log(`lab: ready ${lab.bootMs} ms after start`)
  await lab.writeFile('/tmp/wq.conf', CONF)
  ext4Device = (await ok("awk '$2 == \"/mnt/ext4\" {print $1}' /proc/mounts")).trim()
  await lab.writeFile('/tmp/quotatab', `# descriptions\n${ext4Device}: Lab ext4 (hidden quota)|second line\n`)
  await lab.writeFile('/tmp/admins', '# group admins\nstaff: alice\n')
  const setup: string[] = []
  for (const m of MOUNTS) {
    setup.push(
      `setquota -t -u ${GRACE} ${GRACE} ${m}`,
      `setquota -t -g ${GRACE} ${GRACE} ${m}`,
      `setquota -u alice 512 8192 0 0 ${m}`,
      `setquota -u bob 0 0 3 20 ${m}`,
      `setquota -u carol 0 0 3 0 ${m}`,
      `runas alice dd if=/dev/zero of=${m}/shared/alice bs=65536 count=16 conv=fsync 2>/dev/null`,
      `runas bob sh -c 'for i in 1 2 3 4 5; do : > ${m}/shared/bob$i; done'`,
      `runas carol sh -c 'for i in 1 2 3; do : > ${m}/shared/carol$i; done'`,
    )
  }
  setup.push(
    'setquota -g staff 256 0 0 0 /mnt/ext4',
    // owned by root (no limits), group staff: only the group's usage grows
    'dd if=/dev/zero of=/mnt/ext4/shared/staff bs=65536 count=8 conv=fsync 2>/dev/null && chgrp staff /mnt/ext4/shared/staff',
    'sync',
  )
  await ok(setup.join(' && '))
})

afterAll(async () => {
  await lab?.stop()
})

/** linuxquota's warnquota and quotakit's on the same state, MAIL_CMD=cat, in one exec. */
async function bothWithCat(): Promise<{linuxquota: Mail[]; quotakit: Mail[]; quotakitRaw: string}> {
  const r = await lab.exec(
    'warnquota -ug -c /tmp/wq.conf -q /tmp/quotatab -a /tmp/admins > /tmp/lq.out 2>/tmp/lq.err; echo "lq=$?"; ' +
      'quotakit warnquota -ug -c /tmp/wq.conf -q /tmp/quotatab -a /tmp/admins > /tmp/qk.out 2>/tmp/qk.err; echo "qk=$?"; ' +
      'cat /tmp/lq.err /tmp/qk.err >&2',
    {timeoutMs: 120_000},
  )
  expect([r.stdout, r.stderr]).toEqual(['lq=0\nqk=0\n', ''])
  const [lq, qk] = await Promise.all([lab.readFile('/tmp/lq.out'), lab.readFile('/tmp/qk.out')])
  return {linuxquota: parseMails(lq.toString()), quotakit: parseMails(qk.toString()), quotakitRaw: qk.toString()}
}

function expectSameMails(linuxquota: Mail[], quotakit: Mail[]): void {
  expect(quotakit.map((m) => m.to)).toEqual(linuxquota.map((m) => m.to))
  expect(quotakit.map(withoutQuotakitHeaders)).toEqual(linuxquota)
  for (const m of quotakit) expect(m.headers).toContain('Auto-Submitted: auto-generated')
}

describe('quotakit warnquota next to linuxquota\'s (MAIL_CMD=cat)', () => {
  it('grace running: the same recipients, headers, text and table rows', async () => {
    const {linuxquota, quotakit, quotakitRaw} = await bothWithCat()
    expect(linuxquota.map((m) => m.to)).toEqual(['alice', 'alice', 'bob', 'carol'])
    expectSameMails(linuxquota, quotakit)

    // the numbers themselves: what the kernel holds after the writes above
    const [aliceUser, aliceStaff] = quotakit.filter((m) => m.to === 'alice').sort((a, b) => b.rows.length - a.rows.length)
    expect(aliceUser.rows).toHaveLength(3)
    for (const row of aliceUser.rows) expect(row).toMatch(/^\/dev\/vd\w\s+\+-\s+1024\s+512\s+8192\s+3days\s+1\s+0\s+0\s*$/)
    expect(aliceStaff.text).toContain('the group staff you are member of')
    expect(aliceStaff.rows).toEqual([expect.stringMatching(/^\/dev\/vd\w\s+\+-\s+512\s+256\s+0\s+3days\s+1\s+0\s+0\s*$/)])
    const bob = quotakit.find((m) => m.to === 'bob') as Mail
    for (const row of bob.rows) expect(row).toMatch(/^\/dev\/vd\w\s+-\+\s+0\s+0\s+0\s+5\s+3\s+20\s+3days$/)
    const carol = quotakit.find((m) => m.to === 'carol') as Mail
    expect(carol.rows).toHaveLength(3)
    for (const row of carol.rows) expect(row).toMatch(/^\/dev\/vd\w\s+-\+\s+0\s+0\s+0\s+3\s+3\s+0\s*$/)
    expect(bob.text).toMatch(/^Hello bob,\nyou are over quota on \S+ \(100% sure\):\n<fs><fs><fs>--\nThe admins of \S+\n$/)
    expect(ext4Device).toMatch(/^\/dev\/vd\w$/)
    expect(quotakitRaw).toContain(`\nLab ext4 (hidden quota)\nsecond line (${ext4Device})\n`)
  })

  it('grace over (clock moved 4 days): still the same, now `none`', async () => {
    await lab.advanceClock(4 * 86_400 * 1000)
    const {linuxquota, quotakit} = await bothWithCat()
    expectSameMails(linuxquota, quotakit)
    const bob = quotakit.find((m) => m.to === 'bob') as Mail
    for (const row of bob.rows) expect(row).toMatch(/\s+5\s+3\s+20\s+none$/)
  })
})

describe('over SMTP to a sink in the guest', () => {
  it('delivers one mail per offender with linuxquota\'s numbers; --cooldown suppresses the next run', async () => {
    await lab.writeFile('/tmp/sink.mjs', readFileSync(join(import.meta.dirname, 'fixtures/smtp-sink.mjs')))
    await ok(
      'node /tmp/sink.mjs 2525 /tmp/sink </dev/null >/tmp/sink.log 2>&1 & ' +
        'for i in $(seq 150); do [ -f /tmp/sink/ready ] && break; sleep 0.2; done; test -f /tmp/sink/ready',
    )
    const args = '-ug -c /tmp/wq.conf -q /tmp/quotatab -a /tmp/admins --smtp smtp://127.0.0.1:2525 --mail-domain lab.test --cooldown 1d --state /var/lib/quotakit/warnquota.json'
    const run = await lab.exec(`quotakit warnquota ${args} --json; echo "exit=$?" >&2`, {timeoutMs: 120_000})
    expect(run.stderr).toBe('exit=0\n')
    const result = JSON.parse(run.stdout)
    expect(schemaErrors('warnquota', result)).toEqual([])
    expect(result.summary).toMatchObject({offenders: 4, sent: 4, failed: 0, deferred: 0, exitStatus: 0})

    const files = (await ok('ls /tmp/sink')).split('\n').filter((f) => f.endsWith('.eml'))
    expect(files).toHaveLength(4)
    const received: Mail[] = []
    for (const f of files) {
      const envelope = JSON.parse((await lab.readFile(`/tmp/sink/${f.replace('.eml', '.json')}`)).toString())
      expect(envelope.from).toBe('quota@lab.test')
      received.push(...parseMails((await lab.readFile(`/tmp/sink/${f}`)).toString('utf8')))
      expect(envelope.to).toEqual([received.at(-1)?.to, 'root@lab.test'])
    }
    received.sort((a, b) => a.to.localeCompare(b.to) || a.text.localeCompare(b.text))

    // the same mails linuxquota writes now, addressed in the mail domain
    const {linuxquota} = await bothWithCat()
    const qualified = linuxquota.map((m) => ({
      ...m,
      to: `${m.to}@lab.test`,
      headers: m.headers.map((h) => h.replace(/^(To|Cc): (\w+)$/, '$1: $2@lab.test')),
    }))
    expect(received.map(withoutQuotakitHeaders)).toEqual(qualified)
    for (const m of received) expect(m.headers.filter((h) => /^(Date|Message-ID|Auto-Submitted): /.test(h))).toHaveLength(3)

    // the state file was written atomically, and the next run mails nobody
    const state = JSON.parse(await ok('cat /var/lib/quotakit/warnquota.json; ls -a /var/lib/quotakit >&2'))
    expect(Object.keys(state.offenders).sort()).toEqual(['group:50', 'user:1000', 'user:1001', 'user:1002'])
    const again = await lab.exec(`quotakit warnquota ${args} -v`, {timeoutMs: 120_000})
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('4 offenders: 0 sent, 0 failed, 0 deferred, 4 suppressed, 0 skipped')
    expect((await ok('ls /tmp/sink')).split('\n').filter((f) => f.endsWith('.eml'))).toHaveLength(4)
  })
})

describe('--dry-run --json on the real kernel', () => {
  it('validates against the schema and carries the kernel\'s numbers in bytes', async () => {
    const out = await ok('quotakit warnquota -u --dry-run --json -c /tmp/wq.conf -q /tmp/quotatab /mnt/xfs')
    const result = JSON.parse(out)
    expect(schemaErrors('warnquota', result)).toEqual([])
    expect(result.results.map((r: {name: string}) => r.name)).toEqual(['alice', 'bob', 'carol'])
    const alice = result.results[0].filesystems[0]
    expect(alice).toMatchObject({mountpoint: '/mnt/xfs', fstype: 'xfs', space: {usedBytes: 1 << 20, softLimitBytes: 512 * 1024, hardLimitBytes: 8192 * 1024, status: 'expired'}})
    expect(result.results[2].filesystems[0].inodes).toMatchObject({used: 3, softLimit: 3, graceExpiresAt: null, status: 'ok'})
  })
})
