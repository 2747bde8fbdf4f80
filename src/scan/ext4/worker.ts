// An inode-table worker thread (scan.ts's scanExt4Parallel starts them): takes chunks of the
// scan from the shared counter, counts them into its own accumulator and posts its tallies back.
// It reads through the parent's file descriptor (descriptors are per process; reads are
// positional, so threads do not disturb each other).

import {parentPort, workerData} from 'node:worker_threads'

import type {Tallies} from '../tally.js'
import {InodeAccumulator} from './accumulator.js'
import {type ScanPlan, countItems} from './scan.js'

export interface Ext4WorkerData {
  plan: ScanPlan
  projects: boolean
  /** Int32Array[0]: the next work item to take */
  counter: SharedArrayBuffer
  /** Float64Array[2*index]: entries counted, [2*index+1]: bytes */
  progress: SharedArrayBuffer
  index: number
}

export interface Ext4WorkerResult {
  tallies: Tallies
  counters: {files: number; dirs: number; bytes: number; extraLinks: number}
}

if (parentPort) {
  const port = parentPort
  const data = workerData as Ext4WorkerData
  try {
    const acc = new InodeAccumulator(data.projects)
    const counter = new Int32Array(data.counter)
    const progress = new Float64Array(data.progress)
    const slot = 2 * data.index
    countItems(data.plan, acc, () => Atomics.add(counter, 0, 1), () => {
      progress[slot] = acc.files + acc.dirs + acc.extraLinks
      progress[slot + 1] = acc.bytes
    })
    const result: Ext4WorkerResult = {tallies: acc.tallies(), counters: {files: acc.files, dirs: acc.dirs, bytes: acc.bytes, extraLinks: acc.extraLinks}}
    port.postMessage(result)
  } catch (e) {
    port.postMessage({error: (e as Error)?.message ?? String(e)})
  }
}
