// Fuzzing the reader: thousands of corrupted copies of real and generated quota files (bit flips,
// truncations, cyclic and random block references, free-list cycles). Each must end, quickly, in
// either records or a QuotaError of kind 'data' (exit 65): never another exception, never a hang.
// Deterministic: every case is derived from its seed, printed on failure.

import {describe, expect, it} from 'vitest'

import {QuotaError} from '../../src/errors.js'
import {QT_BLKSIZE} from '../../src/quotafile/format.js'
import {readQuotaFile} from '../../src/quotafile/reader.js'
import {buildQuotaFile} from '../../src/quotafile/writer.js'
import {FIXTURE_FILES, fixture, prng, record} from './fixtures.js'

type Mutation = (buf: Buffer, rnd: () => number) => Buffer

const int = (rnd: () => number, n: number) => Math.floor(rnd() * n)

const MUTATIONS: Record<string, Mutation> = {
  'bit flips': (buf, rnd) => {
    const out = Buffer.from(buf)
    for (let k = 1 + int(rnd, 8); k > 0; k--) {
      const i = int(rnd, out.length)
      out[i] ^= 1 << int(rnd, 8)
    }
    return out
  },
  truncation: (buf, rnd) => buf.subarray(0, int(rnd, buf.length)),
  'random reference': (buf, rnd) => {
    // a u32 somewhere in an index-looking place gets a small block number (likely in range)
    const out = Buffer.from(buf)
    const blocks = Math.floor(out.length / QT_BLKSIZE)
    const at = (1 + int(rnd, Math.max(1, blocks - 1))) * QT_BLKSIZE + int(rnd, 256) * 4
    if (at + 4 <= out.length) out.writeUInt32LE(int(rnd, blocks + 3), at)
    return out
  },
  'cyclic reference': (buf, rnd) => {
    // make a referenced block point back at the root or at itself, or two blocks at each other
    const out = Buffer.from(buf)
    const blocks = Math.floor(out.length / QT_BLKSIZE)
    const refs: Array<{at: number; ref: number}> = []
    for (let blk = 1; blk < blocks; blk++) {
      for (let i = 0; i < 256; i++) {
        const ref = out.readUInt32LE(blk * QT_BLKSIZE + i * 4)
        if (ref > 1 && ref < blocks) refs.push({at: blk * QT_BLKSIZE + i * 4, ref})
      }
    }
    if (refs.length === 0) return out
    const {ref} = refs[int(rnd, refs.length)]
    const choice = int(rnd, 3)
    const target = choice === 0 ? 1 : choice === 1 ? ref : refs[int(rnd, refs.length)].ref
    out.writeUInt32LE(target, ref * QT_BLKSIZE + int(rnd, 256) * 4)
    return out
  },
  'free-list cycle': (buf, rnd) => {
    const out = Buffer.from(buf)
    const blocks = Math.floor(out.length / QT_BLKSIZE)
    const head = 2 + int(rnd, Math.max(1, blocks - 2))
    out.writeUInt32LE(head, 24 + 4 * int(rnd, 2)) // dqi_free_blk or dqi_free_entry
    if (head * QT_BLKSIZE + 8 <= out.length) out.writeUInt32LE(int(rnd, 2) ? head : 2 + int(rnd, blocks), head * QT_BLKSIZE + 4 * int(rnd, 2))
    return out
  },
  'header fields': (buf, rnd) => {
    const out = Buffer.from(buf)
    out.writeUInt32LE(int(rnd, 2) ? int(rnd, 64) : int(rnd, 2 ** 32), 4 * int(rnd, 8))
    return out
  },
}

function bases(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = FIXTURE_FILES.map((name) => [name, fixture(name)])
  const rnd = prng(99)
  const many = Array.from({length: 150}, (_, i) => record(i * 9973 + int(rnd, 9973), 1 + int(rnd, 2 ** 30), int(rnd, 1000), {bsoft: int(rnd, 1000)}))
  out.push(['generated 150 ids vfsv0', buildQuotaFile({type: 'user', format: 'vfsv0', grace: {blockGraceSeconds: 1, inodeGraceSeconds: 2}, records: many})])
  out.push(['generated 150 ids vfsv1', buildQuotaFile({type: 'project', format: 'vfsv1', grace: {blockGraceSeconds: 1, inodeGraceSeconds: 2}, records: many})])
  return out
}

const CASES_PER_PAIR = 130 // x 6 mutations x 9 files ~ 7000 files
const TIME_BOUND_MS = 250

describe('reader fuzz', () => {
  for (const [name, base] of bases()) {
    it(`${name}: every corrupted copy ends in records or a data error, within ${TIME_BOUND_MS} ms`, () => {
      const outcomes = {ok: 0, error: 0}
      let slowest = 0
      for (const [kind, mutate] of Object.entries(MUTATIONS)) {
        for (let n = 0; n < CASES_PER_PAIR; n++) {
          const seed = (n + 1) * 7919 + kind.length * 104729 + base.length
          const buf = mutate(base, prng(seed))
          const t0 = performance.now()
          try {
            const c = readQuotaFile(buf, {file: 'fuzz'})
            // a file that passes must be self-consistent
            const ids = c.records.map((r) => r.id)
            expect(new Set(ids).size, `${kind} seed ${seed}`).toBe(ids.length)
            for (const r of c.records) expect(Number.isSafeInteger(r.space.usedBytes)).toBe(true)
            outcomes.ok++
          } catch (e) {
            if (!(e instanceof QuotaError) || e.kind !== 'data') throw new Error(`${name}, ${kind}, seed ${seed}: unexpected ${(e as Error)?.stack ?? e}`)
            outcomes.error++
          }
          slowest = Math.max(slowest, performance.now() - t0)
        }
      }
      expect(slowest).toBeLessThan(TIME_BOUND_MS)
      expect(outcomes.ok + outcomes.error).toBe(CASES_PER_PAIR * Object.keys(MUTATIONS).length)
      expect(outcomes.error).toBeGreaterThan(0)
    })
  }
})
