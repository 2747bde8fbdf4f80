// setquota's command line -> what to do. linuxquota packs six forms into one positional list
// (quota-reference 3.1); this decides which form was meant, checks the argument counts and parses
// every value, so the command only resolves names, checks filesystems and applies. Pure.
//
//   limits     NAME BSOFT BHARD ISOFT IHARD  -a|MOUNT...
//   partial    NAME --space S:H and/or --inodes S:H  -a|MOUNT...   (only those fields are sent)
//   prototype  -p PROTO NAME...  -a|MOUNT...     names and mounts told apart by a leading '/'
//   batch      -b (stdin) or --file F  -a|MOUNT...
//   grace      -t BGRACE IGRACE  -a|MOUNT...     filesystem grace periods, human durations allowed
//   times      -T NAME BTIME ITIME  -a|MOUNT...   time left for one id, seconds/durations or `unset`

import {QuotaError} from '../errors.js'
import {type LimitsSpec, parseLimitFields, parseLimitPair} from './batch.js'
import {parseDurationSeconds} from './durations.js'
import {checkTargetRequest, type TargetRequest} from './targets.js'
import {parseInodeCount, parseSpaceBytes} from './units.js'

export interface SetquotaFlags {
  all: boolean
  prototype?: string
  batch: boolean
  file?: string
  'edit-period': boolean
  'edit-times': boolean
  space?: string
  inodes?: string
}

/** A per-id time: seconds from now, or `unset` (no timer: 0). */
export type TimeLeft = {seconds: number} | 'unset'

export type SetquotaPlan = TargetRequest &
  (
    | {mode: 'limits'; name: string; limits: LimitsSpec}
    | {mode: 'partial'; name: string; limits: Partial<LimitsSpec>}
    | {mode: 'prototype'; prototype: string; names: string[]}
    | {mode: 'batch'; file: string | null} // null: stdin
    | {mode: 'grace'; blockGraceSeconds: number; inodeGraceSeconds: number}
    | {mode: 'times'; name: string; spaceTime: TimeLeft; inodeTime: TimeLeft}
  )

export type SetquotaMode = SetquotaPlan['mode']

const usage = (message: string, hint?: string) => new QuotaError('usage', message, {hint})

/** Grace periods are 32-bit seconds in the quota files and in XFS. */
const MAX_GRACE_SECONDS = 0x7fff_ffff

function parseGrace(text: string, what: string): number {
  const seconds = parseDurationSeconds(text, what)
  if (seconds > MAX_GRACE_SECONDS) throw usage(`${what} '${text}' is too long (at most ${MAX_GRACE_SECONDS} seconds)`)
  return seconds
}

function parseTimeLeft(text: string, what: string): TimeLeft {
  return text === 'unset' ? 'unset' : {seconds: parseGrace(text, what)}
}

function modeOf(flags: SetquotaFlags): SetquotaMode {
  const chosen: Array<[SetquotaMode, string]> = []
  if (flags.batch || flags.file !== undefined) chosen.push(['batch', flags.file === undefined ? '-b' : '--file'])
  if (flags.prototype !== undefined) chosen.push(['prototype', '-p'])
  if (flags['edit-period']) chosen.push(['grace', '-t'])
  if (flags['edit-times']) chosen.push(['times', '-T'])
  if (flags.space !== undefined || flags.inodes !== undefined) chosen.push(['partial', flags.space === undefined ? '--inodes' : '--space'])
  if (chosen.length > 1) {
    throw usage(`${chosen.map(([, flag]) => flag).join(' and ')} cannot be used together`, 'see the forms in --help')
  }
  return chosen[0]?.[0] ?? 'limits'
}

/** At least `count` values before the mounts; a mountpoint among them means one is missing. */
function need(argv: string[], count: number, form: string): void {
  if (argv.length < count || argv.slice(0, count).some((a) => a.startsWith('/'))) {
    throw usage(`expected ${form} followed by -a or mountpoints`, 'see the forms in --help')
  }
}

export function planSetquota(flags: SetquotaFlags, argv: string[]): SetquotaPlan {
  const mode = modeOf(flags)
  const targets = (mounts: string[]): TargetRequest => {
    const req = {all: flags.all, mounts}
    checkTargetRequest(req)
    return req
  }
  switch (mode) {
    case 'limits': {
      need(argv, 5, 'NAME BSOFT BHARD ISOFT IHARD')
      const [name, bsoft, bhard, isoft, ihard, ...mounts] = argv
      return {mode, name, limits: parseLimitFields(bsoft, bhard, isoft, ihard), ...targets(mounts)}
    }
    case 'partial': {
      need(argv, 1, 'NAME')
      const [name, ...mounts] = argv
      const limits: Partial<LimitsSpec> = {}
      if (flags.space !== undefined) {
        const {soft, hard} = parseLimitPair(flags.space, 'space limits', (v) => parseSpaceBytes(v))
        Object.assign(limits, {softLimitBytes: soft, hardLimitBytes: hard})
      }
      if (flags.inodes !== undefined) {
        const {soft, hard} = parseLimitPair(flags.inodes, 'inode limits', (v) => parseInodeCount(v))
        Object.assign(limits, {inodeSoftLimit: soft, inodeHardLimit: hard})
      }
      return {mode, name, limits, ...targets(mounts)}
    }
    case 'prototype': {
      // A user, group or project name never starts with '/'; a mountpoint or device path does.
      const names = argv.filter((a) => !a.startsWith('/'))
      if (names.length === 0) throw usage('expected one or more NAMEs to copy the prototype\'s limits to', 'see the forms in --help')
      return {mode, prototype: flags.prototype as string, names, ...targets(argv.filter((a) => a.startsWith('/')))}
    }
    case 'batch':
      return {mode, file: flags.file ?? null, ...targets(argv)}
    case 'grace': {
      need(argv, 2, 'BGRACE IGRACE')
      const [bgrace, igrace, ...mounts] = argv
      return {
        mode,
        blockGraceSeconds: parseGrace(bgrace, 'block grace time'),
        inodeGraceSeconds: parseGrace(igrace, 'inode grace time'),
        ...targets(mounts),
      }
    }
    case 'times': {
      need(argv, 3, 'NAME BTIME ITIME')
      const [name, btime, itime, ...mounts] = argv
      return {
        mode,
        name,
        spaceTime: parseTimeLeft(btime, 'block grace time'),
        inodeTime: parseTimeLeft(itime, 'inode grace time'),
        ...targets(mounts),
      }
    }
  }
}

/** A time left as the absolute expiry the kernel stores (0 = no timer). */
export const expiryFor = (time: TimeLeft, nowEpoch: number): number => (time === 'unset' ? 0 : nowEpoch + time.seconds)
