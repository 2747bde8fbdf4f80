// Issue 6's proof on a real kernel (Linux 6.1 in the lab), on all three mounts, with the guest
// clock moved for real: grace periods set by quotakit read back by linuxquota's repquota; `grace
// show` against repquota's grace column; soft+hard enforcement after the grace; the
// notification-only policy (`grace reset` before each expiry through three grace periods); per-id
// timers written by set-user, read back equal (XFS too, including 40-bit times past 2038), unset;
// and reset's read-back detection against what each filesystem really honours.
//
// Phases run in order on one boot (the clock only moves forward):
//   A  grace set: repquota headers; a period of 0 needs --force
//   B  alice, bob, carol over their soft limits at staggered times: grace show == repquota -p
//   C  soft+hard: the clock passes alice's grace, her next write is EDQUOT, show marks her enforced
//   D  notification-only: bob over soft, `grace reset --all -a` every 400 s for 2000 s (grace 600 s)
//   E  set-user on carol: timers kept and equal to repquota's; 3000 weeks; unset
//   F  reset --method limits: restarted on ext4, not on XFS; auto finds what works
//   G  the contrib/ cron command and the systemd service's ExecStart run quietly and reset
// Node starts take ~3 s in the guest: each quotakit run covers all three mounts.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startLab, type ExecOptions, type ExecResult, type Lab} from '../../lab/index.js'
import {repoRoot} from '../../lab/paths.js'

const MOUNTS = ['/mnt/ext4', '/mnt/ext4v0', '/mnt/xfs'] as const
type Mount = (typeof MOUNTS)[number]
const ALL = MOUNTS.join(' ')
const GRACE = 600 // seconds, block and inode, user quota, from phase B on

let lab: Lab
let started = 0

async function run(command: string, options?: ExecOptions): Promise<ExecResult> {
  return lab.exec(command, {timeoutMs: 120_000, ...options})
}

async function ok(command: string, options?: ExecOptions): Promise<string> {
  const result = await run(command, options)
  expect(result, `${command}\n${result.stderr}`).toMatchObject({code: 0})
  return result.stdout
}

async function json(command: string, code = 0): Promise<any> {
  const result = await run(command)
  expect(result.code, `${command}\n${result.stderr}`).toBe(code)
  return JSON.parse(result.stdout)
}

/** One row of `repquota -p`: grace as the expiry in epoch seconds (0: none). */
interface RepRow {
  flags: string
  used: number
  soft: number
  hard: number
  btime: number
  iused: number
  isoft: number
  ihard: number
  itime: number
  line: string
}

const ROW = /^(\S+)\s+([-+]{2})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/

function parseRepquotaP(text: string): Map<string, RepRow> {
  const rows = new Map<string, RepRow>()
  for (const line of text.split('\n')) {
    const m = ROW.exec(line)
    if (!m) continue
    const [, name, flags, ...nums] = m
    const [used, soft, hard, btime, iused, isoft, ihard, itime] = nums.map(Number)
    rows.set(name, {flags, used, soft, hard, btime, iused, isoft, ihard, itime, line})
  }
  return rows
}

/** linuxquota's view of every user on every mount: repquota -v -p -u, one exec. */
async function repquota(flag = '-u'): Promise<Record<Mount, Map<string, RepRow>>> {
  const out = await ok(MOUNTS.map((m) => `echo "@@ ${m}"; repquota -v -p ${flag} ${m}`).join('; '))
  const parts = out.split(/^@@ /m).filter(Boolean)
  const result = {} as Record<Mount, Map<string, RepRow>>
  for (const part of parts) {
    const nl = part.indexOf('\n')
    result[part.slice(0, nl) as Mount] = parseRepquotaP(part.slice(nl + 1))
  }
  return result
}

async function header(flag: string, mount: string): Promise<string> {
  return (await ok(`repquota ${flag} ${mount} | sed -n 2p`)).trim()
}

const append = (user: string, mount: string, file: string, kib: number) =>
  run(`dd if=/dev/zero of=${mount}/shared/${file} bs=1024 count=${kib} oflag=append conv=notrunc,fsync`, {user})

interface ShowTimer {
  id: number
  name: string | null
  resource: 'space' | 'inodes'
  state: string
  enforced: boolean
  graceExpiresAtEpoch: number | null
}
interface ShowReport {
  mountpoint: string
  type: string
  blockGraceSeconds: number
  inodeGraceSeconds: number
  timers: ShowTimer[]
}

