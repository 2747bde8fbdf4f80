import {describe, expect, it} from 'vitest'

import {formatMaximumText, limitAboveFormatMaximum} from '../../src/core/formats.js'

const KiB = 1024
const MAX32 = 0xffff_ffff

describe('limitAboveFormatMaximum', () => {
  it.each(['vfsv0', 'vfsold'] as const)('%s keeps 32-bit limits', (format) => {
    expect(limitAboveFormatMaximum({softLimitBytes: MAX32 * KiB, hardLimitBytes: MAX32 * KiB, inodeSoftLimit: MAX32, inodeHardLimit: MAX32}, format)).toBeNull()
    // one byte more rounds up to one KiB more
    expect(limitAboveFormatMaximum({hardLimitBytes: MAX32 * KiB + 1}, format)).toBe(
      `space hard limit of 4294967296 KiB is above the ${format} maximum of 4294967295 KiB (4 TiB - 1 KiB)`,
    )
    expect(limitAboveFormatMaximum({inodeHardLimit: MAX32 + 1}, format)).toBe(
      `inode hard limit of 4294967296 is above the ${format} maximum of 4294967295 inodes`,
    )
  })

  it.each(['vfsv1', 'xfs', 'unknown'] as const)('%s: anything a number can hold fits', (format) => {
    expect(limitAboveFormatMaximum({softLimitBytes: Number.MAX_SAFE_INTEGER, inodeHardLimit: Number.MAX_SAFE_INTEGER}, format)).toBeNull()
  })

  it('names the maximum for ERANGE messages', () => {
    expect(formatMaximumText('vfsv0')).toBe('4294967295 KiB (4 TiB - 1 KiB) of space and 4294967295 inodes')
    expect(formatMaximumText('vfsv1')).toBe('2^63 - 1 bytes of space and 2^63 - 1 inodes')
  })
})
