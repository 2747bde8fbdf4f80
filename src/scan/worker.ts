// A scan worker thread (scanner.ts starts them). It walks the directories it is given depth-first
// with synchronous fs calls (several times faster per entry than the callback API in Node 20),
// and gives half of its pending directories back whenever the shared "hungry" counter says
// another worker is idle. Progress goes into a shared Float64Array the main thread reads.

import {parentPort, workerData} from 'node:worker_threads'

import {type DirItem, Walker, type WalkOptions} from './walk.js'

export interface WorkerData {
  index: number
  options: WalkOptions
  /** Int32Array[0]: idle workers waiting for work */
  hungry: SharedArrayBuffer
  /** Float64Array[2*index]: entries done, [2*index+1]: bytes counted */
  progress: SharedArrayBuffer
}

export type ToWorker = {kind: 'work'; dirs: DirItem[]} | {kind: 'finish'}
export type FromWorker =
  | {kind: 'share'; dirs: DirItem[]}
  | {kind: 'idle'}
  | {kind: 'result'; state: Walker['state']}
  | {kind: 'crash'; message: string}

/** Take one "hungry" token, if there is one. */
function claimHungry(hungry: Int32Array): boolean {
  for (;;) {
    const v = Atomics.load(hungry, 0)
    if (v <= 0) return false
    if (Atomics.compareExchange(hungry, 0, v, v - 1) === v) return true
  }
}

if (parentPort) {
  const port = parentPort
  const data = workerData as WorkerData
  const walker = new Walker(data.options)
  const hungry = new Int32Array(data.hungry)
  const progress = new Float64Array(data.progress)
  const slot = 2 * data.index
  const post = (m: FromWorker) => port.postMessage(m)

  port.on('message', (m: ToWorker) => {
    if (m.kind === 'finish') {
      post({kind: 'result', state: walker.state})
      return
    }
    try {
      const stack = m.dirs
      const c = walker.state.counters
      while (stack.length > 0) {
        walker.readDir(stack.pop()!, stack)
        progress[slot] = c.files + c.dirs + c.extraLinks
        progress[slot + 1] = c.bytes
        // Another worker is idle: give it the older half of the stack (nearer the root, larger).
        if (stack.length >= 2 && claimHungry(hungry)) {
          post({kind: 'share', dirs: stack.splice(0, stack.length >> 1)})
        }
      }
      post({kind: 'idle'})
    } catch (e) {
      post({kind: 'crash', message: (e as Error)?.stack ?? String(e)})
    }
  })
}
