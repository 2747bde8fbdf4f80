// quotacheck on the real kernel (lab/README.md), with linuxquota and the kernel as oracles:
//   - after `sync`, the scan equals the kernel's usage for every id on all three mounts, with hard
//     links, sparse files, directories, symlinks, FIFOs and files of other projects;
//   - drift made behind the kernel's back is reported per id, --fix removes it (vfsv0 through
//     Q_SETQUOTA, and ext4's hidden quota too), and linuxquota's own recount agrees afterwards;
//   - files written by `quotacheck -c` are accepted by the kernel (quotaon) and are byte for byte
//     what linuxquota's quotacheck writes; limits survive a rebuild without -c; -f works while on;
//   - -c refuses on ext4 hidden quota and XFS; --remount-ro; repquota -F vfsv0 with quota off.
// One boot. quotakit runs are batched where possible: node starts take seconds in the guest.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type ExecResult, type Lab, startLab} from '../../lab/index.js'

let lab: Lab
const LONG = {timeoutMs: 280_000}

async function sh(command: string): Promise<ExecResult> {
  return lab.exec(command, LONG)
}

async function ok(command: string): Promise<string> {
  const r = await sh(command)
  expect(r, `${command}\n${r.stderr}`).toMatchObject({code: 0})
  return r.stdout
}

interface TypeJson {
  type: string
  status: string
  source: string
  ids: number
  drift: Array<{id: number; name: string | null; deltaBytes: number; deltaInodes: number; fix: {status: string} | null}>
  file: {path: string; format: string; keptLimits: boolean; quotaRestarted: boolean} | null
  error: {message: string} | null
}
interface FsJson {
  mountpoint: string
  scan: {method: string; fallback: string | null; threads: number; files: number; directories: number; extraLinks: number; hiddenInodes: number; remountedReadOnly: boolean; issues: unknown[]} | null
  types: TypeJson[]
}

/** quotakit quotacheck ARGS --json: exit code and parsed result. */
async function quotacheck(args: string): Promise<{code: number; out: {filesystems: FsJson[]}; stderr: string}> {
  const r = await sh(`quotakit quotacheck ${args} --json`)
  let out: {filesystems: FsJson[]}
  try {
    out = JSON.parse(r.stdout)
  } catch {
    throw new Error(`quotakit quotacheck ${args}: exit ${r.code}, not JSON:\n${r.stdout}\n${r.stderr}`)
  }
  return {code: r.code, out, stderr: r.stderr}
}

const statuses = (fs: FsJson) => fs.types.map((t) => `${t.type}:${t.status}`)

/** alice, bob, carol: hard links, a sparse file, symlinks, a FIFO, nested directories; carol in the project directories. */
const POPULATE = `
set -e
for m in /mnt/ext4 /mnt/ext4v0 /mnt/xfs; do
  runas alice sh -c "mkdir -p $m/shared/alice/deep/er && dd if=/dev/zero of=$m/shared/alice/f bs=1k count=37 2>/dev/null &&
    ln $m/shared/alice/f $m/shared/alice/f2 && ln $m/shared/alice/f $m/shared/alice/deep/f3 && ln -s f $m/shared/alice/sym &&
    truncate -s 5M $m/shared/alice/sparse && dd if=/dev/zero of=$m/shared/alice/sparse bs=1k count=4 seek=2000 conv=notrunc 2>/dev/null"
  runas bob sh -c "mkdir -p $m/shared/bob/d1/d2 && dd if=/dev/zero of=$m/shared/bob/d1/d2/g bs=1k count=100 2>/dev/null &&
    ln -s /nonexistent/target/far/away/beyond/sixty/characters/so/it/is/not/fast $m/shared/bob/long && mkfifo $m/shared/bob/fifo"
  runas carol sh -c "dd if=/dev/zero of=$m/shared/carol bs=1k count=9 2>/dev/null"
  chgrp staff $m/shared/bob/d1/d2/g
done
for m in /mnt/ext4 /mnt/xfs; do
  runas carol sh -c "dd if=/dev/zero of=$m/web/c1 bs=1k count=20 2>/dev/null && mkdir $m/web/sub && dd if=/dev/zero of=$m/web/sub/c2 bs=1k count=3 2>/dev/null &&
    ln -s c1 $m/web/csym && dd if=/dev/zero of=$m/db/c3 bs=1k count=7 2>/dev/null && dd if=/dev/zero of=$m/web/other bs=1k count=11 2>/dev/null"
  /usr/bin/chattr -p 43 $m/web/other
done
sync
`

