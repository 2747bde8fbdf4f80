import {describe, expect, it} from 'vitest'

import {decideColor, paint} from '../../src/output/theme.js'

describe('decideColor: flag > NO_COLOR > FORCE_COLOR > TTY', () => {
  it.each([
    // flag, env, isTTY, expected
    [undefined, {}, true, true],
    [undefined, {}, false, false],
    [true, {NO_COLOR: '1'}, false, true],
    [false, {FORCE_COLOR: '1'}, true, false],
    [undefined, {NO_COLOR: '1'}, true, false],
    [undefined, {NO_COLOR: ''}, true, true], // present but empty: ignored, per no-color.org
    [undefined, {NO_COLOR: '1', FORCE_COLOR: '1'}, false, false],
    [undefined, {FORCE_COLOR: '1'}, false, true],
    [undefined, {FORCE_COLOR: ''}, false, true],
    [undefined, {FORCE_COLOR: '3'}, false, true],
    [undefined, {FORCE_COLOR: '0'}, true, false],
    [undefined, {FORCE_COLOR: 'false'}, true, false],
  ] as const)('flag=%s env=%j tty=%s -> %s', (flag, env, isTTY, expected) => {
    expect(decideColor({flag, env: env as NodeJS.ProcessEnv, isTTY})).toBe(expected)
  })
})

describe('paint', () => {
  it('soft is yellow, hard and expired red, ok and no status plain', () => {
    expect(paint('x', 'soft', true)).toBe('\u001B[33mx\u001B[39m')
    expect(paint('x', 'hard', true)).toBe('\u001B[31mx\u001B[39m')
    expect(paint('x', 'expired', true)).toBe('\u001B[31mx\u001B[39m')
    expect(paint('x', 'ok', true)).toBe('x')
    expect(paint('x', undefined, true)).toBe('x')
  })

  it('does nothing when colour is off, whatever the environment says', () => {
    expect(paint('x', 'hard', false)).toBe('x')
  })
})
