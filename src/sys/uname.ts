// uname(2)'s nodename and domainname, for warnquota's %h and %d (linuxquota calls uname()).
// Node has os.hostname() for the first; the second is the kernel's NIS domain name, readable in
// /proc/sys/kernel/domainname (`(none)` when unset, which is what linuxquota prints then too).

import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'

export const nodeName = (): string => hostname()

export function domainName(): string {
  try {
    return readFileSync('/proc/sys/kernel/domainname', 'utf8').trim()
  } catch {
    return '(none)'
  }
}
