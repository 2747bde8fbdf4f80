// Golden: our xml minus the attributes we add is linuxquota 4.06's xml for the same state; and
// unlike linuxquota's it stays well-formed for any name.

import {describe, expect, it} from 'vitest'

import {AUTO_UNITS} from '../../src/core/units.js'
import {repquotaXml, xmlEscape} from '../../src/output/repquota-xml.js'
import {fixture, formatOptions, loopFs, report} from './repquota-state.js'

const opts = formatOptions
const withoutOurAttributes = (xml: string) => xml.replace(/ mountpoint='[^']*'/g, '').replace(/ id='\d+'/g, '')

describe('repquota xml', () => {
  it('matches linuxquota 4.06 apart from the added id= and mountpoint= attributes', () => {
    expect(withoutOurAttributes(repquotaXml(report(), opts()))).toBe(fixture('xml.txt'))
  })

  it('adds id and mountpoint', () => {
    const xml = repquotaXml(report(), opts())
    expect(xml).toContain(`<Report type='user' dev='/dev/loop0' mountpoint='${loopFs.mountpoint}'>`)
    expect(xml).toContain(" <Quota user='#4242' id='4242'>")
  })

  it('names the attribute after the type (linuxquota writes user= for all)', () => {
    const xml = repquotaXml(report(['group']), opts())
    expect(xml).toContain("<Report type='group'")
    expect(xml).toContain(" <Quota group='daemon' id='1'>")
    expect(xml).not.toContain('user=')
  })

  it('-s: space= and spaceLimits', () => {
    const xml = repquotaXml(report(), opts({units: AUTO_UNITS}))
    expect(xml).toContain("  <QuotaStatus space='soft' inode='soft' />")
    expect(xml).toContain("  <spaceLimits used='3001K' soft='2000K' hard='4000K' grace='7days' />")
  })

  it('one document around several reports', () => {
    const xml = repquotaXml(report(['user', 'group']), opts())
    expect(xml.match(/<\?xml/g)).toHaveLength(1)
    expect(xml.match(/<Report /g)).toHaveLength(2)
    expect(xml.endsWith('</Report>\n</repquota>\n')).toBe(true)
  })

  it('escapes names and devices', () => {
    const xml = repquotaXml(report(['user'], {nameOf: (id) => (id === 0 ? `a'<b>&"c"` : null)}), opts())
    expect(xml).toContain(" <Quota user='a&apos;&lt;b&gt;&amp;&quot;c&quot;' id='0'>")
  })

  it.each([
    ['plain', 'plain'],
    ["o'hara", 'o&apos;hara'],
    ['tab\there', 'tab&#9;here'],
    ['bell\u0007', 'bell\uFFFD'],
  ])('xmlEscape(%j)', (input, out) => {
    expect(xmlEscape(input)).toBe(out)
  })

  it('an empty result is still a document', () => {
    expect(repquotaXml({schemaVersion: 1, reports: []}, opts())).toBe('<?xml version="1.0"?>\n<repquota>\n</repquota>\n')
  })
})
