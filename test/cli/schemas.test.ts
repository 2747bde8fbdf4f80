// The JSON contract: real command output validates against schemas/, and the schemas agree with
// the code (error kinds and exit codes come from src/errors.ts).

import {beforeAll, describe, expect, it} from 'vitest'

import {EXIT_CODES} from '../../src/errors.js'
import {FAKE_STATE, fakeState, quotakit, requireBuild} from './helpers.js'
import {loadSchema, schemaErrors} from './schema.js'

beforeAll(requireBuild)

describe('schemas/filesystems.schema.json', () => {
  it('validates `filesystems --json` on this host', () => {
    const r = quotakit(['filesystems', '--json'])
    expect(r.status).toBe(0)
    expect(schemaErrors('filesystems', JSON.parse(r.stdout))).toEqual([])
  })

  it('validates `filesystems --all --json` on this host (mounts without quota)', () => {
    const r = quotakit(['filesystems', '--all', '--json'])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as {filesystems: unknown[]}
    expect(out.filesystems.length).toBeGreaterThan(0)
    expect(schemaErrors('filesystems', out)).toEqual([])
  })

  it('validates output with every quota type, and pins the values', () => {
    const r = quotakit(['filesystems', '--json'], {QUOTAKIT_FAKE_STATE: fakeState(FAKE_STATE)})
    const out = JSON.parse(r.stdout)
    expect(schemaErrors('filesystems', out)).toEqual([])
    expect(out.filesystems.map((f: {mountpoint: string}) => f.mountpoint)).toEqual(['/home', '/srv'])
    expect(out.filesystems[0]).toEqual({
      mountpoint: '/home',
      device: '/dev/vdb',
      fstype: 'ext4',
      quotas: {
        user: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, blockGraceSeconds: 604_800, inodeGraceSeconds: 3600},
        group: {accounting: true, enforcement: false, format: 'vfsv1', systemFile: true, blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800},
      },
    })
  })

  it('rejects a drifted shape (the schema is strict enough to catch contract changes)', () => {
    expect(schemaErrors('filesystems', {schemaVersion: 1, filesystems: [{mountpoint: '/', device: 'x', fstype: 'ext4', quotas: {}, extra: 1}]})).not.toEqual([])
    expect(schemaErrors('filesystems', {schemaVersion: 1, filesystems: [{mountpoint: '/', device: 'x', fstype: 'ext4', quotas: {user: {accounting: 'yes'}}}]})).not.toEqual([])
  })
})

describe('schemas/error.schema.json', () => {
  const error = loadSchema('error') as {properties: {error: {properties: {kind: {enum: string[]}; exitCode: {enum: number[]}}}}}
  const props = error.properties.error.properties

  it('lists exactly the error kinds and exit codes of src/errors.ts', () => {
    expect([...props.kind.enum].sort()).toEqual(Object.keys(EXIT_CODES).sort())
    expect([...props.exitCode.enum].sort((a, b) => a - b)).toEqual(Object.values(EXIT_CODES).sort((a, b) => a - b))
  })
})
