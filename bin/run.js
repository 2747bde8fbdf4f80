#!/usr/bin/env node
// oclif runs every command (through dist/src/cli/main.js). The one shortcut is a bare
// `--version`: monitoring and packaging scripts call it often, and through oclif it would load
// all of @oclif/core (~160 modules, about as long as Node's own startup) to print one line. The
// line is oclif's config.userAgent, byte for byte; test/cli/exit-codes.test.ts checks they agree.
import {readFileSync} from 'node:fs'

const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === '--version') {
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {main} = await import('../dist/src/cli/main.js')
  await main(argv, import.meta.url)
}