/** `grace show` per mount: name -> [block expiry, inode expiry] (0 when that side is not listed or not started). */
function showTimers(report: ShowReport): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>()
  for (const t of report.timers) {
    const key = t.name ?? `#${t.id}`
    const pair = out.get(key) ?? [0, 0]
    pair[t.resource === 'space' ? 0 : 1] = t.graceExpiresAtEpoch ?? 0
    out.set(key, pair)
  }
  return out
}

beforeAll(async () => {
  started = Date.now()
  lab = await startLab()
  console.log(`lab: ready ${lab.bootMs} ms after start (${lab.images.ms} ms of it building/checking images)`)
})

afterAll(async () => {
  await lab?.stop()
  console.log(`grace lab file: ${((Date.now() - started) / 1000).toFixed(1)} s wall, boot included`)
})

describe('A: grace set', () => {
  it('sets user, group and project periods that linuxquota\'s repquota header shows', async () => {
    const user = await json(`quotakit grace set --block 2h --inode 90m ${ALL} --json`)
    expect(user.filesystems.map((f: {mountpoint: string; status: string; after: unknown}) => [f.mountpoint, f.status, f.after])).toEqual(
      MOUNTS.map((m) => [m, 'applied', {blockGraceSeconds: 7200, inodeGraceSeconds: 5400}]),
    )
    await ok(`quotakit grace set -g --block 3d --inode 5d ${ALL} && quotakit grace set -P --block 1h --inode 36h /mnt/ext4 /mnt/xfs`)
    for (const m of MOUNTS) {
      expect(await header('-u', m), m).toBe('Block grace time: 02:00; Inode grace time: 01:30')
      expect(await header('-g', m), m).toBe('Block grace time: 3days; Inode grace time: 5days')
    }
    for (const m of ['/mnt/ext4', '/mnt/xfs']) expect(await header('-P', m), m).toBe('Block grace time: 01:00; Inode grace time: 36:00')
  })

  it('a period of 0 is refused without --force (saying why) and applied with it', async () => {
    const refused = await run(`quotakit grace set -g --block 0 ${ALL}`)
    expect(refused.code).toBe(64)
    expect(refused.stderr).toMatch(/refusing a grace period of 0: on vfsv1 a grace period of 0 means no grace/)
    for (const m of MOUNTS) expect(await header('-g', m), m).toBe('Block grace time: 3days; Inode grace time: 5days')
    const forced = await run(`quotakit grace set -g --block 0 --force ${ALL}`)
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stderr).toContain('warning: on vfsv0 a grace period of 0 means no grace')
    expect(forced.stderr).toContain('warning: on XFS a grace period of 0 means no grace')
    for (const m of MOUNTS) expect(await header('-g', m), m).toBe('Block grace time: 00:00; Inode grace time: 5days')
    await ok(`quotakit grace set -g --block 7d ${ALL}`)
  })
})

describe('B: grace show against repquota', () => {
  it('lists every id in grace with repquota\'s expiry, soonest first', async () => {
    await ok(`quotakit grace set --block ${GRACE} --inode ${GRACE} ${ALL}`)
    for (const m of MOUNTS) {
      await ok(`setquota -u alice 512 8192 0 0 ${m} && setquota -u bob 512 8192 0 0 ${m} && setquota -u carol 512 8192 2 100 ${m}`)
    }
    // Staggered crossings, so the expiries differ: alice, then bob 100 s later, then carol.
    for (const m of MOUNTS) expect((await append('alice', m, 'alice', 1024)).code).toBe(0)
    await lab.advanceClock(100_000)
    for (const m of MOUNTS) expect((await append('bob', m, 'bob', 1024)).code).toBe(0)
    await lab.advanceClock(100_000)
    for (const m of MOUNTS) {
      expect((await append('carol', m, 'carol', 1024)).code).toBe(0)
      await ok(`touch ${m}/shared/carol-1 ${m}/shared/carol-2`, {user: 'carol'}) // 3 inodes > soft 2
    }

    const show = await json('quotakit grace show -a --json')
    const rep = await repquota()
    expect(show.reports.map((r: ShowReport) => r.mountpoint).sort()).toEqual([...MOUNTS].sort())
    for (const report of show.reports as ShowReport[]) {
      const m = report.mountpoint as Mount
      expect([report.blockGraceSeconds, report.inodeGraceSeconds]).toEqual([GRACE, GRACE])
      // Every id with a grace time in repquota's column is listed with that time, and nothing else is.
      const fromRepquota = new Map([...rep[m]].filter(([, r]) => r.btime !== 0 || r.itime !== 0).map(([name, r]) => [name, [r.btime, r.itime]]))
      expect(Object.fromEntries(showTimers(report)), m).toEqual(Object.fromEntries(fromRepquota))
      expect(fromRepquota.size, m).toBe(3)
      // Soonest first.
      expect(report.timers.map((t) => `${t.name} ${t.resource}`), m).toEqual(['alice space', 'bob space', 'carol space', 'carol inodes'])
      expect(report.timers.every((t) => t.state === 'running' && !t.enforced), m).toBe(true)
    }
    // The human table carries repquota's words in its Grace column.
    const table = await ok('quotakit grace show /mnt/ext4')
    expect(table).toMatch(/^alice +block +1024K +512K +8192K +0\d:\d\d +\S+Z +running$/m)
  })
})

