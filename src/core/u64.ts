// Little-endian u64 fields read as plain numbers, for the per-entry decoders that run once per id
// (kernel structs in sys/structs.ts, quota-file entries in quotafile/format.ts): two u32 reads
// instead of a BigInt, which at 100k ids was a large share of their time.

const TWO_32 = 2 ** 32

/** The u64 at `at` as an exact number, or -1 when it is beyond 2^53 - 1 (high word >= 2^21). */
export function exactU64LE(buf: Buffer, at: number): number {
  const hi = buf.readUInt32LE(at + 4)
  return hi >= 0x20_0000 ? -1 : hi * TWO_32 + buf.readUInt32LE(at)
}
