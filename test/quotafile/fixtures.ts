// Quota files written by linuxquota 4.06 (make-fixtures.sh) and helpers to corrupt copies of them.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {QuotaRecord} from '../../src/core/types.js'

export {prng} from '../prng.js'

export const FIXTURES = join(import.meta.dirname, 'fixtures')
export const FIXTURE_FILES = ['v0-fresh.user', 'v0-fresh.group', 'v0-limits.user', 'v0-rebuilt.user', 'v0-freeblk.user', 'v1-limits.user', 'v1-limits.group'] as const
export type FixtureName = (typeof FIXTURE_FILES)[number]

export const fixture = (name: FixtureName): Buffer => readFileSync(join(FIXTURES, name))

/** The epoch seconds make-fixtures.sh ran at (grace timers it started are that + 7 days). */
export const MADE_AT = (JSON.parse(readFileSync(join(FIXTURES, 'meta.json'), 'utf8')) as {madeAt: number}).madeAt

export function record(id: number, usedBytes = 0, inodes = 0, limits: Partial<{bsoft: number; bhard: number; isoft: number; ihard: number; btime: number; itime: number}> = {}): QuotaRecord {
  return {
    id,
    space: {usedBytes, softLimitBytes: (limits.bsoft ?? 0) * 1024, hardLimitBytes: (limits.bhard ?? 0) * 1024, graceExpiresAt: limits.btime ?? 0},
    inodes: {used: inodes, softLimit: limits.isoft ?? 0, hardLimit: limits.ihard ?? 0, graceExpiresAt: limits.itime ?? 0},
  }
}
