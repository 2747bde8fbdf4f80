// Running host programs from the image builder.
import {spawn} from 'node:child_process'

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  input?: string | Buffer
}

export interface RunResult {
  stdout: string
  stderr: string
}

/** Runs a program (no shell) and resolves with its output; rejects with its stderr if it fails. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const input = options.input
    const child = spawn(file, args, {cwd: options.cwd, env: options.env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString()
      const stderr = Buffer.concat(err).toString()
      if (code === 0) resolve({stdout, stderr})
      else {
        const how = signal ? `signal ${signal}` : `exit code ${code}`
        reject(new Error(`${file} ${args.join(' ')} failed (${how}): ${stderr.trim() || stdout.trim()}`))
      }
    })
    if (child.stdin) {
      // A program that exits without reading its input must not crash the builder with EPIPE.
      child.stdin.on('error', () => {})
      child.stdin.end(input)
    }
  })
}