describe('C: policy soft+hard', () => {
  it('after the grace the next write is EDQUOT and grace show marks alice enforced', async () => {
    // bob and carol drop under their soft limits (the kernel clears their timers); alice stays over.
    for (const m of MOUNTS) await ok(`rm -f ${m}/shared/bob ${m}/shared/carol ${m}/shared/carol-*`)
    await ok('sync') // XFS frees blocks of removed files in the background (inodegc)
    await lab.advanceClock((GRACE + 60) * 1000)
    for (const m of MOUNTS) {
      const late = await append('alice', m, 'alice', 4)
      expect(late.code, `${m}: ${late.stderr}`).not.toBe(0)
      expect(late.stderr).toContain('Disk quota exceeded')
    }
    const show = await json('quotakit grace show -a --json')
    for (const report of show.reports as ShowReport[]) {
      expect(report.timers, report.mountpoint).toEqual([expect.objectContaining({name: 'alice', resource: 'space', state: 'expired', enforced: true, secondsLeft: 0})])
    }
    const rep = await repquota()
    for (const m of MOUNTS) expect(rep[m].get('alice')?.flags, m).toBe('+-')
    expect(await ok('repquota -u /mnt/ext4')).toMatch(/^alice\s+\+-\s+1024\s+512\s+8192\s+none/m)
  })
})

describe('D: policy notification-only', () => {
  it('grace reset before each expiry keeps writes below the hard limit succeeding through three grace periods', async () => {
    for (const m of MOUNTS) await ok(`rm -f ${m}/shared/alice`) // alice: limits, no usage
    await ok('sync')
    for (const m of MOUNTS) {
      expect((await append('bob', m, 'bob', 1024)).code).toBe(0) // over soft: timer starts
      expect((await append('carol', m, 'carol', 100)).code).toBe(0) // under soft: an untouched id with usage
    }
    const t0 = (await lab.now()).getTime()
    let writes = 0
    for (let step = 1; step <= 5; step++) {
      await lab.advanceClock(400_000) // 2/3 of the grace: before the expiry
      const before = await repquota()
      const groupsBefore = await repquota('-g')
      const reset = await json('quotakit grace reset --all -a --json')
      const after = await repquota()
      const groupsAfter = await repquota('-g')
      for (const report of reset.reports) {
        const m = report.mountpoint as Mount
        expect(report.method, m).toBe('expiry')
        expect(report.entries.map((e: {name: string; resource: string; action: string; readBack: string}) => [e.name, e.resource, e.action, e.readBack]), `${m} step ${step}`).toEqual([
          ['bob', 'space', 'reset', 'kept'],
        ])
        const [entry] = report.entries
        const b = before[m].get('bob') as RepRow
        const a = after[m].get('bob') as RepRow
        // The timer is the one written; usage and limits are untouched.
        expect(a.btime, m).toBe(entry.after.expiresAtEpoch)
        expect(a.btime, m).toBe(entry.target.expiresAtEpoch)
        expect(b.btime, m).toBe(entry.before.expiresAtEpoch)
        expect(a.btime - reset.nowEpoch, m).toBe(GRACE)
        expect({...a, btime: 0, line: ''}, m).toEqual({...b, btime: 0, line: ''})
        // Every other id: exactly as before, in the user and the group reports.
        for (const [name, row] of before[m]) if (name !== 'bob') expect(after[m].get(name)?.line, `${m} ${name}`).toBe(row.line)
        expect([...groupsAfter[m].values()].map((r) => r.line), m).toEqual([...groupsBefore[m].values()].map((r) => r.line))
      }
      // Writes below the hard limit keep succeeding.
      for (const m of MOUNTS) {
        const write = await append('bob', m, 'bob', 16)
        expect(write.code, `${m} step ${step}: ${write.stderr}`).toBe(0)
      }
      writes += 16
    }
    const elapsed = ((await lab.now()).getTime() - t0) / 1000
    expect(elapsed).toBeGreaterThan(3 * GRACE)
    const rep = await repquota()
    const guestNow = Math.floor((await lab.now()).getTime() / 1000)
    for (const m of MOUNTS) {
      expect(rep[m].get('bob')?.used, m).toBeGreaterThanOrEqual(1024 + writes)
      expect(rep[m].get('bob')?.btime, m).toBeGreaterThan(guestNow) // a timer, still running
    }
    const show = await json('quotakit grace show -a --json')
    for (const report of show.reports as ShowReport[]) {
      expect(report.timers.map((t) => [t.name, t.state, t.enforced]), report.mountpoint).toEqual([['bob', 'running', false]])
    }
  })
})

