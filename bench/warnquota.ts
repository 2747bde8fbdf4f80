// warnquota at scale: 10 000 offenders delivered over SMTP to a local sink (goal: >= 200 mails/s
// sustained, peak RSS < 200 MB), and 100 000 offenders in --dry-run (goal: RSS < 300 MB; the mails
// are streamed, never all held). Offenders come from a generated `repquota --json` report
// (--from-report), so the numbers measure warnquota itself, not NSS or the kernel.
//
// The sink is a minimal SMTP server on node:net in this process (it only counts), the CLI a child
// process whose peak RSS is read from process.resourceUsage() at its exit (an --import hook).
// Goals are absolute here (mails/s, MB), so they are reported in the notes, not as ratios.

import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {type AddressInfo, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Benchmark, BenchContext, Measurement, ResultTable} from './harness.js'
import {measurement} from './stats.js'

const SMTP_OFFENDERS = 10_000
const DRY_RUN_OFFENDERS = 100_000
const GOAL_RATE = 200
const GOAL_SMTP_RSS_MB = 200
const GOAL_DRY_RSS_MB = 300
const REPEAT = 3

/** A repquota --json report: `count` users over their soft limit on one filesystem. */
function report(count: number): string {
  const entries = Array.from({length: count}, (_, i) => ({
    id: 10_000 + i,
    name: `user${String(i).padStart(6, '0')}`,
    space: {usedBytes: 3_000_000, softLimitBytes: 2_048_000, hardLimitBytes: 4_096_000, graceExpiresAt: '2030-01-01T00:00:00.000Z', graceExpiresAtEpoch: 1_893_456_000, status: 'soft'},
    inodes: {used: 10, softLimit: null, hardLimit: null, graceExpiresAt: null, graceExpiresAtEpoch: null, status: 'ok'},
  }))
  const block = {mountpoint: '/home', device: '/dev/vdb', fstype: 'ext4', type: 'user', format: 'vfsv1', blockGraceSeconds: 604_800, inodeGraceSeconds: 604_800, accounting: true, enforcement: true, systemFile: true, entries}
  return JSON.stringify({schemaVersion: 1, reports: [block]})
}

interface Sink {
  port: number
  count: number
  first: number
  last: number
  reset(): void
  close(): Promise<void>
}

