import {describe, expect, it} from 'vitest'

import type {Document, TableBlock} from '../../src/output/document.js'
import {render} from '../../src/output/render.js'
import {expectGolden} from './golden.js'

const usage: TableBlock = {
  kind: 'table',
  title: 'Usage on /home',
  columns: [
    {key: 'name', header: 'User'},
    {key: 'used', header: 'Used', align: 'right'},
    {key: 'soft', header: 'Soft', align: 'right'},
    {key: 'grace', header: 'Grace'},
  ],
  rows: [
    {cells: {name: 'root', used: 1024, soft: null, grace: null}, status: 'ok'},
    {cells: {name: 'alice', used: 3001, soft: 2000, grace: '6days'}, status: 'soft'},
    {cells: {name: 'bob', used: 5000, soft: 2000, grace: 'none'}, status: 'expired'},
    {cells: {name: 'carol', used: 4100, soft: 2000, grace: '13:15'}, status: 'hard'},
    {cells: {name: 'dave', used: 0, soft: 2000, grace: ''}},
  ],
  emptyText: 'no quota entries',
}

const doc: Document = [
  {kind: 'lines', lines: [{text: '*** Report for user quotas on device /dev/vdb'}, {text: 'alice  over soft', status: 'soft'}, {text: '.starts with a dot'}]},
  usage,
]

const tricky: TableBlock = {
  kind: 'table',
  columns: [
    {key: 'Filesystem', header: 'Filesystem'},
    {key: 'Name', header: 'Name'},
    {key: 'Note', header: 'Note'},
  ],
  rows: [
    {cells: {Filesystem: '/home', Name: 'plain', Note: 'ok'}, status: 'hard'},
    {cells: {Filesystem: '/mnt/a,b', Name: 'say "hi"', Note: 'two\nlines'}},
    {cells: {Filesystem: '/srv', Name: null, Note: 'cr\rhere'}},
    {cells: {Filesystem: ' lead', Name: '', Note: 42}},
  ],
}

describe('render: table on a terminal (cli-table3)', () => {
  it('colour off: boxes, no escape codes at all', () => {
    const out = render(doc, 'table', {color: false, tty: true})
    expect(out).not.toContain('\u001B')
    expectGolden('table-tty-plain', out)
  })

  it('colour on: soft rows yellow, hard and expired red, ok uncoloured', () => {
    const out = render(doc, 'table', {color: true, tty: true})
    expect(out).toContain('\u001B[33malice\u001B[39m')
    expect(out).toContain('\u001B[31mbob\u001B[39m')
    expect(out).not.toContain('\u001B[31mroot')
    expectGolden('table-tty-color', out)
  })
})

describe('render: table in a pipe (plain columns)', () => {
  it('colour off: aligned columns, "-" for missing values, no box drawing', () => {
    const out = render(doc, 'table', {color: false, tty: false})
    expect(out).not.toMatch(/[\u2500-\u257F]/)
    expect(out).not.toContain('\u001B')
    expectGolden('table-pipe-plain', out)
  })

  it('every data row splits into the same number of awk fields', () => {
    const out = render([usage], 'table', {color: false, tty: false})
    const rows = out.trimEnd().split('\n').slice(2) // title, header
    expect(new Set(rows.map((r) => r.trim().split(/\s+/).length))).toEqual(new Set([4]))
  })

  it('a blank inside a cell is escaped so it stays one field', () => {
    const spaced: TableBlock = {
      kind: 'table',
      columns: [{key: 'm', header: 'Filesystem'}, {key: 'd', header: 'Device'}],
      rows: [{cells: {m: '/mnt/my disk', d: '/dev/vdb'}}, {cells: {m: '/a\tb', d: 'x'}}],
    }
    expect(render([spaced], 'table', {color: false, tty: false})).toBe(
      'Filesystem       Device\n/mnt/my\\x20disk  /dev/vdb\n/a\\x09b          x\n',
    )
  })

  it('colour forced on: whole padded lines painted, alignment unchanged', () => {
    const out = render(doc, 'table', {color: true, tty: false})
    expectGolden('table-pipe-color', out)
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\u001B\[\d+m/g, '')).toBe(render(doc, 'table', {color: false, tty: false}))
  })
})

describe('render: csv', () => {
  it('RFC 4180 quoting, header of column keys, empty for null, never coloured', () => {
    const out = render([tricky], 'csv', {color: true, tty: true})
    expect(out).not.toContain('\u001B')
    expectGolden('csv-quoting', out)
    expect(out.split('\n')[0]).toBe('Filesystem,Name,Note')
    expect(out).toContain('"/mnt/a,b","say ""hi""","two\nlines"')
    expect(out).toContain('/srv,,"cr\rhere"')
  })

  it('one table after another, a blank line between, lines blocks left out', () => {
    const out = render([...doc, tricky], 'csv', {color: false, tty: false})
    expectGolden('csv-multi', out)
    expect(out).not.toContain('Report for')
    expect(out.split('\n\n')).toHaveLength(2)
  })
})

describe('render: empty and quiet', () => {
  const empty: TableBlock = {...usage, rows: []}

  it('an empty document renders nothing, not even a newline', () => {
    expect(render([], 'table', {color: true, tty: true})).toBe('')
    expect(render([], 'csv', {color: false, tty: false})).toBe('')
  })

  it('an empty table shows emptyText on a terminal, nothing in a pipe, a header in csv', () => {
    expect(render([empty], 'table', {color: false, tty: true})).toBe('no quota entries\n')
    expect(render([empty], 'table', {color: false, tty: false})).toBe('')
    expect(render([empty], 'csv', {color: false, tty: false})).toBe('name,used,soft,grace\n')
  })

  it('lines blocks keep their text as is, coloured per line', () => {
    const lines: Document = [{kind: 'lines', lines: [{text: '  indented  '}, {text: 'late', status: 'expired'}]}]
    expect(render(lines, 'table', {color: false, tty: false})).toBe('  indented  \nlate\n')
    expect(render(lines, 'table', {color: true, tty: true})).toBe('  indented  \n\u001B[31mlate\u001B[39m\n')
  })
})
