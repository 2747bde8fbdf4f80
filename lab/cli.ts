#!/usr/bin/env node
// npm run lab -- <build|exec|script|shell>: the kernel lab from a terminal (lab/README.md).
import {readFileSync} from 'node:fs'
import {basename} from 'node:path'
import {parseArgs} from 'node:util'
import {buildLab} from './build.js'
import {LabDepsError} from './host.js'
import {startLab, type Lab} from './lab.js'
import {shellQuote} from './shell-quote.js'
import {runShell} from './shell.js'

const USAGE = `usage: npm run lab -- <command>

  build                          build the lab images (or find them in .lab-cache/) and say where they are
  exec [options] '<command>'     boot, run <command> through /bin/sh -c, exit with its exit code
  script [options] FILE [ARG...] boot, run the script FILE (a host file) with ARGs, exit with its exit code
  shell [-v]                     boot to a root shell on the serial console (exit or Ctrl-A X to leave)

options for exec and script:
  -u, --user USER       run as USER (alice, bob, carol) instead of root
  -t, --timeout SECONDS kill the command after SECONDS (default: no limit)
  -i, --stdin           pass this process's stdin to the command (default: /dev/null)
  -v, --verbose         echo the guest console to stderr

The command's stdout and stderr stream to this process's stdout and stderr. Lab failures exit 125.
Put -- before script arguments that start with a dash: npm run lab -- script t.sh -- --flag`

/** Effectively no limit: a day. */
const NO_TIMEOUT_MS = 24 * 3600 * 1000
const LAB_FAILURE = 125

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

interface RunFlags {
  user?: string
  timeout?: string
  stdin?: boolean
  verbose?: boolean
}

async function runInGuest(flags: RunFlags, prepare: (lab: Lab) => Promise<string>): Promise<number> {
  const stdin = flags.stdin ? await readStdin() : undefined
  const lab = await startLab({verbose: flags.verbose})
  const stop = () => {
    void lab.stop().finally(() => process.exit(130))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const command = await prepare(lab)
    const result = await lab.exec(command, {
      user: flags.user,
      stdin,
      timeoutMs: flags.timeout ? Number(flags.timeout) * 1000 : NO_TIMEOUT_MS,
      onStdout: (chunk) => process.stdout.write(chunk),
      onStderr: (chunk) => process.stderr.write(chunk),
    })
    if (result.timedOut) process.stderr.write(`lab: killed after ${flags.timeout} s\n`)
    if (flags.verbose) process.stderr.write(`lab: boot ${lab.bootMs} ms, command ${result.ms} ms\n`)
    return result.code
  } finally {
    await lab.stop()
  }
}

async function build(): Promise<number> {
  const images = await buildLab()
  const show = (label: string, artifact: {path: string; hit: boolean}) =>
    console.log(`${label.padEnd(10)} ${artifact.hit ? 'cached' : 'built '} ${artifact.path}`)
  console.log(`kernel     host   ${images.host.kernel.vmlinuz}`)
  show('initramfs', images.initramfs)
  show('root', images.root)
  show('project', images.project)
  for (const disk of images.disks) show(disk.disk.name, disk)
  console.log(`(${images.ms} ms)`)
  return 0
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        user: {type: 'string', short: 'u'},
        timeout: {type: 'string', short: 't'},
        stdin: {type: 'boolean', short: 'i'},
        verbose: {type: 'boolean', short: 'v'},
        help: {type: 'boolean', short: 'h'},
      },
    })
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`)
    return 64
  }
  const {values, positionals} = parsed
  if (values.help || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE)
    return 0
  }
  if (values.timeout !== undefined && !(Number(values.timeout) > 0)) throw new Error('--timeout takes a number of seconds')
  switch (command) {
    case 'build':
      return build()
    case 'exec':
      if (positionals.length !== 1) break
      return runInGuest(values, async () => positionals[0])
    case 'script': {
      const [file, ...args] = positionals
      if (!file) break
      const content = readFileSync(file)
      return runInGuest(values, async (lab) => {
        const guestPath = `/tmp/lab-script-${process.pid}-${basename(file).replace(/[^\w.-]/g, '_')}`
        await lab.writeFile(guestPath, content, {mode: 0o755})
        return [guestPath, ...args].map(shellQuote).join(' ')
      })
    }
    case 'shell':
      return runShell({verbose: values.verbose})
  }
  process.stderr.write(`${USAGE}\n`)
  return 64
}

// A reader that goes away (| head) is not the lab's failure.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof LabDepsError ? error.message : error instanceof Error ? error.message : String(error)
    process.stderr.write(`${message}\n`)
    process.exit(LAB_FAILURE)
  },
)
