// The JSON model of `quotakit warnquota --json` (schemas/warnquota.schema.json): one result per
// offender, in mail order, then a summary. Results are streamed as they are decided, so a run over
// 100 000 offenders never holds them all (JsonResultWriter prints exactly what JSON.stringify(model,
// null, 2) would).

import {graceJson, limitOrNull} from '../core/json.js'
import type {Status} from '../core/limits.js'
import type {QuotaType} from '../core/types.js'
import type {RecipientResult} from './deliver.js'
import type {Offence} from './offenders.js'
import type {TransportKind} from './transports.js'

/**
 *   sent        the mail went to every To: recipient (see recipients for Cc)
 *   failed      permanently refused (SMTP 5xx, mailer failure), or no administrator for a group
 *   deferred    still refused temporarily after every retry (SMTP 4xx, server unreachable)
 *   suppressed  not mailed: --cooldown, mailed recently and nothing got worse
 *   skipped     not mailed: no name for the id (as linuxquota, which cannot address it)
 *   dry-run     would be mailed (--dry-run)
 */
export type MailStatus = 'sent' | 'failed' | 'deferred' | 'suppressed' | 'skipped' | 'dry-run'

export interface SideJson {
  used: number
  softLimit: number | null
  hardLimit: number | null
  graceExpiresAt: string | null
  graceExpiresAtEpoch: number | null
  status: Status
}

export interface OffenceJson {
  mountpoint: string
  device: string
  fstype: string
  space: {usedBytes: number; softLimitBytes: number | null; hardLimitBytes: number | null; graceExpiresAt: string | null; graceExpiresAtEpoch: number | null; status: Status}
  inodes: SideJson
}

export interface MailJson {
  headers: Array<{name: string; value: string}>
  text: string
}

export interface MailResult {
  type: QuotaType
  id: number
  name: string | null
  status: MailStatus
  /** why it was not sent (failed, deferred, suppressed, skipped); null otherwise */
  reason: string | null
  /** envelope recipients */
  to: string[]
  cc: string[]
  attempts: number
  recipients: RecipientResult[]
  filesystems: OffenceJson[]
  /** the mail itself, with --dry-run */
  mail?: MailJson
}

export interface Summary {
  offenders: number
  sent: number
  failed: number
  deferred: number
  suppressed: number
  skipped: number
  dryRun: number
  /** offences left out because the mail device cannot take mail (MAILDEV) */
  undeliverable: number
  exitStatus: number
}

export interface CooldownJson {
  seconds: number
  stateFile: string
  /** missing: first run; corrupt: not trusted (see problem), kept as corruptCopy when saved */
  stateStatus: 'missing' | 'ok' | 'corrupt'
  problem: string | null
  corruptCopy: string | null
}

export interface WarnquotaHeader {
  schemaVersion: 1
  dryRun: boolean
  transport: {kind: TransportKind; target: string}
}

/** The document, in the order its members are printed. */
export interface WarnquotaResult extends WarnquotaHeader {
  results: MailResult[]
  summary: Summary
  /** null without --cooldown */
  cooldown: CooldownJson | null
}

export function offenceJson(o: Offence): OffenceJson {
  const {space, inodes} = o.record
  const sg = graceJson(space.graceExpiresAt)
  const ig = graceJson(inodes.graceExpiresAt)
  return {
    mountpoint: o.fs.mountpoint,
    device: o.fs.device,
    fstype: o.fs.fstype,
    space: {
      usedBytes: space.usedBytes,
      softLimitBytes: limitOrNull(space.softLimitBytes),
      hardLimitBytes: limitOrNull(space.hardLimitBytes),
      graceExpiresAt: sg.expiresAt,
      graceExpiresAtEpoch: sg.expiresAtEpoch,
      status: o.spaceStatus,
    },
    inodes: {
      used: inodes.used,
      softLimit: limitOrNull(inodes.softLimit),
      hardLimit: limitOrNull(inodes.hardLimit),
      graceExpiresAt: ig.expiresAt,
      graceExpiresAtEpoch: ig.expiresAtEpoch,
      status: o.inodeStatus,
    },
  }
}

export const emptySummary = (): Summary => ({
  offenders: 0,
  sent: 0,
  failed: 0,
  deferred: 0,
  suppressed: 0,
  skipped: 0,
  dryRun: 0,
  undeliverable: 0,
  exitStatus: 0,
})

export function count(summary: Summary, status: MailStatus): void {
  summary.offenders++
  if (status === 'dry-run') summary.dryRun++
  else summary[status]++
}

const indent = (json: string, spaces: number): string => json.replaceAll('\n', `\n${' '.repeat(spaces)}`)

/** Writes the model piece by piece, byte for byte as JSON.stringify(model, null, 2) + '\n'. */
export class JsonResultWriter {
  private first = true

  constructor(private readonly write: (text: string) => Promise<void> | void) {}

  async begin(header: WarnquotaHeader): Promise<void> {
    const head = JSON.stringify(header, null, 2)
    await this.write(`${head.slice(0, -2)},\n  "results": [`)
  }

  async result(r: MailResult): Promise<void> {
    await this.write(`${this.first ? '\n' : ',\n'}    ${indent(JSON.stringify(r, null, 2), 4)}`)
    this.first = false
  }

  async end(summary: Summary, cooldown: CooldownJson | null): Promise<void> {
    const tail = `"summary": ${indent(JSON.stringify(summary, null, 2), 2)},\n  "cooldown": ${indent(JSON.stringify(cooldown, null, 2), 2)}`
    await this.write(`${this.first ? '],' : '\n  ],'}\n  ${tail}\n}\n`)
  }
}
