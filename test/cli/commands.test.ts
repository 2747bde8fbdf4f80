// oclif finds commands through src/cli/commands.ts (explicit discovery, read from the startup
// bundle): a command file missing from that list would silently not exist, and a getter pointing
// at the wrong file would run the wrong command. The list's getters require() their command, which
// only the bundle can do, so it is read from dist/quotakit.cjs as oclif reads it.

import {readdirSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, relative} from 'node:path'

import type {Command} from '@oclif/core'
import {beforeAll, describe, expect, it} from 'vitest'

import {ROOT, requireBuild} from './helpers.js'

const commandFiles = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? commandFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

const idOf = (file: string): string => relative(join(ROOT, 'commands'), file).replace(/\.ts$/, '').replaceAll('/', ':')

describe('COMMANDS (in the startup bundle)', () => {
  const files = commandFiles(join(ROOT, 'commands'))
  let COMMANDS: Record<string, Command.Class>

  beforeAll(() => {
    requireBuild()
    COMMANDS = (createRequire(import.meta.url)(join(ROOT, 'dist/quotakit.cjs')) as {COMMANDS: Record<string, Command.Class>}).COMMANDS
  })

  it('has one entry per file under commands/, by its oclif id', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(files.map(idOf).sort())
  })

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s: its entry is that file\'s command', async (_name, file) => {
    const source = ((await import(file)) as {default: Command.Class}).default
    const bundled = COMMANDS[idOf(file)]
    expect(bundled.summary ?? bundled.description).toBe(source.summary ?? source.description)
    expect(Object.keys(bundled.flags ?? {})).toEqual(Object.keys(source.flags ?? {}))
    expect(Object.keys(bundled.args ?? {})).toEqual(Object.keys(source.args ?? {}))
  })

  it('sorts by code point as oclif\'s localeCompare would (the bundle patches oclif to skip ICU)', () => {
    const ids = [...Object.keys(COMMANDS), 'grace']
    const byLocale = [...ids].sort((a, b) => a.localeCompare(b))
    const byCodePoint = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    expect(byCodePoint).toEqual(byLocale)
  })
})
