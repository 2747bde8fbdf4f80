// Exit codes, stderr lines and JSON errors as a script sees them: every case spawns a real
// process (bin/run.js, or the test-only fixture command built on the same base class).

import {beforeAll, describe, expect, it} from 'vitest'

import {EXIT_CODES, type ErrorKind} from '../../src/errors.js'
import {FAKE_STATE, fakeState, fixture, onTerminal, quotakit, requireBuild, FIXTURE, BIN, ROOT} from './helpers.js'
import {schemaErrors} from './schema.js'

beforeAll(requireBuild)

const parseJson = (text: string): unknown => JSON.parse(text)

describe('usage errors exit 64, as one line plus a hint, also under --json', () => {
  it('unknown flag', () => {
    const r = quotakit(['filesystems', '--bogus'])
    expect(r.status).toBe(64)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe("quotakit filesystems: Nonexistent flag: --bogus\nhint: see 'quotakit filesystems --help'\n")
  })

  it('unknown flag with --json: the error as JSON on stdout, nothing on stderr', () => {
    const r = quotakit(['filesystems', '--bogus', '--json'])
    expect(r.status).toBe(64)
    expect(r.stderr).toBe('')
    const out = parseJson(r.stdout)
    expect(schemaErrors('error', out)).toEqual([])
    expect(out).toMatchObject({error: {kind: 'usage', exitCode: 64, message: 'Nonexistent flag: --bogus'}})
  })

  it('unexpected argument and bad option value', () => {
    expect(quotakit(['filesystems', '--color=maybe']).status).toBe(64)
    const r = fixture(['-O', 'bogus'])
    expect(r.status).toBe(64)
    expect(r.stderr.split('\n')[0]).toBe('quotakit fixture: Expected --output=bogus to be one of: default, csv, json')
  })

  it('unknown command, with and without --json', () => {
    const r = quotakit(['bogus'])
    expect(r.status).toBe(64)
    expect(r.stderr).toBe("quotakit: unknown command 'bogus'\nhint: see 'quotakit --help'\n")
    const j = quotakit(['bogus', '--json'])
    expect(j.status).toBe(64)
    expect(schemaErrors('error', parseJson(j.stdout))).toEqual([])
  })
})

describe('each QuotaError kind exits with its code from src/errors.ts', () => {
  const kinds = Object.entries(EXIT_CODES) as Array<[ErrorKind, number]>

  it.each(kinds)('%s -> %i, one stderr line (and a hint line when there is one)', (kind, code) => {
    const r = fixture(['--throw', kind, '--hint', 'try this'])
    expect(r.status).toBe(code)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('quotakit fixture: /home: it failed (EPERM)\nhint: try this\n')
  })

  it.each(kinds)('%s -> %i under --json too, with a schema-valid error on stdout', (kind, code) => {
    const r = fixture(['--throw', kind, '--json'])
    expect(r.status).toBe(code)
    expect(r.stderr).toBe('')
    const out = parseJson(r.stdout)
    expect(schemaErrors('error', out)).toEqual([])
    expect(out).toEqual({error: {kind, message: 'it failed', errno: 'EPERM', mount: '/home', id: 1001, hint: null, exitCode: code}})
  })

  it('-O json reports errors as --json does', () => {
    const r = fixture(['--throw', 'permission', '-O', 'json'])
    expect(r.status).toBe(77)
    expect(parseJson(r.stdout)).toMatchObject({error: {kind: 'permission'}})
  })

  it('an unexpected error exits 1 with one line; the stack only with DEBUG', () => {
    const r = fixture(['--throw', 'plain'])
    expect(r.status).toBe(1)
    expect(r.stderr).toBe('quotakit fixture: something broke\n')
    const d = fixture(['--throw', 'plain'], {DEBUG: '1'})
    expect(d.status).toBe(1)
    expect(d.stderr).toMatch(/^quotakit fixture: something broke\nError: something broke\n\s+at /)
  })
})