describe('E: per-id timers with set-user', () => {
  it('writes timers for any id and reads them back equal, XFS too (also past 2038), and unset clears them', async () => {
    for (const m of MOUNTS) await ok(`rm -f ${m}/shared/bob`)
    await ok('sync')
    // Under the soft limit: written, and the kernel keeps no timer.
    const under = await json(`quotakit grace set-user carol --block 2d ${ALL} --json`)
    expect(under.items.map((i: {timers: Array<{outcome: string}>}) => i.timers[0].outcome)).toEqual(['dropped', 'dropped', 'dropped'])
    // Over both soft limits.
    for (const m of MOUNTS) {
      expect((await append('carol', m, 'carol', 1024)).code).toBe(0)
      await ok(`touch ${m}/shared/carol-1 ${m}/shared/carol-2`, {user: 'carol'})
    }
    for (const [block, inode] of [['2d', '3h'], ['3000w', '90m']]) {
      const out = await json(`quotakit grace set-user carol --block ${block} --inode ${inode} ${ALL} --json`)
      const rep = await repquota()
      expect(out.items).toHaveLength(3)
      for (const item of out.items) {
        const m = item.mountpoint as Mount
        expect(item.timers.map((t: {resource: string; outcome: string}) => [t.resource, t.outcome]), m).toEqual([
          ['space', 'kept'],
          ['inodes', 'kept'],
        ])
        const [space, inodes] = item.timers
        expect(space.after, m).toEqual(space.requested)
        expect(inodes.after, m).toEqual(inodes.requested)
        const row = rep[m].get('carol') as RepRow
        expect([row.btime, row.itime], m).toEqual([space.after.expiresAtEpoch, inodes.after.expiresAtEpoch])
        if (block === '3000w') expect(row.btime, m).toBeGreaterThan(2 ** 31) // past 2038: XFS bigtime, 40-bit
      }
    }
    // unset: cleared on ext4 (vfsv1, vfsv0); refused on XFS, where it would enforce the soft limit at once.
    const unset = await run(`quotakit grace set-user carol --block unset --inode unset ${ALL} --json`)
    expect(unset.code).toBe(1)
    expect(unset.stderr).toContain('/mnt/xfs: carol: not clearing the block timer')
    const items = JSON.parse(unset.stdout).items as Array<{mountpoint: string; timers: Array<{outcome: string; after: unknown}>}>
    expect(items.map((i) => [i.mountpoint, i.timers.map((t) => t.outcome)])).toEqual([
      ['/mnt/ext4', ['kept', 'kept']],
      ['/mnt/ext4v0', ['kept', 'kept']],
      ['/mnt/xfs', ['refused', 'refused']],
    ])
    const rep = await repquota()
    for (const m of ['/mnt/ext4', '/mnt/ext4v0'] as const) expect([rep[m].get('carol')?.btime, rep[m].get('carol')?.itime], m).toEqual([0, 0])
    expect(rep['/mnt/xfs'].get('carol')?.btime).toBeGreaterThan(2 ** 31) // untouched
    // Why XFS refuses: forced, the kernel stores its earliest expiry instead of 0, and enforces at once.
    const forced = await json('quotakit grace set-user carol --block unset --force /mnt/xfs --json', 1)
    expect(forced.items[0].timers[0]).toMatchObject({outcome: 'ignored', after: {expiresAtEpoch: expect.any(Number)}})
    expect(forced.items[0].timers[0].after.expiresAtEpoch).toBeLessThan(3600)
    const blocked = await append('carol', '/mnt/xfs', 'carol', 4)
    expect(blocked.stderr).toContain('Disk quota exceeded')
  })
})

