// `quotakit warnquota`: mail users (and group administrators) who are at or over a soft limit,
// reading linuxquota's /etc/warnquota.conf, /etc/quotatab and /etc/quotagrpadmins. Safe under
// cron: silent on success, exit status per outcome, a cooldown memory on request. The work is in
// src/mail/warn.ts; this file maps flags to its options.

import * as Flags from '@oclif/core/flags'

import {QuotaCommand} from '../src/cli/base.js'
import {humanReadableFlags, humanUnitsFrom, normalizeHumanReadableArgv} from '../src/cli/human-readable.js'
import {positionals} from '../src/cli/positionals.js'
import {parseDurationSeconds} from '../src/core/durations.js'
import type {QuotaType} from '../src/core/types.js'
import {usageError} from '../src/errors.js'
import {DEFAULT_CONF_PATH} from '../src/mail/conf.js'
import {DEFAULT_ADMINS_PATH, DEFAULT_QUOTATAB_PATH} from '../src/mail/quotatab.js'
import type {WarnquotaResult} from '../src/mail/result.js'
import {DEFAULT_SETTINGS_PATH, parseDelayMs} from '../src/mail/settings.js'
import {DEFAULT_STATE_PATH} from '../src/mail/state-file.js'
import {type DryRun, type WarnIO, runWarnquota} from '../src/mail/warn.js'

const duration = (what: string) =>
  Flags.custom<number>({
    parse: async (value) => parseDurationSeconds(value, what),
  })

const delay = Flags.custom<number>({parse: async (value) => parseDelayMs(value)})

/** `--dry-run=raw` and `--dry-run=text` carry a value; plain `--dry-run` does not. */
export function normalizeDryRunArgv(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (arg.startsWith('--dry-run=')) out.push('--dry-run', `--dry-run-format=${arg.slice('--dry-run='.length)}`)
    else out.push(arg)
  }
  return out
}

export default class Warnquota extends QuotaCommand<WarnquotaResult, typeof Warnquota> {
  static override summary = 'Mail users and group administrators who are at or over a soft limit.'

  static override description = `Reads every filesystem with quota on (or the MOUNTs given, or a saved repquota --json report) and sends one mail to each user who is at or over a soft limit on space or inodes, listing every filesystem where they are, in linuxquota's layout. With -g, each group over a limit is mailed to its administrator from the admins file. Who is mailed follows linuxquota's warnquota exactly: AT the soft limit already counts; a hard limit alone never does.

The configuration is linuxquota's /etc/warnquota.conf, read with its rules (KEY = value, # and ; comments, quotes stripped, a trailing backslash continues the line; %i %s %h %d %% and | in MESSAGE, SIGNATURE, GROUP_MESSAGE and GROUP_SIGNATURE). An unknown key stops the run (exit 78) unless -I. LDAP_MAIL = true is refused (exit 78): quotakit cannot look addresses up over LDAP; use --mail-domain instead.

Mail goes out through SMTP when --smtp (or smtp in the [warnquota] section of /etc/quotakit/quotakit.conf) is given: one connection pool, at most --rate-limit mails per second. Otherwise through sendmail when MAIL_CMD is ".../sendmail -t" (linuxquota's default) or --sendmail is given, and otherwise MAIL_CMD is run with /bin/sh -c and the message on its standard input, as linuxquota does. Every mail carries "Auto-Submitted: auto-generated". Temporary failures (SMTP 4xx, server unreachable, mailer exit 75) are retried with a doubling delay; permanent ones (SMTP 5xx) are not.

Made for cron: nothing is printed on success unless -v; failures go to stderr, one line each; --json prints one result per offender and recipient. --cooldown 24h (with a state file, written atomically) mails an unchanged offender at most once a day, and at once when things get worse (soft to grace expired to hard, or a new filesystem). --dry-run prints the mails instead of sending them: as text, as data with --json, or as an mbox of the exact bytes with --dry-run=raw.

Differences from linuxquota 4.06 are listed in docs/compat.md.`

