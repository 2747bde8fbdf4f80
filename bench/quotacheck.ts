// quotacheck's scan at scale (issue 5), two comparisons:
//
//   host: the scanner's tree walk (src/scan, worker threads, default count) over a tree of N files
//         (default 1 000 000) against `du -s --inodes` plus `du -s` on the same tree, which
//         together read what a walk needs (inodes and blocks). Goal: at most 1.5x. The scanner's
//         peak RSS (Node's maxRSS, workers included) is reported; goal < 300 MB.
//   lab:  in one lab boot with 2 vCPUs (QUOTAKIT_BENCH_LAB_CPUS), on an ext4 filesystem mounted
//         usrquota,grpquota holding N files (default 1 000 000; QUOTAKIT_BENCH_LAB_FILES),
//         `quotakit quotacheck -cug` against linuxquota's `quotacheck -cugm` (both write new
//         files, neither remounts). Goal: at most 1.0x. Both write byte-identical files, checked.
//         Both read the ext4 inode tables from the block device (Debian's quotacheck through
//         libext2fs, EXT2_DIRECT; quotakit through src/scan/ext4). The image is made on the host
//         with mkfs.ext4 -d (creating a million files under TCG would take hours) and attached
//         as an extra virtio disk (a snapshot: the guest's writes never reach the host file).
//
// The host tree is kept in QUOTAKIT_BENCH_TREE (default $TMPDIR/quotakit-bench-tree-N) between
// runs; a marker file says it is complete. The lab image is kept next to it
// ($TMPDIR/quotakit-bench-N.img, made again when the tree is newer).

import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LabDepsError, type Lab, startLab} from '../lab/index.js'
import {findHost} from '../lab/host.js'
import type {Benchmark, BenchContext, ResultTable} from './harness.js'
import {hyperfine, hyperfineVersion} from './hyperfine.js'
import {measurement} from './stats.js'

const HOST_GOAL = 1.5
const LAB_GOAL = 1.0
const RSS_GOAL_MB = 300

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name])
  return Number.isInteger(v) && v > 0 ? v : fallback
}

/** N files in directories of 1000, every fourth with 3000 bytes (the rest empty). */
function makeTree(root: string, files: number): void {
  const marker = join(root, '.complete')
  if (existsSync(marker)) return
  rmSync(root, {recursive: true, force: true})
  const data = Buffer.alloc(3000, 120)
  for (let i = 0; i < files; i++) {
    const dir = join(root, `a${Math.floor(i / 10_000)}`, `b${Math.floor(i / 1000) % 10}`)
    if (i % 1000 === 0) mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, `f${i % 1000}`), i % 4 === 0 ? data : '')
  }
  writeFileSync(marker, '')
}

const SCAN_DRIVER = (root: string) => `
import {scanTree} from ${JSON.stringify(new URL('../src/scan/scanner.js', import.meta.url).pathname)}
const r = await scanTree({root: ${JSON.stringify(root)}, projects: false, mountpoints: []})
process.stdout.write(JSON.stringify({threads: r.threads, files: r.counters.files, maxRssKiB: process.resourceUsage().maxRSS}))
`

async function hostTable(ctx: BenchContext): Promise<ResultTable> {
  const files = envInt('QUOTAKIT_BENCH_FILES', 1_000_000)
  const tree = process.env.QUOTAKIT_BENCH_TREE ?? join(tmpdir(), `quotakit-bench-tree-${files}`)
  process.stderr.write(`bench: quotacheck: tree of ${files} files in ${tree}\n`)
  makeTree(tree, files)
  const driver = join(tmpdir(), `quotakit-bench-scan-${process.pid}.mjs`)
  writeFileSync(driver, SCAN_DRIVER(tree))
  try {
    const probe = spawnSync(process.execPath, [driver], {encoding: 'utf8'})
    if (probe.status !== 0) throw new Error(`scan driver failed: ${probe.stderr}`)
    const info = JSON.parse(probe.stdout) as {threads: number; files: number; maxRssKiB: number}
    const runs = Math.min(ctx.runs, 5)
    const measurements = hyperfine(
      [
        {name: 'du -s --inodes + du -s', command: `sh -c "du -s --inodes ${tree} >/dev/null && du -s ${tree} >/dev/null"`},
        {name: 'quotakit scanner', command: `${process.execPath} ${driver}`},
      ],
      {warmup: 1, runs, cwd: ctx.root},
    )
    const rssMB = Math.round(info.maxRssKiB / 1024)
    return {
      title: `quotacheck scan on the host (${files.toLocaleString('en-US')} files)`,
      baseline: 'du -s --inodes + du -s',
      measurements,
      goals: [{name: 'quotakit scanner', maxRatio: HOST_GOAL}],
      notes: [
        `the scanner used ${info.threads} worker thread(s) and counted ${info.files} files; peak RSS ${rssMB} MB (goal < ${RSS_GOAL_MB} MB: ${rssMB < RSS_GOAL_MB ? 'met' : 'not met'})`,
        'warm cache: every command reads the same inodes the run before it did',
      ],
    }
  } finally {
    rmSync(driver, {force: true})
  }
}

