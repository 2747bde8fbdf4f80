import {describe, expect, it} from 'vitest'

import {type SetquotaFlags, expiryFor, planSetquota} from '../../src/core/setquota-plan.js'

const KiB = 1024
const base: SetquotaFlags = {all: false, batch: false, 'edit-period': false, 'edit-times': false}
const plan = (flags: Partial<SetquotaFlags>, argv: string[]) => planSetquota({...base, ...flags}, argv)

describe('planSetquota: which form', () => {
  it('limits', () => {
    expect(plan({}, ['alice', '2000', '4000', '10', '20', '/home', '/dev/vdc'])).toEqual({
      mode: 'limits',
      name: 'alice',
      limits: {softLimitBytes: 2000 * KiB, hardLimitBytes: 4000 * KiB, inodeSoftLimit: 10, inodeHardLimit: 20},
      all: false,
      mounts: ['/home', '/dev/vdc'],
    })
  })

  it('partial: only the sides given', () => {
    expect(plan({space: '1M:2M'}, ['alice', '/home'])).toMatchObject({mode: 'partial', limits: {softLimitBytes: KiB * KiB, hardLimitBytes: 2 * KiB * KiB}})
    expect(plan({inodes: '1k:2k', all: true}, ['alice'])).toEqual({
      mode: 'partial',
      name: 'alice',
      limits: {inodeSoftLimit: 1000, inodeHardLimit: 2000},
      all: true,
      mounts: [],
    })
  })

  it('prototype: names and mounts told apart by a leading /', () => {
    expect(plan({prototype: 'alice'}, ['bob', '/home', 'carol', '/dev/vdb'])).toEqual({
      mode: 'prototype',
      prototype: 'alice',
      names: ['bob', 'carol'],
      all: false,
      mounts: ['/home', '/dev/vdb'],
    })
  })

  it('batch from stdin or a file', () => {
    expect(plan({batch: true}, ['/home'])).toEqual({mode: 'batch', file: null, all: false, mounts: ['/home']})
    expect(plan({file: 'x.txt', all: true}, [])).toEqual({mode: 'batch', file: 'x.txt', all: true, mounts: []})
  })

  it('grace periods: seconds or durations', () => {
    expect(plan({'edit-period': true}, ['7d', '3600', '/home'])).toEqual({
      mode: 'grace',
      blockGraceSeconds: 604_800,
      inodeGraceSeconds: 3600,
      all: false,
      mounts: ['/home'],
    })
  })

  it('times: seconds, durations or unset', () => {
    expect(plan({'edit-times': true}, ['alice', '90', 'unset', '/home'])).toEqual({
      mode: 'times',
      name: 'alice',
      spaceTime: {seconds: 90},
      inodeTime: 'unset',
      all: false,
      mounts: ['/home'],
    })
  })
})

describe('planSetquota: usage errors', () => {
  it.each([
    [{}, ['alice', '1', '2', '3'], 'expected NAME BSOFT BHARD ISOFT IHARD followed by -a or mountpoints'],
    [{}, ['alice', '1', '2', '3', '/home'], 'expected NAME BSOFT BHARD ISOFT IHARD followed by -a or mountpoints'],
    [{}, ['alice', '1', '2', '3', '4'], 'no filesystem given'],
    [{all: true}, ['alice', '1', '2', '3', '4', '/home'], '-a and mount arguments exclude each other (got /home)'],
    [{space: '1:2'}, ['/home'], 'expected NAME followed by -a or mountpoints'],
    [{prototype: 'alice'}, ['/home'], "expected one or more NAMEs to copy the prototype's limits to"],
    [{'edit-period': true}, ['7d'], 'expected BGRACE IGRACE followed by -a or mountpoints'],
    [{'edit-period': true}, ['7d', '99999999999', '/home'], "inode grace time '99999999999' is too long (at most 2147483647 seconds)"],
    [{'edit-times': true}, ['alice', '1h', '/home'], 'expected NAME BTIME ITIME followed by -a or mountpoints'],
    [{'edit-times': true}, ['alice', 'never', '1h', '/home'], "unparsable block grace time 'never'"],
    [{batch: true, 'edit-period': true}, ['/home'], '-b and -t cannot be used together'],
    [{file: 'f', prototype: 'a'}, ['/home'], '--file and -p cannot be used together'],
    [{'edit-period': true, 'edit-times': true}, ['/home'], '-t and -T cannot be used together'],
    [{'edit-times': true, inodes: '1:2'}, ['/home'], '-T and --inodes cannot be used together'],
  ])('%j %j', (flags, argv, message) => {
    expect(() => plan(flags, argv)).toThrow(message)
    try {
      plan(flags, argv)
    } catch (err) {
      expect(err).toMatchObject({kind: 'usage'})
    }
  })
})

describe('expiryFor', () => {
  it('is now + seconds, or 0 for unset', () => {
    expect(expiryFor({seconds: 60}, 1000)).toBe(1060)
    expect(expiryFor({seconds: 0}, 1000)).toBe(1000)
    expect(expiryFor('unset', 1000)).toBe(0)
  })
})
