// `quotakit quotacheck`: scan filesystems and compare the usage found with the usage the kernel
// (or a quota file) records; --fix corrects the kernel, -c writes new quota files. The work is in
// src/quotacheck/engine.ts, the scan in src/scan/, the file format in src/quotafile/.

import * as Flags from '@oclif/core/flags'

import {getBackend} from '../src/backend.js'
import {QuotaCommand} from '../src/cli/base.js'
import {positionals} from '../src/cli/positionals.js'
import {checkTargetRequest} from '../src/core/targets.js'
import type {QuotaType} from '../src/core/types.js'
import {usageError} from '../src/errors.js'
import {Resolver} from '../src/names.js'
import type {Document} from '../src/output/document.js'
import {quotacheckDocument} from '../src/output/quotacheck.js'
import {QuotacheckEngine, type QuotacheckOutcome, exitStatusOf} from '../src/quotacheck/engine.js'
import type {QuotacheckMode, QuotacheckResult} from '../src/quotacheck/model.js'
import {terminalProgress} from '../src/scan/progress.js'

export default class Quotacheck extends QuotaCommand<QuotacheckResult, typeof Quotacheck> {
  static override summary = 'Scan filesystems, compare usage with the quota records, fix drift, and create quota files.'
  static override description = `Reads each filesystem and counts, per user, group or project id, the inodes (each inode once: hard links are counted once) and the allocated space (st_blocks x 512, what the kernel charges). The quota files' own space is not counted, as in linuxquota.

How a filesystem is read (--scan): ext2, ext3 and ext4 are read from their inode tables, straight from the block device (as Debian's linuxquota does; it needs root to open the device), one sequential pass over each block group's used inodes, much faster than a walk. It goes through the block device's page cache, where ext4 keeps its metadata, so what the kernel has updated is seen; the filesystem is synced first. When the device cannot be read (not root, the device node missing or not the mounted one, a superblock it does not understand), the tree is walked instead and the JSON's scan.fallback says why; --scan inodes makes that an error, --scan walk always walks. The walk (every other filesystem) never crosses into other mounts and reads directories in several threads.

Default: compare the scan with the usage the kernel records for every id (or, when quota is off, with the quota file) and list the ids that differ; nothing is changed. Exit 0 when all agree, 1 when some usage drifted.

--fix writes the scanned usage into the kernel (Q_SETQUOTA, usage fields only; running grace timers are kept) and reports each change. With quota off on a filesystem with quota files, --fix rewrites the file instead, keeping limits and grace times (this is what linuxquota's quotacheck does without -c). XFS computes usage itself and refuses it from userspace.

-c creates aquota.user / aquota.group from scratch (limits are lost) on a filesystem mounted with usrquota / grpquota whose quota is off. Files are written as <file>.new, fsynced and renamed over the old ones (-b keeps the old one as <file>~). While quota is on, -c refuses unless -f, which turns quota off, renames and turns it on again. -F picks vfsv0 (the default, as linuxquota) or vfsv1 (64-bit limits). ext4 with the quota feature and XFS keep quota in metadata: -c refuses there (e2fsck, and XFS itself, maintain it); checking and --fix work.

A busy filesystem drifts while it is scanned. --remount-ro remounts it read-only for the scan and read-write afterwards, as linuxquota does by default (it fails while files are open for writing; -M scans anyway).

NOTES: what the kernel charges and a walk cannot see (the inode-table reader does count them): files deleted while still open, and what lies under a directory another mount covers. XFS also charges its realtime bitmap and summary inodes to id 0; quotakit reads them from the superblock (as root) and adds them. Project ids are read with FS_IOC_FSGETXATTR for directories and regular files (an open and an ioctl each, so -P scans are slower); symlinks and special files cannot be opened for it and are taken to have their directory's project id, which is what the kernel gives them in a project directory.`

  static override examples = [
    {description: 'Check user and group usage on /home against the kernel.', command: '<%= config.bin %> <%= command.id %> -ug /home'},
    {description: 'Correct any drift, and show what changed.', command: '<%= config.bin %> <%= command.id %> -ug --fix /home'},
    {description: 'Project usage on every filesystem that has project quota, as JSON.', command: '<%= config.bin %> <%= command.id %> -P -a --json'},
    {description: 'Create new quota files (quota off), keeping a backup.', command: '<%= config.bin %> <%= command.id %> -cugb /srv'},
  ]

  static override strict = false // MOUNT...
  static override usage = ['<%= command.id %> [-ugP] [--fix | -c [-b] [-f] [-F vfsv0|vfsv1]] [--remount-ro [-M]] [--scan auto|inodes|walk] (-a [-R] | MOUNT...)']