// ------------------------------------------------------------------ the lab

const GUEST_TIMER = String.raw`
import {spawnSync} from 'node:child_process'
const [cmd, ...args] = process.argv.slice(2)
const t0 = process.hrtime.bigint()
const r = spawnSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe']})
process.stdout.write(JSON.stringify({ms: Number(process.hrtime.bigint() - t0) / 1e6, code: r.status, stderr: String(r.stderr).slice(-300)}) + '\n')
`

async function guest(lab: Lab, command: string, timeoutMs = 4 * 3_600_000): Promise<string> {
  const r = await lab.exec(command, {timeoutMs})
  if (r.code !== 0) throw new Error(`lab: ${command} exited ${r.code}: ${r.stderr}`)
  return r.stdout
}


/** An ext4 image holding a tree of `files` files, made on the host (mkfs.ext4 -d: creating files under TCG is slow), sparse. */
function benchImage(files: number): string {
  const tree = join(tmpdir(), `quotakit-bench-tree-${files}`)
  makeTree(tree, files)
  const img = join(tmpdir(), `quotakit-bench-${files}.img`)
  if (existsSync(img) && statSync(img).mtimeMs > statSync(join(tree, '.complete')).mtimeMs) return img
  process.stderr.write(`bench: quotacheck: making an ext4 image of ${files} files (mkfs.ext4 -d)\n`)
  // a block per non-empty file (every fourth), the inode tables, directories and the journal, with room to spare
  const mib = Math.ceil((files / 4) * 4096 * 1.3 / 2 ** 20 + ((files + 65_536) * 256) / 2 ** 20) + 512
  const tmp = `${img}.tmp`
  rmSync(tmp, {force: true})
  const mkfs = spawnSync('mkfs.ext4', ['-q', '-F', '-b', '4096', '-N', String(files + 65_536), '-d', tree, tmp, `${mib}M`], {encoding: 'utf8'})
  if (mkfs.status !== 0) throw new Error(`mkfs.ext4 -d failed: ${mkfs.stderr}`)
  renameSync(tmp, img)
  return img
}

/** The guest's device for the disk qemu was given with serial=lab-bench. */
const FIND_DISK = 'for d in /sys/block/vd*; do [ "$(cat $d/serial 2>/dev/null)" = lab-bench ] && echo /dev/${d##*/}; done'

