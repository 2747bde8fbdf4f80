// The state behind the golden files in fixtures/linuxquota-4.06/: a loop-mounted ext4 image with
// vfsv0 aquota.user/aquota.group files (quota off, linuxquota's file mode), usage written by
// quotacheck, limits and timers set with linuxquota 4.06's setquota, and each file captured with
// `repquota -u [opts] mnt` at NOW (fixtures/.../now). Timers were set as NOW + N, so the time left
// the goldens print is exact. Names are this machine's passwd entries; 4242 and 5000 have none.

import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {type BlockInput, type RepquotaResult, type Selection, buildReportBlock} from '../../src/core/report.js'
import type {Filesystem, QuotaRecord, QuotaType} from '../../src/core/types.js'
import {RAW_UNITS} from '../../src/core/units.js'
import type {RepquotaFormatOptions} from '../../src/output/repquota-cells.js'

export const NOW = 1_795_312_823
const KiB = 1024
const WEEK = 604_800

export const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`fixtures/linuxquota-4.06/${name}`, import.meta.url)), 'utf8')

export const loopFs: Filesystem = {
  mountpoint: '/tmp/qkg/mnt',
  device: '/dev/loop0',
  fstype: 'ext4',
  devMajor: 7,
  devMinor: 0,
  options: ['rw', 'usrquota', 'grpquota'],
  quotas: {
    user: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace: {blockGraceSeconds: WEEK, inodeGraceSeconds: WEEK}},
    group: {accounting: true, enforcement: true, format: 'vfsv0', systemFile: false, grace: {blockGraceSeconds: WEEK, inodeGraceSeconds: WEEK}},
  },
}

const rec = (
  id: number,
  [usedKiB, softKiB, hardKiB, btime]: [number, number, number, number],
  [inodes, isoft, ihard, itime]: [number, number, number, number],
): QuotaRecord => ({
  id,
  space: {usedBytes: usedKiB * KiB, softLimitBytes: softKiB * KiB, hardLimitBytes: hardKiB * KiB, graceExpiresAt: btime},
  inodes: {used: inodes, softLimit: isoft, hardLimit: ihard, graceExpiresAt: itime},
})

export const userRecords: QuotaRecord[] = [
  rec(0, [13, 0, 0, 0], [2, 0, 0, 0]),
  rec(1, [3001, 2000, 4000, NOW + WEEK], [17, 10, 20, NOW + WEEK]),
  rec(2, [501, 1024, 2048, 0], [3, 0, 0, 0]),
  rec(3, [1, 0, 0, 0], [6, 6, 10, 0]),
  rec(33, [11, 5, 10, NOW + 90_000], [3, 0, 0, 0]),
  rec(998, [101, 100, 0, NOW - 1], [5, 0, 0, 0]),
  rec(4242, [2001, 2000, 2000, NOW + 3600], [6, 3, 5, NOW + 3600]),
  rec(5000, [0, 10 * KiB * KiB, 3 * KiB ** 3, 0], [0, 150_000, 2_000_000, 0]),
]

export const groupRecords: QuotaRecord[] = userRecords
  .filter((r) => r.id !== 5000)
  .map((r) => ({
    id: r.id,
    space: {usedBytes: r.space.usedBytes, softLimitBytes: 0, hardLimitBytes: 0, graceExpiresAt: 0},
    inodes: {used: r.inodes.used, softLimit: 0, hardLimit: 0, graceExpiresAt: 0},
  }))

const NAMES: Record<number, string> = {0: 'root', 1: 'daemon', 2: 'bin', 3: 'sys', 33: 'www-data', 998: 'systemd-network'}
export const nameOf = (id: number): string | null => NAMES[id] ?? null

export const DEFAULT_SELECTION: Selection = {verbose: false, withLimits: false}

/** The tree of the aquota.user the goldens were made from, as linuxquota -v reports it. */
export const USER_FILE_TREE = {blocks: 9, dataBlocks: 1, entries: 8}

export function report(
  types: QuotaType[] = ['user'],
  over: Partial<Pick<BlockInput, 'nameOf' | 'selection' | 'tree'>> & {fs?: Filesystem} = {},
): RepquotaResult {
  const fs = over.fs ?? loopFs
  return {
    schemaVersion: 1,
    reports: types.map((type) =>
      buildReportBlock({
        fs,
        type,
        records: type === 'user' ? userRecords : groupRecords,
        tree: over.tree,
        nameOf: over.nameOf ?? nameOf,
        nowEpoch: NOW,
        selection: over.selection === undefined ? DEFAULT_SELECTION : over.selection,
      }),
    ),
  }
}

/** linuxquota's defaults (no -s, -p, -t) at NOW, with overrides. */
export const formatOptions = (over: Partial<RepquotaFormatOptions> = {}): RepquotaFormatOptions => ({
  units: RAW_UNITS,
  rawGrace: false,
  truncateNames: false,
  nowEpoch: NOW,
  ...over,
})
