// The human view of a quotacheck result: one line per filesystem scan and per quota type, then a
// table of the ids whose usage drifted. Reads the model only.

import type {DriftJson, FilesystemCheckJson, QuotacheckResult, TypeCheckJson} from '../quotacheck/model.js'
import {formatBytes, usageKiB} from '../core/units.js'
import type {Document, LinesBlock, TableBlock} from './document.js'

const group = (n: number): string => n.toLocaleString('en-US')

function scanLine(fs: FilesystemCheckJson): string | null {
  const s = fs.scan
  if (!s) return null
  const ro = s.remountedReadOnly ? ', read-only' : ''
  const how = s.method === 'inode-table' ? 'from the inode tables' : 'by walking the tree'
  const why = s.fallback ? ` (inode tables not read: ${s.fallback})` : ''
  return `${fs.mountpoint}: scanned ${group(s.files)} files and ${group(s.directories)} directories (${formatBytes(s.bytes)}) ${how} in ${(s.durationMs / 1000).toFixed(1)} s${ro}${why}`
}

function typeLine(fs: FilesystemCheckJson, t: TypeCheckJson): string {
  const where = `${fs.mountpoint} ${t.type} quota`
  const from = t.source ? ` (${t.source === 'kernel' ? 'kernel' : 'quota file'}, ${t.format})` : ''
  switch (t.status) {
    case 'consistent':
      return `${where}${from}: consistent, ${group(t.ids)} ids`
    case 'drift':
      return `${where}${from}: usage differs for ${group(t.drift.length)} of ${group(t.ids)} ids`
    case 'fixed':
      return `${where}${from}: corrected usage of ${group(t.drift.length)} ids`
    case 'written': {
      const f = t.file!
      const kept = f.keptLimits ? ', limits kept' : ''
      const backup = f.backup ? `, previous file kept as ${f.backup}` : ''
      return `${where}: wrote ${f.path} (${f.format}, ${group(f.entries)} entries${kept}${backup})`
    }
    case 'failed':
      return `${where}: failed: ${t.error?.message ?? 'unknown error'}`
  }
}

/** Signed KiB for a byte difference: whole KiB when it is one, else one decimal. */
export function deltaKiB(bytes: number): string {
  const kib = bytes / 1024
  const text = Number.isInteger(kib) ? String(Math.abs(kib)) : Math.abs(kib).toFixed(1)
  return bytes > 0 ? `+${text}` : bytes < 0 ? `-${text}` : '0'
}

const signed = (n: number): string => (n > 0 ? `+${n}` : String(n))

function driftRows(fs: FilesystemCheckJson, t: TypeCheckJson): TableBlock['rows'] {
  return t.drift.map((d: DriftJson) => ({
    cells: {
      filesystem: fs.mountpoint,
      type: t.type,
      name: d.name ?? `#${d.id}`,
      recordedKiB: usageKiB(d.recorded.usedBytes),
      scannedKiB: usageKiB(d.scanned.usedBytes),
      deltaKiB: deltaKiB(d.deltaBytes),
      recordedInodes: d.recorded.inodes,
      scannedInodes: d.scanned.inodes,
      deltaInodes: signed(d.deltaInodes),
      fix: d.fix ? d.fix.status : '',
    },
  }))
}

export function quotacheckDocument(result: QuotacheckResult, verbose: boolean): Document {
  const quietOnSuccess = result.mode === 'create' && !verbose
  const lines: LinesBlock = {kind: 'lines', lines: []}
  for (const fs of result.filesystems) {
    const scan = verbose ? scanLine(fs) : null // only when shown: toLocaleString's first call costs ~0.1 s under TCG
    if (scan) lines.lines.push({text: scan})
    for (const t of fs.types) {
      // failures are reported on stderr; -c is quiet on success, like linuxquota, unless -v
      if (t.status === 'failed' || quietOnSuccess) continue
      lines.lines.push({text: typeLine(fs, t)})
    }
  }
  const doc: Document = lines.lines.length > 0 ? [lines] : []
  const rows = result.mode === 'create' && !verbose ? [] : result.filesystems.flatMap((fs) => fs.types.flatMap((t) => driftRows(fs, t)))
  if (rows.length > 0) {
    const withFix = result.mode === 'fix'
    doc.push({
      kind: 'table',
      columns: [
        {key: 'filesystem', header: 'Filesystem'},
        {key: 'type', header: 'Type'},
        {key: 'name', header: 'Name'},
        {key: 'recordedKiB', header: 'Recorded KiB', align: 'right'},
        {key: 'scannedKiB', header: 'Scanned KiB', align: 'right'},
        {key: 'deltaKiB', header: 'Diff KiB', align: 'right'},
        {key: 'recordedInodes', header: 'Recorded files', align: 'right'},
        {key: 'scannedInodes', header: 'Scanned files', align: 'right'},
        {key: 'deltaInodes', header: 'Diff files', align: 'right'},
        ...(withFix ? [{key: 'fix', header: 'Fix'}] : []),
      ],
      rows,
    })
  }
  return doc
}