  static override examples = [
    {description: 'What cron runs: mail every user at or over a soft limit, silently.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Users and groups, over SMTP with addresses in a domain, at most once a day each.', command: '<%= config.bin %> <%= command.id %> -ug --smtp smtp://mail.example.com --mail-domain example.com --cooldown 24h'},
    {description: 'See the mails that would go out, without sending anything.', command: '<%= config.bin %> <%= command.id %> --dry-run /home'},
    {description: 'Mail for another host from its saved report.', command: 'ssh fileserver quotakit repquota -a --json > fs.json && <%= config.bin %> <%= command.id %> --from-report fs.json --mail-domain example.com'},
    {description: 'Who could not be mailed, for a script.', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.results[] | select(.status != "sent") | "\\(.name) \\(.status) \\(.reason)"'`},
  ]

  static override strict = false // MOUNT... as positional arguments
  static override usage = ['<%= command.id %> [-ugsdvI] [-c CONF] [-q QUOTATAB] [-a ADMINS] [--dry-run[=raw]] [--from-report FILE] [MOUNT...]']

  static override exitStatus = [
    {code: 0, meaning: 'Every mail was sent (or there was nobody to mail).'},
    {code: 1, meaning: 'Some mail was refused for good (SMTP 5xx, mailer failure), a group had no administrator, or a named mount could not be read.'},
    {code: 65, meaning: 'Everything was sent, but the cooldown state file was corrupt (it was not trusted; the bad file is kept as FILE.corrupt); also a --from-report file that is not a repquota report.'},
    {code: 75, meaning: 'Temporary failures (SMTP 4xx, server unreachable, mailer exit 75) were left after the retries; running again later may succeed.'},
    {code: 78, meaning: 'Configuration error: warnquota.conf (unknown key without -I, bad token, CC_BEFORE, LDAP_MAIL = true), the settings file, the admins file, MAIL_CMD. Nothing was sent.'},
  ]

  static override files = [
    {path: DEFAULT_CONF_PATH, description: 'linuxquota\'s warnquota configuration (-c).'},
    {path: DEFAULT_QUOTATAB_PATH, description: 'Device descriptions used in the mails (-q).'},
    {path: DEFAULT_ADMINS_PATH, description: 'Group administrators, "group: user" per line (-a).'},
    {path: DEFAULT_SETTINGS_PATH, description: 'quotakit\'s own settings: the [warnquota] section (SMTP, mail domain, rate limit, retries, cooldown).'},
    {path: DEFAULT_STATE_PATH, description: 'The cooldown state (--state), only with --cooldown.'},
  ]

  static override seeAlso = ['warnquota(8)', 'warnquota.conf(5)', 'quotatab(5)', 'repquota(8)', 'sendmail(8)', 'crontab(5)']

  static override flags = {
    user: Flags.boolean({char: 'u', description: 'Mail users (the default).'}),
    group: Flags.boolean({char: 'g', description: 'Mail the administrators of groups at or over a soft limit (from the admins file).'}),
    ...humanReadableFlags,
    'no-details': Flags.boolean({char: 'd', description: 'Leave the per-filesystem table out of the mails.'}),
    config: Flags.string({char: 'c', description: `The warnquota configuration file. Default: ${DEFAULT_CONF_PATH} (linuxquota's defaults when it does not exist).`}),
    'quota-tab': Flags.string({char: 'q', description: `Device descriptions for the mails. Default: ${DEFAULT_QUOTATAB_PATH}.`}),
    'admins-file': Flags.string({char: 'a', description: `Group administrators for -g. Default: ${DEFAULT_ADMINS_PATH}.`}),
    'ignore-config-errors': Flags.boolean({char: 'I', description: 'Warn about unknown keys and lines without "=" in the configuration instead of stopping.'}),
    verbose: Flags.boolean({char: 'v', description: 'Say who was mailed (stdout; stderr with --json), and a summary.'}),
    'dry-run': Flags.boolean({description: 'Print the mails instead of sending them: as text, as data with --json, or with --dry-run=raw as an mbox of the exact bytes.'}),
    'dry-run-format': Flags.option({options: ['text', 'raw'] as const, hidden: true, description: 'The value of --dry-run=FORMAT.'})(),
    'from-report': Flags.string({description: 'Take the offenders from a saved `quotakit repquota --json` (- for stdin) instead of the kernel.'}),
    smtp: Flags.string({description: 'Send over SMTP: smtp://[user:password@]host[:port] or smtps://…. Overrides MAIL_CMD.'}),
    sendmail: Flags.string({description: 'Send through this sendmail binary (sendmail -i -f FROM RCPT...). Overrides MAIL_CMD.'}),
    'mail-domain': Flags.string({description: 'Address users (and bare names in CC_TO and the admins file) as NAME@DOMAIN instead of the bare login name.'}),
    'rate-limit': Flags.integer({min: 0, description: 'SMTP: at most this many mails per second over all connections; 0 = no limit. Default: 100.'}),
    'max-connections': Flags.integer({min: 1, description: 'SMTP: connections in the pool. Default: 5.'}),
    retries: Flags.integer({min: 0, description: 'Retries for a temporary failure (SMTP 4xx, unreachable server, mailer exit 75). Default: 3.'}),
    'retry-delay': delay({description: 'Delay before the first retry (e.g. 2s, 500ms); it doubles for each further one. Default: 2s.'}),
    cooldown: duration('cooldown')({description: 'Mail an unchanged offender at most once per this period (e.g. 24h), at once when their state gets worse. Default: off.'}),
    state: Flags.string({description: `The cooldown state file. Default: ${DEFAULT_STATE_PATH}.`}),
    settings: Flags.string({description: `quotakit's settings file ([warnquota] section). Default: ${DEFAULT_SETTINGS_PATH}.`}),
    format: Flags.option({
      char: 'F',
      options: ['vfsold', 'vfsv0', 'vfsv1', 'rpc', 'xfs'] as const,
      description: 'Accepted for linuxquota compatibility; the format is the one the kernel reports. rpc is refused.',
    })(),
    'no-autofs': Flags.boolean({char: 'i', description: 'Accepted for linuxquota compatibility (autofs mounts never carry quota).'}),
  }

  /** Set once the result has been streamed to stdout (JSON, dry-run): nothing is printed again. */
  private streamed = false

  override async init(): Promise<void> {
    this.argv = normalizeDryRunArgv(normalizeHumanReadableArgv(this.argv))
    await super.init()
  }

  async execute(): Promise<WarnquotaResult> {
    const {raw} = await this.parse(Warnquota, this.argv)
    const mounts = positionals(raw)
    const {flags} = this
    if (flags.format === 'rpc') throw usageError('warnquota cannot read quotas through RPC', 'run it on the NFS server, or use --from-report with its saved report')
    if (flags['dry-run-format'] && !flags['dry-run']) throw usageError('--dry-run-format needs --dry-run')
    if (flags.smtp && flags.sendmail) throw usageError('--smtp and --sendmail exclude each other')
    const types: QuotaType[] = []
    if (flags.user || !flags.group) types.push('user')
    if (flags.group) types.push('group')
    const json = this.jsonEnabled()
    const dryRun: DryRun | null = flags['dry-run'] ? (flags['dry-run-format'] ?? 'text') : null
    this.streamed = true
    const result = await runWarnquota(
      {
        types,
        mounts,
        config: flags.config,
        quotatab: flags['quota-tab'],
        admins: flags['admins-file'],
        settings: flags.settings,
        ignoreConfigErrors: flags['ignore-config-errors'],
        details: !flags['no-details'],
        units: humanUnitsFrom(flags),
        verbose: flags.verbose,
        dryRun,
        json,
        fromReport: flags['from-report'],
        smtp: flags.smtp,
        sendmail: flags.sendmail,
        mailDomain: flags['mail-domain'],
        rateLimit: flags['rate-limit'],
        maxConnections: flags['max-connections'],
        retries: flags.retries,
        retryDelayMs: flags['retry-delay'],
        cooldownSeconds: flags.cooldown,
        state: flags.state,
        env: process.env,
      },
      this.io(json),
    )
    process.exitCode = result.summary.exitStatus
    return result
  }

  /** The JSON document was streamed while the mails went out; an error before that is not. */
  override logJson(json: unknown): void {
    if (this.streamed && !(typeof json === 'object' && json !== null && 'error' in json)) return
    super.logJson(json)
  }

  private io(json: boolean): WarnIO {
    const write = (stream: NodeJS.WriteStream, text: string | Buffer) =>
      new Promise<void>((resolve) => {
        if (stream.write(text)) resolve()
        else stream.once('drain', resolve)
      })
    return {
      out: (text) => write(process.stdout, text),
      warn: (message) => this.warning(message),
      fail: (message) => process.stderr.write(`${this.prog}: ${message}\n`),
      hint: (message) => process.stderr.write(`hint: ${message}\n`),
      info: (message) => write(json ? process.stderr : process.stdout, `${message}\n`),
      nowMs: () => Date.now(),
      readStdin: async () => {
        const chunks: Buffer[] = []
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
        return Buffer.concat(chunks)
      },
    }
  }
}