/** Counts messages; answers just enough ESMTP for nodemailer. */
async function startSink(): Promise<Sink> {
  const sink = {count: 0, first: 0, last: 0}
  const server = createServer((socket) => {
    let buffer = ''
    let inData = false
    socket.write('220 bench-sink\r\n')
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1')
      let at
      while ((at = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, at)
        buffer = buffer.slice(at + 2)
        if (inData) {
          if (line === '.') {
            inData = false
            const t = performance.now()
            if (sink.count++ === 0) sink.first = t
            sink.last = t
            socket.write('250 queued\r\n')
          }
          continue
        }
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO') socket.write('250-bench-sink\r\n250 8BITMIME\r\n')
        else if (verb === 'DATA') {
          inData = true
          socket.write('354 go\r\n')
        } else if (verb === 'QUIT') socket.end('221 bye\r\n')
        else socket.write('250 OK\r\n')
      }
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    get count() {
      return sink.count
    },
    get first() {
      return sink.first
    },
    get last() {
      return sink.last
    },
    reset() {
      sink.count = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

interface Run {
  ms: number
  maxRssMB: number
  status: number | null
  stderr: string
}

function runCli(root: string, hook: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['--import', hook, join(root, 'bin/run.js'), 'warnquota', ...args], {
      cwd: root,
      env: {...process.env, QUOTAKIT_FAKE_STATE: '', LANG: 'C'},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (status) => {
      const rss = /\[maxrss\] (\d+)/.exec(stderr)
      resolve({ms: performance.now() - started, maxRssMB: rss ? Number(rss[1]) / 1024 : Number.NaN, status, stderr: stderr.replace(/\[maxrss\] \d+\n?/, '')})
    })
  })
}


const verdict = (met: boolean) => (met ? 'met' : '**not met**')

export const warnquotaBench: Benchmark = {
  name: 'warnquota',
  description: `warnquota: ${SMTP_OFFENDERS} mails over SMTP to a local sink, ${DRY_RUN_OFFENDERS} offenders in --dry-run`,

  async unavailable() {
    return null
  },

  async run(ctx: BenchContext): Promise<ResultTable[]> {
    const dir = mkdtempSync(join(tmpdir(), 'quotakit-bench-warnquota-'))
    const sink = await startSink()
    try {
      const hook = join(dir, 'maxrss.mjs')
      writeFileSync(hook, "process.on('exit', () => process.stderr.write(`[maxrss] ${process.resourceUsage().maxRSS}\\n`))\n")
      const conf = join(dir, 'warnquota.conf')
      writeFileSync(conf, 'CC_TO =\nFROM = quota@bench.test\n')
      const small = join(dir, 'report-10k.json')
      const big = join(dir, 'report-100k.json')
      writeFileSync(small, report(SMTP_OFFENDERS))
      writeFileSync(big, report(DRY_RUN_OFFENDERS))
      const common = ['-c', conf, '-q', '/dev/null', '--settings', '/dev/null']
      const smtpArgs = [...common, '--from-report', small, '--smtp', `smtp://127.0.0.1:${sink.port}`, '--mail-domain', 'bench.test', '--rate-limit', '0']
      const cases: Array<{name: string; args: string[]; smtp: boolean}> = [
        {name: `SMTP, ${SMTP_OFFENDERS} offenders`, args: smtpArgs, smtp: true},
        {name: `--dry-run, ${DRY_RUN_OFFENDERS} offenders`, args: [...common, '--from-report', big, '--dry-run'], smtp: false},
        {name: `--dry-run --json, ${DRY_RUN_OFFENDERS} offenders`, args: [...common, '--from-report', big, '--dry-run', '--json'], smtp: false},
      ]
      const measurements: Measurement[] = []
      const notes: string[] = [`Each case ran ${REPEAT} times (not --runs: a case takes seconds to minutes); peak RSS is the child's maxRSS.`]
      for (const c of cases) {
        const times: number[] = []
        const rss: number[] = []
        const rates: number[] = []
        for (let i = 0; i < REPEAT; i++) {
          sink.reset()
          const r = await runCli(ctx.root, hook, c.args)
          if (r.status !== 0) throw new Error(`${c.name}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(0, 3).join(' / ')}`)
          times.push(r.ms)
          rss.push(r.maxRssMB)
          if (c.smtp) {
            if (sink.count !== SMTP_OFFENDERS) throw new Error(`${c.name}: the sink got ${sink.count} mails`)
            rates.push((sink.count - 1) / ((sink.last - sink.first) / 1000))
          }
        }
        const shown = c.args.map((a) => (a.startsWith(dir) ? a.slice(dir.length + 1) : a.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT')))
        measurements.push(measurement(c.name, `quotakit warnquota ${shown.join(' ')}`, times))
        const peak = Math.max(...rss)
        if (c.smtp) {
          const rate = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]
          notes.push(
            `${c.name}: ${rate.toFixed(0)} mails/s sustained (median; first to last mail at the sink; runs: ${rates.map((x) => x.toFixed(0)).join(', ')}), ` +
              `${(SMTP_OFFENDERS / (measurements.at(-1) as Measurement).medianMs * 1000).toFixed(0)} mails/s over the whole process; peak RSS ${peak.toFixed(0)} MB.`,
            `goal ${verdict(rate >= GOAL_RATE)}: >= ${GOAL_RATE} mails/s sustained; goal ${verdict(peak < GOAL_SMTP_RSS_MB)}: peak RSS < ${GOAL_SMTP_RSS_MB} MB.`,
          )
        } else {
          notes.push(`${c.name}: peak RSS ${peak.toFixed(0)} MB (runs: ${rss.map((x) => x.toFixed(0)).join(', ')}); goal ${verdict(peak < GOAL_DRY_RSS_MB)}: < ${GOAL_DRY_RSS_MB} MB.`)
        }
      }
      return [{title: 'warnquota at scale', baseline: cases[0].name, measurements, goals: [], notes}]
    } finally {
      await sink.close()
      rmSync(dir, {recursive: true, force: true})
    }
  },
}
