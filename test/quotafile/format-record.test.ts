// entryRecord (the reader's BigInt-free decoder) must agree with diskToRecord(readEntry()) on
// every entry: same record, or the same first field found beyond 2^53 - 1.

import {describe, expect, it} from 'vitest'

import {ENTRY_SIZE, type TreeFormat, diskToRecord, entryRecord, readEntry} from '../../src/quotafile/format.js'
import {prng} from './fixtures.js'
import {wordsLE} from '../../src/core/u64.js'

/** Words that hit the edges: zero, one, 2^21 around (the exact-number boundary of a high word), all ones. */
const EDGE_WORDS = [0, 1, 2, 1023, 1024, 0x1f_ffff, 0x20_0000, 0x7fff_ffff, 0xffff_ffff]

describe('entryRecord', () => {
  for (const format of ['vfsv0', 'vfsv1'] as TreeFormat[]) {
    it(`${format}: agrees with diskToRecord(readEntry()) on random and edge entries`, () => {
      const rand = prng(format === 'vfsv0' ? 11 : 12)
      const size = ENTRY_SIZE[format]
      const buf = Buffer.alloc(size)
      for (let n = 0; n < 20_000; n++) {
        for (let w = 0; w < size; w += 4) {
          const r = rand()
          const word = r < 0.4 ? 0 : r < 0.7 ? EDGE_WORDS[Math.floor(rand() * EDGE_WORDS.length)] : Math.floor(rand() * 2 ** 32)
          buf.writeUInt32LE(word, w)
        }
        if (n % 50 === 0) {
          buf.fill(0) // the all-zero escape: id 0, itime = 1
          buf.writeUInt32LE(1, format === 'vfsv0' ? 40 : 64)
        }
        expect(entryRecord(wordsLE(buf), 0, format), `entry ${n}: ${buf.toString('hex')}`).toEqual(diskToRecord(readEntry(buf, 0, format)))
      }
    })
  }
})
