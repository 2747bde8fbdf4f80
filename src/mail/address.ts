// Mail addresses as warnquota meets them: a login name (`alice`, delivered locally), a full
// address, or a list (`root, Quota Admin <quota@example.com>`) in CC_TO. Pure and small: enough
// to build an SMTP envelope and to add a default domain to bare names; not an RFC 5322 parser.

export interface Address {
  /** display name, '' when none */
  name: string
  /** `alice` or `alice@example.com` */
  address: string
}

/** Split a header value at commas outside quotes and angle brackets. */
export function splitAddressList(value: string): string[] {
  const parts: string[] = []
  let current = ''
  let quoted = false
  let angle = 0
  for (const ch of value) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === '<') angle++
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1)
    if (ch === ',' && !quoted && angle === 0) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  parts.push(current)
  return parts.map((p) => p.trim()).filter(Boolean)
}

export function parseAddress(text: string): Address {
  const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(text)
  if (m) return {name: m[1].trim().replace(/^"(.*)"$/, '$1'), address: m[2].trim()}
  return {name: '', address: text.trim()}
}

export const parseAddressList = (value: string): Address[] => splitAddressList(value).map(parseAddress)

/** `alice` + `example.com` -> `alice@example.com`; full addresses and no domain: unchanged. */
export function qualify(address: string, domain: string | null): string {
  return domain && !address.includes('@') ? `${address}@${domain}` : address
}

export function formatAddress(a: Address): string {
  if (a.name === '') return a.address
  const name = /[",<>@;:]/.test(a.name) ? `"${a.name.replaceAll('"', '\\"')}"` : a.name
  return `${name} <${a.address}>`
}

/** A header value with the default domain added to each bare name. */
export function qualifyList(value: string, domain: string | null): string {
  if (!domain) return value
  return parseAddressList(value)
    .map((a) => formatAddress({...a, address: qualify(a.address, domain)}))
    .join(', ')
}