describe('F: reset detects what each filesystem honours', () => {
  it('re-applying limits restarts a timer on ext4 but not on XFS; auto writes an expiry there', async () => {
    // carol is over her soft limits everywhere; ext4 timers were unset (not started): one write starts them.
    for (const m of ['/mnt/ext4', '/mnt/ext4v0']) expect((await append('carol', m, 'carol', 4)).code).toBe(0)
    const forced = await run(`quotakit grace reset carol --method limits ${ALL} --json`)
    expect(forced.code).toBe(1) // XFS
    interface Entry {
      resource: string
      action: string
      readBack: string
      method: string
    }
    interface Report {
      mountpoint: string
      method: string
      entries: Entry[]
    }
    const space = (r: Report) => r.entries.find((e) => e.resource === 'space') as Entry
    const out = JSON.parse(forced.stdout) as {reports: Report[]}
    expect(out.reports.map((r) => [r.mountpoint, space(r).action, space(r).readBack])).toEqual([
      ['/mnt/ext4', 'reset', 'restarted'],
      ['/mnt/ext4v0', 'reset', 'restarted'],
      ['/mnt/xfs', 'failed', 'ignored'],
    ])
    expect(forced.stderr).toContain('/mnt/xfs: carol: the kernel did not restart the block grace timer (tried re-applying the limits;')
    const auto = (await json(`quotakit grace reset carol ${ALL} --json`)) as {reports: Report[]}
    for (const r of auto.reports) {
      expect(r.method, r.mountpoint).toBe('expiry')
    }
    const xfsSpace = space(auto.reports[2])
    expect([xfsSpace.action, xfsSpace.method, xfsSpace.readBack]).toEqual(['reset', 'expiry', 'kept'])
    // The expired XFS timer is running again: carol can write.
    expect((await append('carol', '/mnt/xfs', 'carol', 4)).code).toBe(0)
  })
})

describe('G: the contrib/ jobs', () => {
  const cron = readFileSync(join(repoRoot, 'contrib/quotakit-grace-reset.cron'), 'utf8')
  const cronLine = cron.split('\n').filter((l) => /^\d/.test(l))
  const service = readFileSync(join(repoRoot, 'contrib/quotakit-grace-reset.service'), 'utf8')
  const execStart = /^ExecStart=\S+ (.*)$/m.exec(service)?.[1]

  it('the cron command runs as root, silently, and restarts the timers', async () => {
    expect(cronLine).toHaveLength(1)
    const [, , , , , user, ...command] = cronLine[0].trim().split(/\s+/)
    expect(user).toBe('root')
    await lab.advanceClock(300_000) // carol's timers (restarted in F) are half gone
    // The guest has no util-linux flock(1) (every distribution's base system does): stand in for
    // it by running its command, so what is proven here is the quotakit part of the line.
    const noFlock = 'command -v flock >/dev/null || flock() { while [ "${1#-}" != "$1" ]; do shift; done; shift; "$@"; }'
    const result = await run(`${noFlock}; ${command.join(' ')}`)
    expect(result).toMatchObject({code: 0, stdout: '', stderr: ''})
    const guestNow = Math.floor((await lab.now()).getTime() / 1000)
    const rep = await repquota()
    for (const m of MOUNTS) {
      const left = (rep[m].get('carol') as RepRow).btime - guestNow
      expect(left, m).toBeGreaterThan(GRACE - 30)
      expect(left, m).toBeLessThanOrEqual(GRACE)
    }
  })

  it("the systemd service's ExecStart runs the same reset; running again only restarts the same timers", async () => {
    expect(execStart).toBe('grace reset -u --all -a -n')
    const before = await repquota()
    const out = await json(`quotakit ${execStart} --json`)
    for (const r of out.reports) {
      expect(r.entries.map((e: {name: string | null; id: number; resource: string; action: string}) => [e.id, e.resource, e.action]), r.mountpoint).toEqual([
        [1002, 'space', 'reset'],
        [1002, 'inodes', 'skipped'],
      ])
    }
    const after = await repquota()
    for (const m of MOUNTS) {
      for (const [name, row] of before[m]) {
        if (name === 'carol') expect((after[m].get(name) as RepRow).btime, m).toBeGreaterThanOrEqual(row.btime)
        else expect(after[m].get(name)?.line, `${m} ${name}`).toBe(row.line)
      }
    }
  })
})
