// DEBUG namespaces: which values turn quotakit's stderr tracing on.
import {describe, expect, it} from 'vitest'

import {debugEnabled} from '../src/debug.js'

describe('debugEnabled', () => {
  it('follows the debug package spelling', () => {
    for (const env of ['quota', 'quota*', '*', 'quota:sys', 'express, quota:sys', ' quota ,x']) expect(debugEnabled('quota:sys', env), env).toBe(true)
    for (const env of ['', 'quota:file', 'quotas', 'xquota', 'quota:sysx', 'oclif:*']) expect(debugEnabled('quota:sys', env), env).toBe(false)
    expect(debugEnabled('quota:file', 'quota:file')).toBe(true)
  })
})
