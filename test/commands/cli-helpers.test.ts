// The argv helpers repquota/setquota use before and after oclif parses.

import {describe, expect, it} from 'vitest'

import {humanUnitsFrom, normalizeHumanReadableArgv} from '../../src/cli/human-readable.js'
import {positionals} from '../../src/cli/positionals.js'

describe('normalizeHumanReadableArgv', () => {
  it.each([
    [['-s', '/home'], ['-s', '/home']],
    [['-svu', '/home'], ['-svu', '/home']], // not units: three flags (linuxquota would read "vu")
    [['-sg,k'], ['--human-units=g,k']],
    [['-s,k'], ['--human-units=,k']],
    [['-sm,'], ['--human-units=m,']],
    [['-s=g,k'], ['--human-units=g,k']],
    [['--human-readable=g,t'], ['--human-units=g,t']],
    [['--human-readable'], ['--human-readable']],
    [['-s=x'], ['--human-units=x']], // rejected later with the units message
    [['--', '-sg,k'], ['--', '-sg,k']],
  ])('%j -> %j', (argv, out) => {
    expect(normalizeHumanReadableArgv(argv)).toEqual(out)
  })
})

describe('humanUnitsFrom', () => {
  it('explicit units win, -s is auto, nothing is raw', () => {
    expect(humanUnitsFrom({'human-units': 'g,k', 'human-readable': true})).toEqual({space: 'g', inodes: 'k'})
    expect(humanUnitsFrom({'human-readable': true})).toEqual({space: 'auto', inodes: 'auto'})
    expect(humanUnitsFrom({})).toEqual({space: 'raw', inodes: 'raw'})
  })
})

describe('positionals', () => {
  it('keeps the typed order of repeated values', () => {
    const raw = ['alice', '0', '0', '100', '0', '/home'].map((input) => ({type: 'arg', input}))
    expect(positionals([...raw, {type: 'flag', input: '-u'}])).toEqual(['alice', '0', '0', '100', '0', '/home'])
  })
})
