// Naming many ids: with NSS answering from files alone, the resolver reads the database once
// (completeListing) instead of once per id, and the names are the ones per-id lookups give.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {type NameService, Resolver} from '../src/names.js'
import {completeListing, enumerationIsComplete, nsswitchSources, userById} from '../src/sys/nss.js'

const dir = mkdtempSync(join(tmpdir(), 'quotakit-listing-'))
const projid = join(dir, 'projid')
writeFileSync(projid, 'www:10\n')

describe('nsswitchSources', () => {
  it('sources of a database, without actions and comments', () => {
    const conf = '# c\npasswd:  files systemd\ngroup: files [NOTFOUND=return] ldap # x\nshadow: files\n  hosts : files dns\n'
    expect(nsswitchSources(conf, 'passwd')).toEqual(['files', 'systemd'])
    expect(nsswitchSources(conf, 'group')).toEqual(['files', 'ldap'])
    expect(nsswitchSources(conf, 'hosts')).toEqual(['files', 'dns'])
    expect(nsswitchSources(conf, 'netgroup')).toBeNull()
    expect(nsswitchSources('#passwd: files\n', 'passwd')).toBeNull()
  })

  it('enumeration counts as complete only for files and systemd sources', () => {
    const file = join(dir, 'nsswitch.conf')
    const old = process.env.QUOTAKIT_NSSWITCH
    process.env.QUOTAKIT_NSSWITCH = file
    try {
      writeFileSync(file, 'passwd: files systemd\ngroup: files sss\n')
      // the answer is cached per process: read both once here
      expect(enumerationIsComplete('passwd')).toBe(true)
      expect(enumerationIsComplete('group')).toBe(false)
      expect(completeListing('group')).toBeNull()
      const users = completeListing('user')
      expect(users).not.toBeNull()
      for (const u of users ?? []) expect(userById(u.id)?.id).toBe(u.id)
      // every id NSS names per id is in the listing with the same name (this host's real NSS):
      // the system range, the nss-systemd dynamic-user range, nobody, and regular users
      const byId = new Map<number, string>()
      for (const u of users ?? []) if (!byId.has(u.id)) byId.set(u.id, u.name)
      const ids = [...Array.from({length: 2000}, (_, i) => i), ...Array.from({length: 4400}, (_, i) => 61180 + i), 65534, 65535, 100000, 4294967294]
      for (const id of ids) expect(byId.get(id) ?? null, `uid ${id}`).toBe(userById(id)?.name ?? null)
    } finally {
      if (old === undefined) delete process.env.QUOTAKIT_NSSWITCH
      else process.env.QUOTAKIT_NSSWITCH = old
    }
  })
})

describe('Resolver with a complete listing', () => {
  const entries = [
    {name: 'alice', id: 1000},
    {name: 'alias', id: 1000}, // a second entry for the same id: the first names it
    {name: 'bob', id: 1001},
  ]

  function fake(listing: boolean): {ns: NameService; calls: string[]} {
    const calls: string[] = []
    const ns: NameService = {
      userByName: () => null,
      userById: (id) => (calls.push(`ui ${id}`), entries.find((e) => e.id === id) ?? null),
      groupByName: () => null,
      groupById: (id) => (calls.push(`gi ${id}`), null),
      completeListing: (type) => (calls.push(`list ${type}`), listing && type === 'user' ? entries : null),
    }
    return {ns, calls}
  }

  it('after 16 lookups reads the database once and answers the rest from it', () => {
    const {ns, calls} = fake(true)
    const r = new Resolver({nss: ns, projidFile: projid})
    const names = Array.from({length: 40}, (_, i) => r.nameOf('user', 990 + i))
    expect(names[10]).toBe('alice')
    expect(names[11]).toBe('bob')
    expect(names.filter(Boolean)).toEqual(['alice', 'bob'])
    expect(calls.filter((c) => c.startsWith('ui'))).toHaveLength(15)
    expect(calls.filter((c) => c.startsWith('list'))).toEqual(['list user'])
    expect(r.nameOf('user', 1000)).toBe('alice')
  })

  it('answers the same as per-id lookups', () => {
    const listing = new Resolver({nss: fake(true).ns, projidFile: projid})
    const perId = new Resolver({nss: fake(false).ns, projidFile: projid})
    for (let id = 900; id < 1100; id++) expect(listing.nameOf('user', id)).toBe(perId.nameOf('user', id))
  })

  it('keeps asking per id when the listing is not complete', () => {
    const {ns, calls} = fake(false)
    const r = new Resolver({nss: ns, projidFile: projid})
    for (let id = 0; id < 40; id++) r.nameOf('group', id)
    expect(calls.filter((c) => c.startsWith('gi'))).toHaveLength(40)
    expect(calls.filter((c) => c.startsWith('list'))).toEqual(['list group'])
  })
})
