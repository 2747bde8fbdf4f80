import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseProjects, parseProjid, projectsPath, projidPath} from '../src/core/projid.js'
import {QuotaError} from '../src/errors.js'
import {type NameService, parseNumericId, readProjid, Resolver} from '../src/names.js'

const dir = mkdtempSync(join(tmpdir(), 'quotakit-names-'))
const projid = join(dir, 'projid')
writeFileSync(projid, '# projects\nwww:10\n  db : 20 \n\nbroken\nnoid:\nbad:x1\nwww2:10\nlogs:30:extra\n')

function expectNoSuchId(fn: () => unknown, message: string): void {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(QuotaError)
    expect((e as QuotaError).kind).toBe('no-such-id')
    expect((e as QuotaError).exitCode).toBe(67)
    expect((e as QuotaError).message).toBe(message)
    return
  }
  throw new Error('expected a QuotaError')
}

describe('parseProjid / parseProjects', () => {
  it('name:id lines, comments, blanks and whitespace', () => {
    expect(parseProjid('# c\nwww:10\n  db : 20 \n\nlogs:30:extra\n')).toEqual([
      {name: 'www', id: 10},
      {name: 'db', id: 20},
      {name: 'logs', id: 30},
    ])
  })

  it('skips malformed lines', () => {
    expect(parseProjid('broken\nnoid:\n:5\nbad:x1\nneg:-1\nbig:4294967295\nok:4294967294')).toEqual([{name: 'ok', id: 4294967294}])
  })

  it('id:path lines; the path keeps its colons', () => {
    expect(parseProjects('# c\n10:/srv/www\n 20 : /srv/db:old \nx:/nope\n30:\n')).toEqual([
      {id: 10, path: '/srv/www'},
      {id: 20, path: '/srv/db:old'},
    ])
  })

  it('paths come from the environment for tests', () => {
    expect(projidPath({})).toBe('/etc/projid')
    expect(projectsPath({})).toBe('/etc/projects')
    expect(projidPath({QUOTAKIT_PROJID: '/x'})).toBe('/x')
    expect(projectsPath({QUOTAKIT_PROJECTS: '/y'})).toBe('/y')
  })

  it('readProjid: a missing file is empty', () => {
    expect(readProjid(join(dir, 'missing'))).toEqual([])
    expect(readProjid(projid).map((p) => p.name)).toEqual(['www', 'db', 'www2', 'logs'])
  })
})

describe('parseNumericId', () => {
  it.each([
    ['0', 0],
    ['1000', 1000],
    ['#1000', 1000],
    ['4294967294', 4294967294],
    ['bob', null],
    ['10a', null],
    ['-1', null],
    ['', null],
    ['#', null],
    ['#x', null],
    ['007', 7], // leading zeros are decimal, not C octal
    ['\uff11\uff12', null], // fullwidth digits are not \d
    ['12 ', null],
  ])('%j', (s, want) => expect(parseNumericId(s)).toBe(want))

  it('refuses (u32)-1 and beyond as a usage error', () => {
    expect(() => parseNumericId('4294967295')).toThrowError(/out of range/)
    try {
      parseNumericId('99999999999')
    } catch (e) {
      expect((e as QuotaError).kind).toBe('usage')
    }
  })
})

describe('Resolver against this machine', () => {
  const r = new Resolver({projidFile: projid})

  it('users and groups via NSS', () => {
    expect(r.resolve('user', 'root')).toBe(0)
    expect(r.resolve('group', 'root')).toBe(0)
    expect(r.nameOf('user', 0)).toBe('root')
    expect(r.nameOf('group', 0)).toBe('root')
    expect(r.nameOf('user', 0xfffffffe)).toBeNull()
  })

  it('numeric strings are ids, even when no name exists', () => {
    expect(r.resolve('user', '54321')).toBe(54321)
    expect(r.resolve('group', '#7')).toBe(7)
    expect(r.resolve('project', '999')).toBe(999)
  })

  it('unknown names exit 67', () => {
    expectNoSuchId(() => r.resolve('user', 'bob-quotakit'), "unknown user 'bob-quotakit'")
    expectNoSuchId(() => r.resolve('group', 'nogroup-quotakit'), "unknown group 'nogroup-quotakit'")
    expectNoSuchId(() => r.resolve('project', 'nope'), "unknown project 'nope'")
  })

  it('projects via the projid file; the first line for an id names it', () => {
    expect(r.resolve('project', 'db')).toBe(20)
    expect(r.resolve('project', 'www2')).toBe(10)
    expect(r.nameOf('project', 10)).toBe('www')
    expect(r.nameOf('project', 11)).toBeNull()
  })

  it('QUOTAKIT_PROJID is the default projid path', () => {
    const old = process.env.QUOTAKIT_PROJID
    process.env.QUOTAKIT_PROJID = projid
    try {
      expect(new Resolver().resolve('project', 'logs')).toBe(30)
    } finally {
      if (old === undefined) delete process.env.QUOTAKIT_PROJID
      else process.env.QUOTAKIT_PROJID = old
    }
  })
})

describe('Resolver caches per run', () => {
  it('asks NSS once per name and once per id, misses included', () => {
    const calls: string[] = []
    const fake: NameService = {
      userByName: (n) => (calls.push(`un ${n}`), n === 'alice' ? {id: 2001} : null),
      userById: (id) => (calls.push(`ui ${id}`), id === 2001 ? {name: 'alice'} : null),
      groupByName: (n) => (calls.push(`gn ${n}`), null),
      groupById: (id) => (calls.push(`gi ${id}`), null),
    }
    const r = new Resolver({nss: fake, projidFile: projid})
    for (let i = 0; i < 3; i++) {
      expect(r.resolve('user', 'alice')).toBe(2001)
      expect(r.nameOf('user', 2001)).toBe('alice')
      expect(r.nameOf('user', 3)).toBeNull()
      expect(r.nameOf('group', 2001)).toBeNull()
      expect(() => r.resolve('group', 'alice')).toThrowError(QuotaError)
    }
    expect(calls).toEqual(['un alice', 'ui 2001', 'ui 3', 'gi 2001', 'gn alice'])
  })
})