beforeAll(async () => {
  lab = await startLab()
  console.log(`lab: ready ${lab.bootMs} ms after start`)
  await ok(POPULATE)
})

afterAll(async () => {
  await lab?.stop()
})

describe('the scan equals the kernel', () => {
  it('on /mnt/ext4 and /mnt/xfs for users, groups and projects, after sync', async () => {
    const {code, out, stderr} = await quotacheck('-ugP /mnt/ext4 /mnt/xfs')
    expect(stderr).toBe('')
    // as root, ext4 is read from its inode tables; XFS is walked
    expect(out.filesystems.map((f) => [f.scan!.method, f.scan!.fallback])).toEqual([
      ['inode-table', null],
      ['walk', null],
    ])
    for (const fs of out.filesystems) {
      expect(statuses(fs), `${fs.mountpoint}: ${JSON.stringify(fs.types.map((t) => t.drift))}`).toEqual(['user:consistent', 'group:consistent', 'project:consistent'])
      expect(fs.scan).toMatchObject({extraLinks: 2, issues: []})
      // root, alice, bob, carol; groups the same plus staff; projects 0, 42 and 43 (the file moved to db's project)
      expect(fs.types.map((t) => t.ids)).toEqual([4, 5, 3])
    }
    // XFS charges its realtime bitmap and summary inodes to id 0: read from the superblock
    expect(out.filesystems.map((f) => f.scan!.hiddenInodes)).toEqual([0, 2])
    expect(code).toBe(0)
  })

  it('on /mnt/ext4v0 (vfsv0 files, the quota files themselves not counted)', async () => {
    const {code, out} = await quotacheck('-ug /mnt/ext4v0')
    expect(out.filesystems[0].scan!.method).toBe('inode-table')
    expect(statuses(out.filesystems[0])).toEqual(['user:consistent', 'group:consistent'])
    expect(out.filesystems[0].types.map((t) => t.source)).toEqual(['kernel', 'kernel'])
    expect(code).toBe(0)
  })

  it('on both ext4 mounts by walking the tree too (--scan walk), with the same counts as the inode tables', async () => {
    const walked = await quotacheck('-ug --scan walk /mnt/ext4 /mnt/ext4v0')
    // --threads 2: the main thread and one worker share the inode tables
    const read = await quotacheck('-ug --scan inodes --threads 2 /mnt/ext4 /mnt/ext4v0')
    for (const [i, fs] of walked.out.filesystems.entries()) {
      expect(fs.scan!.method).toBe('walk')
      expect(read.out.filesystems[i].scan).toMatchObject({method: 'inode-table', threads: 1})
      expect(statuses(fs), fs.mountpoint).toEqual(['user:consistent', 'group:consistent'])
      expect(statuses(read.out.filesystems[i]), fs.mountpoint).toEqual(['user:consistent', 'group:consistent'])
      const counts = (f: FsJson) => [f.scan!.files, f.scan!.directories, f.scan!.extraLinks]
      expect(counts(read.out.filesystems[i])).toEqual(counts(fs))
    }
    expect([walked.code, read.code]).toEqual([0, 0])
  })

  it('a file deleted while still open: the kernel still charges it, the inode tables show it, a walk cannot', async () => {
    await ok(`runas alice sh -c 'dd if=/dev/zero of=/mnt/ext4/shared/alice/held bs=1k count=64 2>/dev/null; exec 3</mnt/ext4/shared/alice/held; rm /mnt/ext4/shared/alice/held; echo $$ >/tmp/holder; exec sleep 600' >/dev/null 2>&1 &
      while [ ! -s /tmp/holder ]; do sleep 0.1; done; sleep 0.5; sync`)
    try {
      const read = await quotacheck('-u /mnt/ext4')
      expect(statuses(read.out.filesystems[0])).toEqual(['user:consistent'])
      const walked = await quotacheck('-u --scan walk /mnt/ext4')
      expect(walked.out.filesystems[0].types[0].drift.map((d) => [d.id, d.deltaInodes, d.deltaBytes])).toEqual([[1000, -1, -65536]])
    } finally {
      await ok('kill $(cat /tmp/holder); rm -f /tmp/holder; sleep 0.5; sync')
    }
  })
})

