import {describe, expect, it} from 'vitest'

import {checkTargetRequest, findFilesystem, selectFilesystems} from '../../src/core/targets.js'
import type {Filesystem} from '../../src/core/types.js'

const on = {accounting: true, enforcement: true, format: 'vfsv1' as const, systemFile: true, grace: null}
const fs = (mountpoint: string, device: string, quotas: Filesystem['quotas']): Filesystem => ({
  mountpoint,
  device,
  fstype: 'ext4',
  devMajor: 1,
  devMinor: 1,
  options: [],
  quotas,
})
const home = fs('/home', '/dev/vdb', {user: on, group: on})
const srv = fs('/srv', '/dev/vdc', {project: on})
const root = fs('/', '/dev/vda1', {})
const all = [root, home, srv]

describe('findFilesystem', () => {
  it.each([
    ['/home', home],
    ['/home/', home],
    ['/home//', home],
    ['/dev/vdb', home],
    ['/', root],
  ])('%s', (arg, found) => {
    expect(findFilesystem(all, arg)).toBe(found)
  })

  it('anything else is a usage error naming it', () => {
    expect(() => findFilesystem(all, '/home/alice')).toThrow("'/home/alice' is not a mounted filesystem")
  })
})

describe('selectFilesystems', () => {
  it('-a: every filesystem with the type on', () => {
    expect(selectFilesystems(all, {all: true, mounts: []}, 'user').filesystems).toEqual([home])
    expect(selectFilesystems(all, {all: true, mounts: []}, 'project').filesystems).toEqual([srv])
    expect(selectFilesystems([root], {all: true, mounts: []}, 'user')).toEqual({filesystems: [], errors: []})
  })

  it('named mounts keep their order, once each; those without the type are errors (exit 69)', () => {
    const t = selectFilesystems(all, {all: false, mounts: ['/srv', '/home', '/dev/vdb', '/']}, 'user')
    expect(t.filesystems).toEqual([home])
    expect(t.errors.map((e) => [e.line, e.exitCode])).toEqual([
      ['/srv: user quota is not on', 69],
      ['/: user quota is not on', 69],
    ])
  })
})

describe('checkTargetRequest', () => {
  it('one of -a or mounts', () => {
    expect(() => checkTargetRequest({all: true, mounts: []})).not.toThrow()
    expect(() => checkTargetRequest({all: false, mounts: ['/home']})).not.toThrow()
    expect(() => checkTargetRequest({all: false, mounts: []})).toThrow('no filesystem given')
    expect(() => checkTargetRequest({all: true, mounts: ['/home']})).toThrow('-a and mount arguments exclude each other')
  })
})
