// Golden: our csv minus the Filesystem column we add is linuxquota 4.06's csv for the same state.

import {describe, expect, it} from 'vitest'

import {AUTO_UNITS} from '../../src/core/units.js'
import {render} from '../../src/output/render.js'
import {csvColumnKeys, repquotaCsv} from '../../src/output/repquota-csv.js'
import {fixture, formatOptions, report} from './repquota-state.js'

const opts = formatOptions
const csv = (result = report(), o = opts()) => render(repquotaCsv(result, o), 'csv', {color: true, tty: true})
const dropFirstColumn = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/^[^,]*,/, ''))
    .join('\n')

describe('repquota csv', () => {
  it('is linuxquota\'s csv with a Filesystem column first', () => {
    const out = csv()
    expect(dropFirstColumn(out)).toBe(fixture('csv.txt'))
    expect(out.split('\n')[0]).toBe(
      'Filesystem,User,BlockStatus,FileStatus,BlockUsed,BlockSoftLimit,BlockHardLimit,BlockGrace,FileUsed,FileSoftLimit,FileHardLimit,FileGrace',
    )
    expect(out.split('\n')[2]).toBe('/tmp/qkg/mnt,daemon,soft,soft,3001,2000,4000,7days,17,10,20,7days')
  })

  it('-s: Space columns and human values', () => {
    expect(dropFirstColumn(csv(report(), opts({units: AUTO_UNITS})))).toBe(fixture('csv-human.txt'))
  })

  it('expired grace is "soft" as in linuxquota (it has no word for it); never coloured', () => {
    const line = csv().split('\n').find((l) => l.includes('systemd-network'))
    expect(line).toBe('/tmp/qkg/mnt,systemd-network,soft,ok,101,100,0,none,5,0,0,')
  })

  it('-p puts epoch seconds (0 when none) in the grace columns', () => {
    const line = csv(report(), opts({rawGrace: true})).split('\n').find((l) => l.includes(',root,'))
    expect(line).toBe('/tmp/qkg/mnt,root,ok,ok,13,0,0,0,2,0,0,0')
  })

  it('one header per filesystem and type, Group for group reports', () => {
    const lines = csv(report(['user', 'group'])).split('\n')
    const headers = lines.filter((l) => l.startsWith('Filesystem,'))
    expect(headers.map((h) => h.split(',')[1])).toEqual(['User', 'Group'])
  })

  it('quotes names that need it (RFC 4180)', () => {
    const out = csv(report(['user'], {nameOf: (id) => (id === 0 ? 'a,"b"' : null)}))
    expect(out.split('\n')[1]).toBe('/tmp/qkg/mnt,"a,""b""",ok,ok,13,0,0,,2,0,0,')
  })

  it('project header word', () => {
    expect(csvColumnKeys('project', opts())[1]).toBe('Project')
  })
})
