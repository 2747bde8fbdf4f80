// Against this machine's real databases: NSS must agree with /etc/passwd and /etc/group.
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {groupById, groupByName, listGroups, listUsers, userById, userByName} from '../../src/sys/nss.js'

function table(path: string): Array<{name: string; id: number}> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('+') && !l.startsWith('-'))
    .map((l) => l.split(':'))
    .map((f) => ({name: f[0], id: Number(f[2])}))
}

const passwd = table('/etc/passwd')
const group = table('/etc/group')
const firstName = (rows: typeof passwd, id: number) => rows.find((r) => r.id === id)?.name

describe('users', () => {
  it('root is uid 0 both ways', () => {
    expect(userByName('root')).toEqual({name: 'root', id: 0})
    expect(userById(0)).toEqual({name: 'root', id: 0})
  })

  it('every /etc/passwd line resolves both ways', () => {
    expect(passwd.length).toBeGreaterThan(1)
    for (const u of passwd) {
      expect(userByName(u.name)?.id, u.name).toBe(u.id)
      expect(userById(u.id)?.name, String(u.id)).toBe(firstName(passwd, u.id))
    }
  })

  it('unknown names and ids are null, never a crash', () => {
    expect(userByName('no-such-user-quotakit')).toBeNull()
    expect(userByName('')).toBeNull()
    expect(userByName('a\0b')).toBeNull()
    expect(userById(0xfffffffe)).toBeNull()
    expect(userById(0x7ffffff0)).toBeNull()
  })

  it('listUsers enumerates every passwd line', () => {
    const all = listUsers()
    for (const u of passwd) expect(all).toContainEqual(u)
  })
})

describe('groups', () => {
  it('root is gid 0 both ways', () => {
    expect(groupByName('root')).toEqual({name: 'root', id: 0})
    expect(groupById(0)).toEqual({name: 'root', id: 0})
  })

  it('every /etc/group line resolves both ways', () => {
    expect(group.length).toBeGreaterThan(1)
    for (const g of group) {
      expect(groupByName(g.name)?.id, g.name).toBe(g.id)
      expect(groupById(g.id)?.name, String(g.id)).toBe(firstName(group, g.id))
    }
  })

  it('unknown names are null', () => {
    expect(groupByName('no-such-group-quotakit')).toBeNull()
    expect(groupById(0xfffffffe)).toBeNull()
  })

  it('listGroups enumerates every group line', () => {
    const all = listGroups()
    for (const g of group) expect(all).toContainEqual(g)
  })

  it('stays correct across many lookups (buffer reuse)', () => {
    for (let i = 0; i < 2000; i++) expect(groupById(0)?.name).toBe('root')
  })
})

describe('ERANGE', () => {
  it('grows the buffer until the entry fits', async () => {
    const {resetNssBuffer} = await import('../../src/sys/nss.js')
    for (const fn of [() => userById(0), () => groupByName('root'), () => listUsers().find((u) => u.id === 0)]) {
      resetNssBuffer(72) // struct area plus 8 bytes: every entry needs more
      expect(fn()?.name).toBe('root')
    }
    resetNssBuffer()
  })
})
