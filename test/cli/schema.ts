// JSON Schema validation of real command output (schemas/*.schema.json, draft 2020-12).

import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {Ajv2020} from 'ajv/dist/2020.js'

import {ROOT} from './helpers.js'

const ajv = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true})

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>
}

/** The validation errors of `data` against schemas/<name>.schema.json; [] when valid. */
export function schemaErrors(name: string, data: unknown): string[] {
  const validate = ajv.getSchema(name) ?? (ajv.addSchema(loadSchema(name), name), ajv.getSchema(name))
  if (!validate) throw new Error(`schema ${name} did not compile`)
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`)
}
