// One error type for the whole tool, and the one table that turns its kind into an exit code.
// Everything below the commands throws QuotaError; QuotaCommand.catch is the only place that
// prints it and sets the exit status (also under --json, where oclif would otherwise exit 1).

export type ErrorKind =
  | 'failed' // operation failed, or partly failed
  | 'usage' // bad flag, argument, unit or duration
  | 'data' // bad input data: batch line, config value, corrupt quota file
  | 'no-such-id' // unknown user, group or project
  | 'unsupported' // quota not supported or not enabled on that filesystem
  | 'temporary' // worth retrying (e.g. SMTP 4xx)
  | 'permission' // needs root / CAP_SYS_ADMIN
  | 'config' // configuration error

/** sysexits(3) vocabulary; see the table in docs/architecture and the man pages' EXIT STATUS. */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  failed: 1,
  usage: 64,
  data: 65,
  'no-such-id': 67,
  unsupported: 69,
  temporary: 75,
  permission: 77,
  config: 78,
}

export interface QuotaErrorDetails {
  errno?: string // symbolic, e.g. 'EPERM'
  mount?: string
  id?: number
  hint?: string
  cause?: unknown
}

export class QuotaError extends Error {
  readonly kind: ErrorKind
  readonly errno?: string
  readonly mount?: string
  readonly id?: number
  readonly hint?: string

  constructor(kind: ErrorKind, message: string, details: QuotaErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause})
    this.name = 'QuotaError'
    this.kind = kind
    this.errno = details.errno
    this.mount = details.mount
    this.id = details.id
    this.hint = details.hint
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind]
  }

  /** The one stderr line: `/home: permission denied (EPERM)`. */
  get line(): string {
    const where = this.mount ? `${this.mount}: ` : ''
    const errno = this.errno ? ` (${this.errno})` : ''
    return `${where}${this.message}${errno}`
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      errno: this.errno ?? null,
      mount: this.mount ?? null,
      id: this.id ?? null,
      hint: this.hint ?? null,
      exitCode: this.exitCode,
    }
  }
}

export const isQuotaError = (e: unknown): e is QuotaError => e instanceof QuotaError

/** Usage errors are the commonest: a tiny helper keeps call sites short. */
export const usageError = (message: string, hint?: string): QuotaError => new QuotaError('usage', message, {hint})
