// QuotaCommand: what every quotakit command shares. A command only gathers data:
//
//   export default class Repquota extends QuotaCommand<RepquotaResult, typeof Repquota> {
//     static flags = {output: outputFlag(['default', 'csv', 'json', 'xml'] as const), ...}
//     async execute() { ...this.flags... return result }     // the JSON model
//     override present(result) { return [table, ...] }        // the human view, a Document
//   }
//
// and this class does the rest, once: parse argv, print the Document (table on a terminal, plain
// columns in a pipe, CSV for -O csv) or let oclif print the JSON, collect partial failures, and
// turn every error into one stderr line (or a JSON error on stdout) and its exit code from
// src/errors.ts, also under --json, where oclif's own catch would exit 1.
//
// Startup matters (cron, scripts): render.ts, and with it chalk and cli-table3, is imported only
// when human output is actually written.

import {Command} from '@oclif/core/command'
import {ExitError} from '@oclif/core/errors'
import type * as Interfaces from '@oclif/core/interfaces'

import type {QuotaError} from '../errors.js'
import type {Document} from '../output/document.js'
import type {HumanFormat} from '../output/render.js'
import {errorLines, toQuotaError} from './failure.js'
import {colorFlag, outputFromArgv} from './flags.js'

export {outputFlag} from './flags.js'

export type FlagsOf<C extends typeof Command> = Interfaces.InferredFlags<(typeof QuotaCommand)['baseFlags'] & C['flags']>
export type ArgsOf<C extends typeof Command> = Interfaces.InferredArgs<C['args']>

/** A man-page EXIT STATUS row; a command's rows override the global table's row for the same code. */
export interface ExitStatusEntry {
  code: number
  meaning: string
}

/** A man-page FILES entry. */
export interface FileEntry {
  path: string
  description: string
}

export abstract class QuotaCommand<R, C extends typeof Command = typeof Command> extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {color: colorFlag}
  /** EXIT STATUS rows for this command's man page, beyond or instead of the common table. */
  static exitStatus?: ExitStatusEntry[]
  /** FILES section of this command's man page. */
  static files?: FileEntry[]
  /** SEE ALSO entries beyond quotakit(8), as `name(section)`: e.g. ['repquota(8)', 'quotactl(2)']. */
  static seeAlso?: string[]

  protected flags!: FlagsOf<C>
  protected args!: ArgsOf<C>
  private readonly failures: QuotaError[] = []

  /** Gather the data. Its return value is the JSON model (printed as is for --json / -O json). */
  abstract execute(): Promise<R>

  /** The human view of the result. The default, an empty Document, prints nothing: quiet on success. */
  present(_result: R): Document {
    return []
  }

  /** Output for a -O format that is neither a table, csv nor json (e.g. repquota's xml). */
  protected formatOther(format: string, _result: R): string {
    throw new Error(`output format ${format} is not implemented`)
  }

  override async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse(this.ctor)
    this.flags = flags as FlagsOf<C>
    this.args = args as ArgsOf<C>
  }

  override async run(): Promise<R> {
    const result = await this.execute()
    if (!this.jsonEnabled()) await this.writeHuman(result)
    this.reportFailures()
    return result
  }

  /** `quotakit <command>` as the user typed it (topic separator is a space). */
  protected get prog(): string {
    return this.id ? `${this.config.bin} ${this.id.replaceAll(':', ' ')}` : this.config.bin
  }

  /**
   * Record that one item (a mount, a batch line) failed while the rest went on. The result is still
   * printed; then each failure is printed on stderr and the command exits 1.
   */
  protected reportFailure(err: unknown): void {
    this.failures.push(toQuotaError(err, this.usageHint))
  }

  /** One line on stderr, `quotakit <command>: warning: …`, in every output mode. */
  protected warning(message: string): void {
    process.stderr.write(`${this.prog}: warning: ${message}\n`)
  }

  /** oclif's own warnings (deprecations) take our one-line shape too. */
  override warn(input: string | Error): string | Error {
    this.warning(typeof input === 'string' ? input : input.message)
    return input
  }

  /** --json, QUOTAKIT_CONTENT_TYPE=json, or `-O json` on a command whose -O offers json. */
  override jsonEnabled(): boolean {
    if (super.jsonEnabled()) return true
    const output = this.ctor.flags?.output as {options?: readonly string[]} | undefined
    const offersJson = output?.options?.includes('json') ?? false
    return offersJson && this.outputFormat() === 'json'
  }

  /** The -O value (parsed when available, else read from argv), or 'default' without -O. */
  protected outputFormat(): string {
    const parsed = (this.flags as {output?: string} | undefined)?.output
    if (parsed) return parsed
    return (this.ctor.flags?.output ? outputFromArgv(this.argv) : undefined) ?? 'default'
  }

  /** Plain JSON: oclif's logJson colourises under FORCE_COLOR, which would break `| jq`. */
  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  override async catch(thrown: Error & {oclif?: {exit?: number}}): Promise<void> {
    // this.exit(n) is a request, not a failure: let oclif exit with n.
    if (thrown instanceof ExitError) throw thrown
    const err = toQuotaError(thrown, this.usageHint)
    process.exitCode = err.exitCode
    if (this.jsonEnabled()) this.logJson({error: err.toJSON()})
    else process.stderr.write(`${errorLines(this.prog, err).join('\n')}\n`)
    if (process.env.DEBUG && thrown.stack) process.stderr.write(`${thrown.stack}\n`)
    // Returning (not rethrowing) keeps oclif's handler from printing a second, decorated message.
  }

  private get usageHint(): string {
    return `see '${this.prog} --help'`
  }

  private async writeHuman(result: R): Promise<void> {
    const format = this.outputFormat()
    const humanFormat: HumanFormat | undefined =
      format === 'default' || format === 'table' ? 'table' : format === 'csv' ? 'csv' : undefined
    if (!humanFormat) {
      process.stdout.write(this.formatOther(format, result))
      return
    }
    const doc = this.present(result)
    if (doc.length === 0) return
    const [{render}, {decideColor}] = await Promise.all([import('../output/render.js'), import('../output/theme.js')])
    const tty = Boolean(process.stdout.isTTY)
    const color = decideColor({flag: (this.flags as {color?: boolean}).color, env: process.env, isTTY: tty})
    const text = render(doc, humanFormat, {color, tty})
    if (text) process.stdout.write(text)
  }

  private reportFailures(): void {
    if (this.failures.length === 0) return
    const lines = this.failures.map((f) => `${this.prog}: ${f.line}`)
    const hints = [...new Set(this.failures.map((f) => f.hint).filter(Boolean))].map((h) => `hint: ${h}`)
    process.stderr.write(`${[...lines, ...hints].join('\n')}\n`)
    process.exitCode = 1
  }
}
