// Little-endian u64 fields read as plain numbers, for the per-entry decoders that run once per id
// (kernel structs in sys/structs.ts, quota-file entries in quotafile/format.ts): two u32 reads
// instead of a BigInt, which at 100k ids was a large share of their time.

const TWO_32 = 2 ** 32

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1

/**
 * `buf` as little-endian u32 words: word k is buf.readUInt32LE(4 * k). The per-id decoders read
 * these instead of calling readUInt32LE, a call with argument checks per field, because V8 runs
 * them unoptimised for the first thousands of ids, and the lab (TCG) is ~25x slower again: a word
 * is one element load (host, 10k records: ~2x faster default, ~5x interpreted). A view on
 * little-endian hosts when the buffer starts 4-byte aligned (as whole files and Buffer.alloc do);
 * otherwise a copy, so callers that reuse a buffer may keep the words only when `.buffer` is
 * `buf.buffer`.
 */
export function wordsLE(buf: Buffer): Uint32Array {
  if (LITTLE_ENDIAN && buf.byteOffset % 4 === 0) return new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2)
  const words = new Uint32Array(buf.byteLength >>> 2)
  for (let k = 0; k < words.length; k++) words[k] = buf.readUInt32LE(4 * k)
  return words
}

/**
 * The little-endian u64 at byte `at` (4-aligned) of `wordsLE` words as an exact number, or -1 when
 * it is beyond 2^53 - 1 (high word >= 2^21).
 */
export function exactU64W(words: Uint32Array, at: number): number {
  const k = at >>> 2
  const hi = words[k + 1]
  // hi 0 (nearly every field) returns the low word as it is: `0 * 2^32 + lo` is a double, and
  // unoptimised code boxes every double it stores (a heap number per field of every record)
  if (hi === 0) return words[k]
  return hi >= 0x20_0000 ? -1 : hi * TWO_32 + words[k]
}
