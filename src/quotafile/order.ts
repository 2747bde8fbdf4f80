// The order linuxquota's quotacheck writes ids in: it keeps them in a 32768-bucket hash table
// (hash = ((id ^ (id << 16)) * 997) mod 2^15, in 32-bit unsigned arithmetic) and dumps bucket by
// bucket. Inserting in the same order reproduces its files byte for byte (test/quotafile/), which
// keeps our rebuilt files diff-able against linuxquota's. Within one bucket linuxquota's order
// depends on the order it met the ids while scanning; ids here are taken in ascending order.

export const DQUOTHASHSIZE = 32768

export function linuxquotaHash(id: number): number {
  const mixed = ((id ^ (id << 16)) >>> 0) >>> 0
  return (Math.imul(mixed, 997) >>> 0) & (DQUOTHASHSIZE - 1)
}

/** `items` sorted as linuxquota's quotacheck would write them (a new array). */
export function linuxquotaOrder<T extends {id: number}>(items: Iterable<T>): T[] {
  return [...items]
    .map((item) => ({item, hash: linuxquotaHash(item.id)}))
    .sort((a, b) => a.hash - b.hash || a.item.id - b.item.id)
    .map((x) => x.item)
}
