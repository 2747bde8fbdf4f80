// Host-side unit tests of the lab image builder's pure parts (no VM, no mkfs).
import {describe, expect, it} from 'vitest'
import {cpioArchive} from '../lab/cpio.js'
import {parseLdd} from '../lab/ldd.js'
import {stripModuleSignature} from '../lab/modules.js'
import {productionPackages} from '../lab/node-modules.js'
import {guestLibraryPath} from '../lab/rootfs.js'
import {utmpRecord} from '../lab/utmp.js'

describe('cpioArchive', () => {
  it('writes newc headers, 4-byte aligned names and data, and the trailer', () => {
    const archive = cpioArchive([
      {type: 'file', path: '/init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755},
      {type: 'chardev', path: 'dev/console', major: 5, minor: 1},
    ])
    const text = archive.toString('latin1')
    expect(text.startsWith('070701')).toBe(true)
    // mode 0100755, size 10, name "init\0" (5 bytes)
    expect(text.slice(6 + 8, 6 + 16)).toBe('000081ed')
    expect(text.slice(6 + 48, 6 + 56)).toBe('0000000a')
    expect(text.slice(6 + 88, 6 + 96)).toBe('00000005')
    expect(text.slice(110, 115)).toBe('init\0')
    expect(text.indexOf('#!/bin/sh\n') % 4).toBe(0)
    const console = text.indexOf('dev/console')
    // rdevmajor 5, rdevminor 1, in the header just before the name
    expect(text.slice(console - 110 + 6 + 72, console - 110 + 6 + 88)).toBe('0000000500000001')
    expect(text).toContain('TRAILER!!!\0')
    expect(archive.length % 4).toBe(0)
  })
})

describe('stripModuleSignature', () => {
  it('cuts the appended signature and keeps unsigned modules as they are', () => {
    const body = Buffer.from('\x7fELF module body')
    const signature = Buffer.alloc(20, 7)
    const info = Buffer.alloc(12)
    info.writeUInt32BE(signature.length, 8)
    const signed = Buffer.concat([body, signature, info, Buffer.from('~Module signature appended~\n')])
    expect(stripModuleSignature(signed).equals(body)).toBe(true)
    expect(stripModuleSignature(body).equals(body)).toBe(true)
  })
})

describe('parseLdd', () => {
  it('lists libraries and the loader, not the vDSO or static notes', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f22)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f22)',
    ].join('\n')
    expect(parseLdd(output)).toEqual(['/lib/x86_64-linux-gnu/libdl.so.2', '/lib64/ld-linux-x86-64.so.2'])
  })

  it('maps /lib and /lib64 into /usr as on a merged-/usr system', () => {
    expect(guestLibraryPath('/lib/x86_64-linux-gnu/libc.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6')
    expect(guestLibraryPath('/lib64/ld-linux-x86-64.so.2')).toBe('/usr/lib64/ld-linux-x86-64.so.2')
    expect(guestLibraryPath('/usr/lib/x86_64-linux-gnu/libm.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libm.so.6')
  })
})

describe('productionPackages', () => {
  it('keeps what the lockfile does not mark dev-only', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/@oclif/core': {},
        'node_modules/vitest': {dev: true},
        'node_modules/@yuuang/ffi-rs-linux-x64-gnu': {optional: true},
        'node_modules/local': {link: true},
        'node_modules/a/node_modules/b': {},
      },
    }
    expect(productionPackages(lock)).toEqual([
      'node_modules/@oclif/core',
      'node_modules/@yuuang/ffi-rs-linux-x64-gnu',
      'node_modules/a/node_modules/b',
    ])
  })
})

describe('utmpRecord', () => {
  it('lays out glibc x86_64 struct utmp', () => {
    const record = utmpRecord({user: 'alice', line: 'lab/tty-alice', id: 'l0', pid: 1})
    expect(record.length).toBe(384)
    expect(record.readInt16LE(0)).toBe(7)
    expect(record.subarray(8, 21).toString()).toBe('lab/tty-alice')
    expect(record.subarray(44, 49).toString()).toBe('alice')
    expect(record[49]).toBe(0)
  })
})
