// The fake kernel the `grace` command tests run against (QUOTAKIT_FAKE_STATE), and a runner that
// returns the state file after each run. Timers are relative to the real clock: the CLI reads it.
//
//   /home  ext4 vfsv1, user (enforced) + group (not enforced); grace: block 600 s, inode 3600 s
//   /old   ext4 vfsv0, user; grace 7 days
//   /srv   xfs, user + project; grace: block 3600 s, inode 90000 s
//   /legacy ext4 vfsold, user
//   /      no quota

import {readFileSync} from 'node:fs'

import type {FakeKernel, FakeState} from '../../src/testing/fake-backend.js'
import {fakeState, quotakit} from '../cli/helpers.js'

export const KiB = 1024
export const now = (): number => Math.floor(Date.now() / 1000)

/** space in KiB: [used, soft, hard, timer]; inodes: [used, soft, hard, timer] */
export const record = (id: number, [used, soft, hard, btime]: number[], [inodes, isoft, ihard, itime]: number[] = [0, 0, 0, 0]) => ({
  id,
  space: {usedBytes: used * KiB, softLimitBytes: soft * KiB, hardLimitBytes: hard * KiB, graceExpiresAt: btime},
  inodes: {used: inodes, softLimit: isoft, hardLimit: ihard, graceExpiresAt: itime},
})

type Format = 'vfsv0' | 'vfsv1' | 'vfsold' | 'xfs'
const typeState = (format: Format, blockGraceSeconds: number, inodeGraceSeconds: number, enforcement = true) => ({
  accounting: true,
  enforcement,
  format,
  systemFile: format === 'vfsv1' || format === 'xfs',
  grace: {blockGraceSeconds, inodeGraceSeconds},
})
const fs = (mountpoint: string, device: string, fstype: string, quotas: Record<string, unknown>) => ({
  mountpoint,
  device,
  fstype,
  devMajor: 253,
  devMinor: 16,
  options: ['rw'],
  quotas,
})

export function graceState(kernel?: FakeKernel): FakeState {
  const t = now()
  return {
    ...(kernel ? {kernel} : {}),
    filesystems: [
      fs('/home', '/dev/vdb', 'ext4', {user: typeState('vfsv1', 600, 3600), group: typeState('vfsv1', 600, 3600, false)}),
      fs('/old', '/dev/vdc', 'ext4', {user: typeState('vfsv0', 604_800, 604_800)}),
      fs('/srv', '/dev/vdd', 'xfs', {user: typeState('xfs', 3600, 90_000), project: typeState('xfs', 3600, 90_000)}),
      fs('/legacy', '/dev/vde', 'ext4', {user: typeState('vfsold', 604_800, 604_800)}),
      fs('/', '/dev/vda1', 'ext4', {}),
    ],
    records: {
      '/home|user': {
        0: record(0, [13, 0, 0, 0], [2, 0, 0, 0]),
        1000: record(1000, [2000, 1000, 4000, t + 300], [3, 10, 20, 0]), // space running
        1001: record(1001, [3000, 1000, 4000, t - 100]), // space expired: enforced
        1002: record(1002, [500, 1000, 4000, 0]), // under soft
        1003: record(1003, [10, 1000, 4000, 0], [12, 10, 20, t + 50]), // inodes running, soonest
        1004: record(1004, [2000, 1000, 4000, 0]), // over soft, timer not started
      },
      '/home|group': {
        1001: record(1001, [3000, 1000, 4000, t - 100]), // expired, but group quota is not enforced
      },
      '/old|user': {1000: record(1000, [2000, 1000, 0, t + 9000])},
      '/srv|user': {
        0: record(0, [2000, 1000, 0, t - 10]), // expired, but XFS never enforces id 0
        1000: record(1000, [2000, 1000, 0, t + 100]),
      },
      '/srv|project': {},
    },
  }
}

export interface GraceRun {
  status: number | null
  stdout: string
  stderr: string
  state: FakeState
  /** stdout parsed as JSON */
  json: () => any
}

/** `quotakit grace <sub> ...` against a state file; each setup() gets its own file. */
export function setup(initial: FakeState = graceState()) {
  const file = fakeState(initial)
  return {
    file,
    run(args: string[]): GraceRun {
      const r = quotakit(['grace', ...args], {QUOTAKIT_FAKE_STATE: file})
      return {...r, state: JSON.parse(readFileSync(file, 'utf8')) as FakeState, json: () => JSON.parse(r.stdout)}
    },
  }
}

export const timerOf = (s: FakeState, key: string, id: number, side: 'space' | 'inodes' = 'space'): number | undefined =>
  s.records[key]?.[String(id)]?.[side].graceExpiresAt

/** Everything but the timers of one id: its limits and usage. */
export const withoutTimers = (s: FakeState, key: string, id: number) => {
  const r = s.records[key]?.[String(id)]
  if (!r) return undefined
  return {space: {...r.space, graceExpiresAt: undefined}, inodes: {...r.inodes, graceExpiresAt: undefined}}
}