  static override flags = {
    user: Flags.boolean({char: 'u', description: 'Check user quota (the default).'}),
    group: Flags.boolean({char: 'g', description: 'Check group quota.'}),
    project: Flags.boolean({char: 'P', description: 'Check project quota (reads each inode\'s project id).'}),
    all: Flags.boolean({char: 'a', description: 'Every filesystem with that quota type on, or with quota files.'}),
    'exclude-root': Flags.boolean({char: 'R', description: 'With -a, leave out the root filesystem.'}),
    fix: Flags.boolean({description: 'Correct the recorded usage: in the kernel, or (quota off) by rewriting the quota file with its limits.', exclusive: ['create-files']}),
    'create-files': Flags.boolean({char: 'c', aliases: ['create'], description: 'Write new quota files from the scan alone (limits are lost).'}),
    backup: Flags.boolean({char: 'b', description: 'Keep the previous quota file as <file>~.'}),
    force: Flags.boolean({char: 'f', description: 'Write quota files even while quota is on: turn it off, rename, turn it on.'}),
    format: Flags.option({char: 'F', options: ['vfsv0', 'vfsv1'] as const, description: 'Format of the quota files written (default: the current one, else vfsv0).'})(),
    'remount-ro': Flags.boolean({description: 'Remount read-only for the scan, read-write after (as linuxquota does by default).'}),
    'try-remount': Flags.boolean({char: 'M', description: 'With --remount-ro: scan anyway if the remount fails.'}),
    'no-remount': Flags.boolean({char: 'm', description: 'Accepted for linuxquota compatibility: quotakit does not remount unless --remount-ro.'}),
    verbose: Flags.boolean({char: 'v', description: 'Also print the scan summary, and what -c wrote.'}),
    scan: Flags.option({options: ['auto', 'inodes', 'walk'] as const, default: 'auto' as const, description: 'How to read ext2/3/4: auto (the inode tables from the device when it can be read, else walk the tree), inodes (the inode tables, or fail), walk (always walk the tree).'})(),
    threads: Flags.integer({description: 'Threads reading (default: one per CPU, at most 4; 0 = the main thread only, the default on one CPU). A walk starts that many workers; an inode-table scan starts one fewer, the main thread reading too.', min: 0, max: 64}),
  }

  static override exitStatus = [
    {code: 0, meaning: 'usage agrees everywhere, or was corrected, or the files were written'},
    {code: 1, meaning: 'usage differs (check mode), or several filesystems failed in different ways'},
    {code: 2, meaning: 'a filesystem could not be scanned completely, or has no quota mount option for -c (linuxquota\'s code)'},
    {code: 4, meaning: 'syncing quota or remounting failed (linuxquota\'s code)'},
    {code: 6, meaning: 'quota is on and -c was given without -f (linuxquota\'s code)'},
    {code: 65, meaning: 'a quota file is corrupt (the message gives the byte offset)'},
    {code: 69, meaning: 'the quota type is not on and there is no quota file, or -c on ext4 hidden quota / XFS'},
  ]

  static override files = [
    {path: 'aquota.user, aquota.group', description: 'vfsv0/vfsv1 quota files at the filesystem root (or as named by usrquota=/grpquota=)'},
    {path: '<file>.new, <file>~', description: 'the file being written, and the previous file kept by -b'},
    {path: '/proc/self/mountinfo', description: 'mounts below a filesystem, which the walk does not enter'},
    {path: '/dev/*', description: 'the block device of an ext2/3/4 filesystem, whose inode tables are read (root)'},
    {path: '/sys/dev/block/MAJOR:MINOR/size', description: 'the device\'s size, which bounds what the superblock may claim'},
  ]

  static override seeAlso = ['quotacheck(8)', 'repquota(8)', 'quotaon(8)', 'e2fsck(8)', 'xfs_quota(8)']

  private outcome?: QuotacheckOutcome

  override async run(): Promise<QuotacheckResult> {
    const result = await super.run()
    if (this.outcome) process.exitCode = exitStatusOf(this.outcome)
    return result
  }

  async execute(): Promise<QuotacheckResult> {
    const {raw} = await this.parse(Quotacheck, this.argv)
    const mounts = positionals(raw)
    const {flags} = this
    checkTargetRequest({all: flags.all, mounts})
    if (flags['exclude-root'] && !flags.all) throw usageError('-R only applies with -a')
    if (flags['try-remount'] && !flags['remount-ro']) throw usageError('-M only applies with --remount-ro')
    const mode: QuotacheckMode = flags['create-files'] ? 'create' : flags.fix ? 'fix' : 'check'
    if (mode === 'check' && (flags.backup || flags.force || flags.format)) {
      throw usageError('-b, -f and -F apply when writing quota files', 'add -c (new files) or --fix (rewrite, quota off)')
    }
    const types: QuotaType[] = [flags.user && 'user', flags.group && 'group', flags.project && 'project'].filter(Boolean) as QuotaType[]
    if (types.length === 0) types.push('user')

    const resolver = new Resolver()
    const backend = await getBackend()
    const showProgress = Boolean(process.stderr.isTTY) && !this.jsonEnabled()
    const {remountReadOnly, remountReadWrite} = flags['remount-ro'] ? await import('../src/sys/remount.js') : {remountReadOnly: undefined, remountReadWrite: undefined}
    const {hiddenXfsUsage, readXfsSuper} = await import('../src/sys/xfs-super.js')
    const {syncFilesystem} = await import('../src/sys/syncfs.js')
    const engine = new QuotacheckEngine(
      {
        mode,
        types,
        all: flags.all,
        mounts,
        excludeRoot: flags['exclude-root'],
        force: flags.force,
        backup: flags.backup,
        format: flags.format,
        remountReadOnly: flags['remount-ro'],
        tryRemount: flags['try-remount'],
        threads: flags.threads,
        scanMethod: flags.scan,
        nowEpoch: Math.floor(Date.now() / 1000),
      },
      {
        backend,
        nameOf: (type, id) => resolver.nameOf(type, id),
        progress: showProgress ? (fs) => terminalProgress(process.stderr, fs.mountpoint) : undefined,
        syncFilesystem,
        remount: remountReadOnly && remountReadWrite ? {readOnly: remountReadOnly, readWrite: remountReadWrite} : undefined,
        xfsHiddenUsage: (fs) => {
          const sb = readXfsSuper(fs.device)
          return sb && hiddenXfsUsage(sb)
        },
        warn: (message) => this.warning(message),
      },
    )
    this.outcome = await engine.run()
    for (const failure of this.outcome.failures) this.reportFailure(failure)
    return this.outcome.result
  }

  override present(result: QuotacheckResult): Document {
    return quotacheckDocument(result, this.flags.verbose)
  }
}
