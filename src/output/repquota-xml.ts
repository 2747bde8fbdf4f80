// `repquota -O xml`: linuxquota 4.06's element layout, but well-formed for any name. Differences
// (docs/compat.md): values are escaped (linuxquota writes names verbatim), the id's attribute is
// named after the type (`user=`, `group=`, `project=`; linuxquota writes `user=` for all), and
// we add `id=` to <Quota> and `mountpoint=` to <Report>.

import {type ReportBlock, type RepquotaResult, forEachEntry} from '../core/report.js'
import {type RepquotaFormatOptions, entryCells, gracePeriodText, linuxquotaStatus, spaceWord} from './repquota-cells.js'

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&apos;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}

/**
 * Text safe inside a single-quoted attribute or element. Other control characters cannot appear
 * in XML 1.0 at all, not even as references: they become U+FFFD.
 */
// eslint-disable-next-line no-control-regex
export const xmlEscape = (text: string): string => text.replace(/[&<>'"\t\n\r]|[\u0000-\u001f]/g, (c) => ENTITIES[c] ?? '\uFFFD')

function reportXml(block: ReportBlock, opts: RepquotaFormatOptions): string[] {
  const human = spaceWord(opts.units) === 'Space'
  const statusAttr = human ? 'space' : 'block'
  const limitsElement = human ? 'spaceLimits' : 'blockLimits'
  const lines = [
    `<Report type='${block.type}' dev='${xmlEscape(block.device)}' mountpoint='${xmlEscape(block.mountpoint)}'>`,
    ` <BlockGraceTime>${gracePeriodText(block.blockGraceSeconds)}</BlockGraceTime>`,
    ` <InodeGraceTime>${gracePeriodText(block.inodeGraceSeconds)}</InodeGraceTime>`,
  ]
  forEachEntry(block, (entry) => {
    const {name, space: s, inodes: i} = entryCells(entry, opts)
    lines.push(
      ` <Quota ${block.type}='${xmlEscape(name)}' id='${entry.id}'>`,
      `  <QuotaStatus ${statusAttr}='${linuxquotaStatus(s.status)}' inode='${linuxquotaStatus(i.status)}' />`,
      `  <${limitsElement} used='${s.used}' soft='${s.soft}' hard='${s.hard}' grace='${s.grace}' />`,
      `  <FileLimits used='${i.used}' soft='${i.soft}' hard='${i.hard}' grace='${i.grace}' />`,
      ' </Quota>',
    )
  })
  lines.push('</Report>')
  return lines
}

/** The whole document, newline-terminated; one <repquota> around every filesystem and type. */
export function repquotaXml(result: RepquotaResult, opts: RepquotaFormatOptions): string {
  const body = result.reports.flatMap((block) => reportXml(block, opts))
  return `${['<?xml version="1.0"?>', '<repquota>', ...body, '</repquota>'].join('\n')}\n`
}
