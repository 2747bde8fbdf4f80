// The largest limits each quota format can store. The kernel answers ERANGE above them
// (quota-reference 1.5); checking first lets setquota refuse a whole batch before applying any of
// it, with a message that names the maximum instead of "Numerical result out of range".

import type {LimitsSpec} from './batch.js'
import type {QuotaFormat} from './types.js'
import {usageKiB} from './units.js'

const U32_MAX = 0xffff_ffff

interface FormatMaximum {
  spaceKiB: number
  inodes: number
  text: string // how the maximum is said in messages
}

/**
 * vfsold and vfsv0 keep 32-bit limits: 4294967295 KiB (4 TiB - 1 KiB) and 4294967295 inodes.
 * vfsv1, ext4's hidden quota and XFS allow 2^63-1 (bytes or 512-byte blocks), far above the
 * 2^53-1 bytes a parsed limit can reach here, so there is nothing to check for them.
 */
const MAXIMUM: Partial<Record<QuotaFormat, FormatMaximum>> = {
  vfsold: {spaceKiB: U32_MAX, inodes: U32_MAX, text: '4294967295 KiB (4 TiB - 1 KiB) of space and 4294967295 inodes'},
  vfsv0: {spaceKiB: U32_MAX, inodes: U32_MAX, text: '4294967295 KiB (4 TiB - 1 KiB) of space and 4294967295 inodes'},
}

/** What to say when the kernel still answers ERANGE: the format's maximum. */
export function formatMaximumText(format: QuotaFormat): string {
  return MAXIMUM[format]?.text ?? '2^63 - 1 bytes of space and 2^63 - 1 inodes'
}

const spaceAbove = (what: string, bytes: number | undefined, format: QuotaFormat, max: FormatMaximum): string | null =>
  bytes !== undefined && usageKiB(bytes) > max.spaceKiB
    ? `${what} of ${usageKiB(bytes)} KiB is above the ${format} maximum of ${max.spaceKiB} KiB (4 TiB - 1 KiB)`
    : null

const inodesAbove = (what: string, count: number | undefined, format: QuotaFormat, max: FormatMaximum): string | null =>
  count !== undefined && count > max.inodes ? `${what} of ${count} is above the ${format} maximum of ${max.inodes} inodes` : null

/** The first limit the format cannot store, as a message; null when all fit (checked once per batch line). */
export function limitAboveFormatMaximum(limits: Partial<LimitsSpec>, format: QuotaFormat): string | null {
  const max = MAXIMUM[format]
  if (!max) return null
  return (
    spaceAbove('space soft limit', limits.softLimitBytes, format, max) ??
    spaceAbove('space hard limit', limits.hardLimitBytes, format, max) ??
    inodesAbove('inode soft limit', limits.inodeSoftLimit, format, max) ??
    inodesAbove('inode hard limit', limits.inodeHardLimit, format, max)
  )
}