describe('drift', () => {
  it('on vfsv0: usage changed with quota off is reported per id, --fix removes it, linuxquota\'s recount agrees', async () => {
    await ok(`quotaoff -ug /mnt/ext4v0
      runas alice sh -c 'dd if=/dev/zero of=/mnt/ext4v0/shared/alice/behind bs=1k count=64 2>/dev/null; mkdir /mnt/ext4v0/shared/alice/newdir'
      rm /mnt/ext4v0/shared/bob/d1/d2/g
      quotaon -ug /mnt/ext4v0
      sync`)
    const check = await quotacheck('-ug /mnt/ext4v0')
    expect(check.code).toBe(1)
    const [user, group] = check.out.filesystems[0].types
    expect(user.status).toBe('drift')
    // alice: a 64 KiB file and a directory more; bob: the 100 KiB file less
    expect(user.drift.map((d) => [d.name, d.deltaInodes])).toEqual([
      ['alice', 2],
      ['bob', -1],
    ])
    expect(user.drift[0].deltaBytes).toBeGreaterThan(64 * 1024)
    expect(user.drift[1].deltaBytes).toBeLessThanOrEqual(-100 * 1024)
    // the removed file's group was staff (50); alice's group (1000) gained
    expect(group.drift.map((d) => [d.name, d.deltaInodes])).toEqual([
      ['staff', -1],
      ['alice', 2],
    ])

    const fix = await quotacheck('-ug --fix /mnt/ext4v0')
    expect(fix.code, fix.stderr).toBe(0)
    expect(statuses(fix.out.filesystems[0])).toEqual(['user:fixed', 'group:fixed'])
    expect(fix.out.filesystems[0].types[0].drift.every((d) => d.fix?.status === 'applied')).toBe(true)

    const after = await quotacheck('-ug /mnt/ext4v0')
    expect(statuses(after.out.filesystems[0])).toEqual(['user:consistent', 'group:consistent'])
    // linuxquota's repquota after the fix, then after linuxquota's own recount: the same report
    const fixed = await ok('repquota -ug /mnt/ext4v0')
    const recounted = await ok('quotaoff -ug /mnt/ext4v0 && quotacheck -ug -m /mnt/ext4v0 && quotaon -ug /mnt/ext4v0 && repquota -ug /mnt/ext4v0')
    expect(fixed).toBe(recounted)
    expect(fixed).toMatch(/^alice\s+--\s+\d+/m)
  })

  it('on ext4\'s hidden quota: --fix corrects usage through quotactl', async () => {
    const before = await ok('repquota -u /mnt/ext4')
    // Make drift: set alice's usage in the kernel to nonsense (Q_SETQUOTA with QIF_SPACE|QIF_INODES).
    await ok(`cd /opt/quotakit && node --input-type=module -e "
      const {LinuxBackend} = await import('/opt/quotakit/dist/src/sys/linux-backend.js')
      const b = new LinuxBackend()
      const fs = b.filesystems().find((f) => f.mountpoint === '/mnt/ext4')
      b.setQuota(fs, 'user', 1000, {usedBytes: 123 * 1024, inodesUsed: 77})
    "`)
    expect(await ok('repquota -u /mnt/ext4')).toMatch(/^alice\s+--\s+123\s+0\s+0\s+77\s/m)
    const check = await quotacheck('-u /mnt/ext4')
    expect(check.code).toBe(1)
    expect(check.out.filesystems[0].types[0].drift.map((d) => [d.name, d.deltaInodes])).toHaveLength(1)
    const fix = await quotacheck('-u --fix /mnt/ext4')
    expect(fix.code, fix.stderr).toBe(0)
    expect(await ok('repquota -u /mnt/ext4')).toBe(before)
  })

  it('XFS: nothing to fix is success', async () => {
    const {code, out} = await quotacheck('-ugP --fix /mnt/xfs')
    expect(statuses(out.filesystems[0])).toEqual(['user:consistent', 'group:consistent', 'project:consistent'])
    expect(code).toBe(0)
  })
})

