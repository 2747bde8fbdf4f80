// oclif finds commands through src/cli/commands.ts (explicit discovery, so the startup bundle can
// hold them): a command file missing from that list would silently not exist.

import {readdirSync} from 'node:fs'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'

import {COMMANDS} from '../../src/cli/commands.js'
import {ROOT} from './helpers.js'

const commandFiles = (dir: string): string[] =>
  readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? commandFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

describe('COMMANDS', () => {
  const files = commandFiles(join(ROOT, 'commands'))

  it('has one entry per file under commands/, by its oclif id', () => {
    const ids = files.map((f) => relative(join(ROOT, 'commands'), f).replace(/\.ts$/, '').replaceAll('/', ':'))
    expect(Object.keys(COMMANDS).sort()).toEqual(ids.sort())
  })

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s: its entry is the file default export', async (_name, file) => {
    const id = relative(join(ROOT, 'commands'), file).replace(/\.ts$/, '').replaceAll('/', ':')
    const mod = (await import(file)) as {default: unknown}
    expect(COMMANDS[id as keyof typeof COMMANDS]).toBe(mod.default)
  })
})
