// The scan's progress line: files, bytes and rate, redrawn in place on a terminal. Only ever
// written to a TTY (the command decides: stderr is a terminal and output is not JSON); nothing
// when piped, so logs and cron mail stay clean.

import {formatBytes} from '../core/units.js'
import type {ScanProgress} from './scanner.js'

const group = (n: number): string => Math.round(n).toLocaleString('en-US')

/** `scanning /home: 1,234,567 files, 12.3 GiB, 45,678 files/s` */
export function progressText(label: string, p: ScanProgress): string {
  const rate = p.elapsedMs > 0 ? (p.entries * 1000) / p.elapsedMs : 0
  return `scanning ${label}: ${group(p.entries)} files, ${formatBytes(p.bytes)}, ${group(rate)} files/s`
}

export interface ProgressSink {
  update: (p: ScanProgress) => void
  done: () => void
}

/** A sink that redraws one line on `stream` (carriage return, erase to end of line) and clears it when done. */
export function terminalProgress(stream: NodeJS.WriteStream, label: string): ProgressSink {
  let shown = false
  return {
    update(p) {
      const cols = stream.columns ?? 80
      stream.write(`\r${progressText(label, p).slice(0, Math.max(20, cols - 1))}\u001B[K`)
      shown = true
    },
    done() {
      if (shown) stream.write('\r\u001B[K')
    },
  }
}
