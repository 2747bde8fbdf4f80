// Reading warnquota's files. linuxquota treats them as bytes and writes those bytes into the mail
// unchanged, labelled with CHARSET; quotakit reads them as UTF-8 when they are valid UTF-8 and
// as Latin-1 (every byte kept) otherwise, and writes the mail back in the same encoding, so the
// bytes an admin wrote arrive as they were written either way.

import {readFileSync} from 'node:fs'

import {QuotaError} from '../errors.js'

export type TextEncoding = 'utf8' | 'latin1'

export interface TextFile {
  text: string
  encoding: TextEncoding
}

export function decodeText(bytes: Buffer): TextFile {
  try {
    return {text: new TextDecoder('utf-8', {fatal: true}).decode(bytes), encoding: 'utf8'}
  } catch {
    return {text: bytes.toString('latin1'), encoding: 'latin1'}
  }
}

/** The file, or null when it does not exist. Other read errors are configuration errors. */
export function readTextFile(path: string): TextFile | null {
  try {
    return decodeText(readFileSync(path))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    throw new QuotaError(code === 'EACCES' ? 'permission' : 'config', `cannot read ${path}: ${(e as Error).message}`, {cause: e})
  }
}