describe('quota files', () => {
  it('-c with quota on is refused with linuxquota\'s exit 6', async () => {
    const r = await sh('quotakit quotacheck -cug /mnt/ext4v0')
    expect(r.code).toBe(6)
    expect(r.stderr).toContain('user quota is on, so rewriting its file could damage it')
  })

  it('-c after quotaoff: accepted by the kernel; repquota equals the scan; linuxquota\'s quotacheck gives the same files and report', async () => {
    await ok('quotaoff -ug /mnt/ext4v0 && sync')
    const made = await quotacheck('-cug /mnt/ext4v0')
    expect(made.code, made.stderr).toBe(0)
    expect(statuses(made.out.filesystems[0])).toEqual(['user:written', 'group:written'])
    await ok('cp /mnt/ext4v0/aquota.user /tmp/ours.user && cp /mnt/ext4v0/aquota.group /tmp/ours.group')
    await ok('quotaon -ug /mnt/ext4v0')
    const ours = await ok('repquota -ug /mnt/ext4v0')
    // the kernel, now reading our files, agrees with a fresh scan
    const check = await quotacheck('-ug /mnt/ext4v0')
    expect(statuses(check.out.filesystems[0])).toEqual(['user:consistent', 'group:consistent'])
    // linuxquota's quotacheck on the same state
    const theirs = await ok('quotaoff -ug /mnt/ext4v0 && sync && quotacheck -cug -m -F vfsv0 /mnt/ext4v0 && quotaon -ug /mnt/ext4v0 && repquota -ug /mnt/ext4v0')
    expect(ours).toBe(theirs)
    await ok('cmp /tmp/ours.user /mnt/ext4v0/aquota.user && cmp /tmp/ours.group /mnt/ext4v0/aquota.group')
  })

  it('limits survive a rebuild without -c (--fix with quota off); repquota -F vfsv0 reads the file meanwhile', async () => {
    await ok('quotaoff -ug /mnt/ext4v0 && setquota -u alice 1000 2000 10 20 /mnt/ext4v0 && setquota -g staff 3000 4000 0 0 /mnt/ext4v0')
    await ok(`runas bob sh -c 'dd if=/dev/zero of=/mnt/ext4v0/shared/bob/more bs=1k count=30 2>/dev/null' && sync`)
    const r = await sh('quotakit repquota -F vfsv0 -ug /mnt/ext4v0')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(await ok('repquota -F vfsv0 -ug /mnt/ext4v0'))
    const rebuilt = await quotacheck('-ug --fix /mnt/ext4v0')
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    expect(rebuilt.out.filesystems[0].types.map((t) => [t.status, t.source, t.file?.keptLimits])).toEqual([
      ['written', 'file', true],
      ['written', 'file', true],
    ])
    expect(rebuilt.out.filesystems[0].types[0].drift.map((d) => d.name)).toEqual(['bob'])
    await ok('quotaon -ug /mnt/ext4v0')
    const report = await ok('repquota -v -ug /mnt/ext4v0')
    expect(report).toMatch(/^alice\s+--\s+\d+\s+1000\s+2000\s+\d+\s+10\s+20\s*$/m)
    expect(report).toMatch(/^staff\s+--\s+\d+\s+3000\s+4000\s/m)
    const check = await quotacheck('-ug /mnt/ext4v0')
    expect(statuses(check.out.filesystems[0])).toEqual(['user:consistent', 'group:consistent'])
  })

  it('--remount-ro scans read-only and leaves the filesystem read-write with quota on', async () => {
    const {code, out, stderr} = await quotacheck('-ug --remount-ro /mnt/ext4v0')
    expect(code, stderr).toBe(0)
    expect(out.filesystems[0].scan!.remountedReadOnly).toBe(true)
    expect(statuses(out.filesystems[0]), JSON.stringify(out.filesystems[0].types.map((t) => t.drift))).toEqual(['user:consistent', 'group:consistent'])
    expect(await ok("grep ' /mnt/ext4v0 ' /proc/mounts")).toMatch(/ rw[, ]/)
    expect(await ok('quotaon -p /mnt/ext4v0 || true')).toMatch(/group quota on \/mnt\/ext4v0 \(\/dev\/vd\w\) is on/)
  })

  it('-f rewrites while quota is on: off, rename, on; limits kept with --fix, lost with -c', async () => {
    const forced = await quotacheck('-cugf -b /mnt/ext4v0')
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.out.filesystems[0].types.map((t) => t.file?.quotaRestarted)).toEqual([true, true])
    expect(await ok('quotaon -p /mnt/ext4v0 || true')).toMatch(/user quota on \/mnt\/ext4v0 \(\/dev\/vd\w\) is on/)
    expect(await ok('repquota -u /mnt/ext4v0')).not.toMatch(/^alice\s+--\s+\d+\s+1000/m)
    // the old files, kept by -b, are ordinary files again: created with quota off, they were never
    // charged, so from now on they are drift against root (as with linuxquota)
    await ok('ls /mnt/ext4v0/aquota.user~ /mnt/ext4v0/aquota.group~')
  })

  it('-c refuses on ext4 hidden quota and on XFS (exit 69), naming who maintains it', async () => {
    const ext4 = await sh('quotakit quotacheck -c /mnt/ext4')
    expect(ext4.code).toBe(69)
    expect(ext4.stderr).toContain('e2fsck')
    const xfs = await sh('quotakit quotacheck -c /mnt/xfs')
    expect(xfs.code).toBe(69)
    expect(xfs.stderr).toContain('XFS keeps user quota in its own metadata')
  })
})
