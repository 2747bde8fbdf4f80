// Linux dev_t split (glibc's gnu_dev_major/minor), on bigint so large numbers stay exact.

export const devMajor = (d: bigint): number => Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn))
export const devMinor = (d: bigint): number => Number((d & 0xffn) | ((d >> 12n) & ~0xffn))
