// The scan's progress line: its words, and that it redraws in place and clears itself.

import {describe, expect, it} from 'vitest'

import {progressText, terminalProgress} from '../../src/scan/progress.js'

describe('progress line', () => {
  it('says files, bytes and rate', () => {
    expect(progressText('/home', {entries: 1_234_567, bytes: 13 * 1024 ** 3, elapsedMs: 2000})).toBe('scanning /home: 1,234,567 files, 13 GiB, 617,284 files/s')
    expect(progressText('/', {entries: 0, bytes: 0, elapsedMs: 0})).toBe('scanning /: 0 files, 0 B, 0 files/s')
  })

  it('redraws one line (carriage return, erase) cut to the terminal width, and clears it when done', () => {
    const written: string[] = []
    const stream = {columns: 30, write: (s: string) => written.push(s)} as unknown as NodeJS.WriteStream
    const sink = terminalProgress(stream, '/srv')
    sink.update({entries: 10, bytes: 2048, elapsedMs: 1000})
    sink.done()
    // "scanning /srv: 10 files, 2 KiB, 10 files/s" cut to 29 columns
    expect(written).toEqual(['\rscanning /srv: 10 files, 2 Ki\u001B[K', '\r\u001B[K'])
    const quiet: string[] = []
    terminalProgress({write: (s: string) => quiet.push(s)} as unknown as NodeJS.WriteStream, '/x').done()
    expect(quiet).toEqual([]) // nothing shown, nothing to clear
  })
})
