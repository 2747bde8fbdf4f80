/** Quotes a string for /bin/sh: single quotes, with embedded single quotes spliced in. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}