async function labTable(): Promise<ResultTable> {
  const files = envInt('QUOTAKIT_BENCH_LAB_FILES', 1_000_000)
  const rounds = envInt('QUOTAKIT_BENCH_REPS', 3)
  const cpus = envInt('QUOTAKIT_BENCH_LAB_CPUS', 2)
  const image = benchImage(files)
  const lab = await startLab({
    cpus,
    memoryMiB: 3072,
    qemuArgs: ['-drive', `file=${image},format=raw,if=none,id=bench,snapshot=on,cache=unsafe`, '-device', 'virtio-blk-pci,drive=bench,serial=lab-bench'],
  })
  try {
    await lab.writeFile('/tmp/timer.mjs', GUEST_TIMER)
    const disk = (await guest(lab, FIND_DISK)).trim()
    if (!disk.startsWith('/dev/')) throw new Error('lab: the bench disk is not in the guest')
    await guest(lab, `mkdir -p /mnt/bench && /bin/mount -o usrquota,grpquota ${disk} /mnt/bench && chown -R 1000:1000 /mnt/bench/a0 && sync`)
    const times: Record<'linuxquota' | 'quotakit', number[]> = {linuxquota: [], quotakit: []}
    const commands = {linuxquota: 'quotacheck -cugm /mnt/bench', quotakit: 'quotakit quotacheck -cug /mnt/bench'}
    const argv = {linuxquota: '/usr/sbin/quotacheck -cugm /mnt/bench', quotakit: '/usr/bin/node /opt/quotakit/bin/run.js quotacheck -cug /mnt/bench'}
    const once = async (tool: 'linuxquota' | 'quotakit'): Promise<number> => {
      const out = JSON.parse(await guest(lab, `node /tmp/timer.mjs ${argv[tool]}`)) as {ms: number; code: number; stderr: string}
      if (out.code !== 0) throw new Error(`${tool} exited ${out.code}: ${out.stderr}`)
      return out.ms
    }
    // one unmeasured run each: the first read of the disk comes from the host, later ones from the guest's page cache
    await once('linuxquota')
    await once('quotakit')
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['linuxquota', 'quotakit'] as const) : (['quotakit', 'linuxquota'] as const)
      for (const tool of order) {
        times[tool].push(await once(tool))
        await guest(lab, `cp /mnt/bench/aquota.user /tmp/${tool}.user && cp /mnt/bench/aquota.group /tmp/${tool}.group`)
      }
    }
    const same = (await lab.exec('cmp /tmp/linuxquota.user /tmp/quotakit.user && cmp /tmp/linuxquota.group /tmp/quotakit.group')).code === 0
    const startup = JSON.parse(await guest(lab, 'node /tmp/timer.mjs /usr/bin/node /opt/quotakit/bin/run.js --version')) as {ms: number}
    const scan = JSON.parse(await guest(lab, 'quotakit quotacheck -cug --json /mnt/bench')) as {filesystems: Array<{scan: {method: string; durationMs: number; files: number; directories: number; threads: number}}>}
    const s = scan.filesystems[0].scan
    return {
      title: `quotacheck -cug in the lab (${files.toLocaleString('en-US')} files, ext4 on a virtio disk, qemu TCG, ${cpus} vCPUs)`,
      baseline: 'linuxquota quotacheck -cugm',
      measurements: [measurement('linuxquota quotacheck -cugm', commands.linuxquota, times.linuxquota), measurement('quotakit quotacheck -cug', commands.quotakit, times.quotakit)],
      goals: [{name: 'quotakit quotacheck -cug', maxRatio: LAB_GOAL}],
      notes: [
        `files written: ${same ? 'byte-identical to linuxquota\'s' : 'DIFFERENT from linuxquota\'s'}`,
        `quotakit read the filesystem by ${s.method} (${s.files.toLocaleString('en-US')} files, ${s.directories.toLocaleString('en-US')} directories, ${s.threads} worker thread(s) besides the main one) in ${s.durationMs} ms of its run; quotakit --version alone takes ${Math.round(startup.ms)} ms in the guest (Node start-up under TCG)`,
        'both read the inode tables from the block device: linuxquota through libext2fs (Debian builds it with EXT2_DIRECT), quotakit through src/scan/ext4',
        `one unmeasured run of each first, then ${rounds} alternating rounds; times from the guest clock`,
      ],
    }
  } finally {
    await lab.stop()
  }
}

export const quotacheckBench: Benchmark = {
  name: 'quotacheck',
  description: 'quotacheck\'s scan: the scanner vs du on the host, quotakit vs linuxquota quotacheck -cug in the lab',

  async unavailable(ctx: BenchContext) {
    if (!hyperfineVersion()) return 'hyperfine is not installed'
    if (!existsSync(join(ctx.root, 'dist/src/scan/scanner.js'))) return 'no build: run npm run build first'
    return null
  },

  async run(ctx: BenchContext): Promise<ResultTable[]> {
    const tables = [await hostTable(ctx)]
    let labReason: string | null = null
    try {
      findHost()
    } catch (e) {
      if (!(e instanceof LabDepsError)) throw e
      labReason = e.message
    }
    if (process.env.QUOTAKIT_BENCH_SKIP_LAB === '1') labReason = 'QUOTAKIT_BENCH_SKIP_LAB=1'
    if (labReason) tables[0].notes.push(`lab comparison skipped: ${labReason}`)
    else tables.push(await labTable())
    return tables
  },
}
