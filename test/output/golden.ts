// Golden files for rendered output. Escape codes are written as the visible text `\e` (and CR as
// `\r`) so a reviewer can read in the diff exactly which colour went where. UPDATE_GOLDEN=1
// rewrites them.

import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {expect} from 'vitest'

const DIR = join(import.meta.dirname, 'golden')

export const visibleEscapes = (text: string): string => text.replaceAll('\u001B', '\\e').replaceAll('\r', '\\r')

export function expectGolden(name: string, actual: string): void {
  const file = join(DIR, `${name}.txt`)
  const visible = visibleEscapes(actual)
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, visible)
  expect(visible).toBe(readFileSync(file, 'utf8'))
}
