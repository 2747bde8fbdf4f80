// /etc/quotatab (device descriptions for warnquota's mails) and /etc/quotagrpadmins (who gets a
// group's mail), parsed as linuxquota 4.06 parses them (get_quotatable, get_groupadmins). Pure.
// Both are forgiving in linuxquota: a bad line is reported and skipped, never fatal; the caller
// prints the warnings.

import {stripString} from './conf.js'

export const DEFAULT_QUOTATAB_PATH = '/etc/quotatab'
export const DEFAULT_ADMINS_PATH = '/etc/quotagrpadmins'

export interface Parsed<T> {
  value: T
  /** `line N: …` */
  warnings: string[]
}

/** A comment is `#` or `;` in column 0 only; a blank line is whitespace only. */
const skippable = (raw: string): boolean => raw.startsWith('#') || raw.startsWith(';') || raw.trim() === ''

function lines(text: string): string[] {
  const all = text.split('\n')
  if (all.at(-1) === '') all.pop()
  return all
}

/**
 * `device: description`. Split at the first `:`; both sides lose blanks and quotes; `|` in the
 * description is a newline. The first line for a device wins (linuxquota searches in file order).
 * Whether the device exists is the caller's check (linuxquota stat()s it and only warns).
 */
export function parseQuotatab(text: string): Parsed<Map<string, string>> {
  const value = new Map<string, string>()
  const warnings: string[] = []
  lines(text).forEach((raw, i) => {
    if (skippable(raw)) return
    const colon = raw.indexOf(':')
    if (colon === -1) {
      warnings.push(`line ${i + 1}: cannot parse (missing ':')`)
      return
    }
    const device = stripString(raw.slice(0, colon))
    const description = stripString(raw.slice(colon + 1)).replaceAll('|', '\n')
    if (!value.has(device)) value.set(device, description)
  })
  return {value, warnings}
}

/**
 * `group: user` per line. The group name is everything before the first `:` without surrounding
 * blanks; the administrator is exactly one word after it. Lines with no group name, no
 * administrator, or more than one word after it are reported and skipped. A group listed twice:
 * the first line wins and the second is reported (linuxquota's bsearch picks either).
 */
export function parseGroupAdmins(text: string): Parsed<Map<string, string>> {
  const value = new Map<string, string>()
  const warnings: string[] = []
  lines(text).forEach((raw, i) => {
    const line = i + 1
    if (skippable(raw)) return
    const colon = raw.indexOf(':')
    const group = colon === -1 ? '' : raw.slice(0, colon).trim()
    if (colon === -1 || raw.slice(0, colon).trimStart() === '') {
      warnings.push(`line ${line}: cannot find the end of the group name`)
      return
    }
    const rest = raw.slice(colon + 1).trim()
    if (rest === '') {
      warnings.push(`line ${line}: cannot find the administrator's name`)
      return
    }
    const words = rest.split(/\s+/)
    if (words.length > 1) {
      warnings.push(`line ${line}: trailing characters after the administrator's name`)
      return
    }
    if (value.has(group)) {
      warnings.push(`line ${line}: group ${group} is listed again; the first line wins`)
      return
    }
    value.set(group, words[0])
  })
  return {value, warnings}
}
