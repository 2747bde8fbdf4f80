// What the numbers were measured on; startup times mean little without it.

import {execFileSync} from 'node:child_process'
import {availableParallelism, cpus, release} from 'node:os'

export interface Machine {
  nproc: number
  cpu: string
  node: string
  kernel: string
  hyperfine: string
}

export function describeMachine(hyperfineVersion: string): Machine {
  let kernel = release()
  try {
    kernel = execFileSync('uname', ['-srm'], {encoding: 'utf8'}).trim()
  } catch {
    // uname missing: os.release() is enough
  }
  return {nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, kernel, hyperfine: hyperfineVersion}
}