describe('partial failure and warnings', () => {
  it('prints the result, then each failure on stderr, hints once, and exits 1', () => {
    const r = fixture(['--partial'])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('Name   Status\nalice  soft\nbob    ok\n')
    expect(r.stderr).toBe(
      'quotakit fixture: /srv: user quota is not on (ESRCH)\nquotakit fixture: /var: permission denied (EPERM)\nhint: turn it on with quotaon\n',
    )
  })

  it('under --json the result stays valid JSON on stdout and the exit is still 1', () => {
    const r = fixture(['--partial', '--json'])
    expect(r.status).toBe(1)
    expect(parseJson(r.stdout)).toMatchObject({schemaVersion: 1})
    expect(r.stderr).toContain('quotakit fixture: /srv: user quota is not on (ESRCH)')
  })

  it('a warning is one stderr line and does not change the exit code', () => {
    const r = fixture(['--warn', 'grace times differ'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('quotakit fixture: warning: grace times differ\n')
  })

  it('quiet on success: an empty Document prints nothing at all', () => {
    const r = fixture(['--quiet'])
    expect(r).toEqual({status: 0, stdout: '', stderr: ''})
  })
})

describe('output formats', () => {
  it('-O json prints exactly what --json prints', () => {
    expect(fixture(['-O', 'json']).stdout).toBe(fixture(['--json']).stdout)
  })

  it('-O csv prints CSV', () => {
    expect(fixture(['-O', 'csv']).stdout).toBe('name,status\nalice,soft\nbob,ok\n')
  })

  it('JSON is never coloured, even with FORCE_COLOR', () => {
    expect(fixture(['--json'], {FORCE_COLOR: '1'}).stdout).not.toContain('\u001B')
  })
})

describe('colour: --color/--no-color > NO_COLOR > FORCE_COLOR > terminal', () => {
  const YELLOW = '\u001B[33m'

  it('on a terminal: coloured boxes', () => {
    const r = onTerminal(FIXTURE, [])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('┌')
    expect(r.stdout).toContain(`${YELLOW}alice`)
  })

  it('on a terminal with NO_COLOR: boxes, no colour', () => {
    const r = onTerminal(FIXTURE, [], {NO_COLOR: '1'})
    expect(r.stdout).toContain('┌')
    expect(r.stdout).not.toContain('\u001B[')
  })

  it('on a terminal with --no-color: no colour', () => {
    expect(onTerminal(FIXTURE, ['--no-color']).stdout).not.toContain('\u001B[')
  })

  it('NO_COLOR present but empty is ignored', () => {
    expect(onTerminal(FIXTURE, [], {NO_COLOR: ''}).stdout).toContain(YELLOW)
  })

  it('in a pipe: plain, unless FORCE_COLOR or --color', () => {
    expect(fixture([]).stdout).not.toContain('\u001B')
    expect(fixture([], {FORCE_COLOR: '1'}).stdout).toContain(`${YELLOW}alice  soft`)
    expect(fixture(['--color']).stdout).toContain(YELLOW)
  })

  it('NO_COLOR beats FORCE_COLOR; --color beats NO_COLOR; FORCE_COLOR=0 turns it off', () => {
    expect(fixture([], {NO_COLOR: '1', FORCE_COLOR: '1'}).stdout).not.toContain('\u001B')
    expect(fixture(['--color'], {NO_COLOR: '1'}).stdout).toContain(YELLOW)
    expect(onTerminal(FIXTURE, [], {FORCE_COLOR: '0'}).stdout).not.toContain('\u001B[')
  })
})

describe('quotakit filesystems', () => {
  it('on this host (no quota on any mount) exits 0 and prints nothing in a pipe', () => {
    const r = quotakit(['filesystems'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('')
  })

  it('on this host says so on a terminal', () => {
    const r = onTerminal(BIN, ['filesystems'])
    expect(r.status).toBe(0)
    expect(r.stdout.trim()).toBe('No filesystem has quota turned on (--all lists every mount).')
  })

  it('lists the mounts with quota, one row per type, grace as linuxquota prints it', () => {
    const r = quotakit(['filesystems'], {QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(
      [
        'Filesystem  Device    Type  Quota    Accounting  Enforcement  Format  Block grace  Inode grace',
        '/home       /dev/vdb  ext4  user     on          on           vfsv1         7days        01:00',
        '/home       /dev/vdb  ext4  group    on          off          vfsv1         7days        7days',
        '/srv        /dev/vdc  xfs   project  on          on           xfs           25:00        2days',
        '',
      ].join('\n'),
    )
  })

  it('--all adds mounts without quota', () => {
    const r = quotakit(['filesystems', '-a'], {QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\/\s+\/dev\/vda1\s+ext4(\s+-){6}$/)
  })

  it('a corrupt fake-kernel state file is an unexpected error: one line, exit 1', () => {
    // The file is a test hook, not user data, so it is not EX_DATAERR: a broken fixture is a bug.
    const r = quotakit(['filesystems'], {QUOTAKIT_FAKE_STATE: fakeState('{not json')})
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^quotakit filesystems: /)
  })
})

describe('--version', () => {
  it("bin/run.js's fast path prints exactly oclif's version line", async () => {
    const {Config} = await import('@oclif/core')
    const config = await Config.load(ROOT)
    const r = quotakit(['--version'])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${config.userAgent}\n`)
  })
})
