// Build step (after `oclif manifest`): write section-8 man pages from oclif.manifest.json, so the
// pages cannot drift from the flags. man/ is generated output, like dist/ and the manifest.
//   node dist/scripts/gen-man.js [--root DIR] [--out DIR]

import {mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {parseArgs} from 'node:util'

import {type Manifest, pageName, visibleCommands} from './man/manifest.js'
import {type PageContext, commandPage, overviewPage} from './man/pages.js'

interface PackageJson {
  version: string
  description: string
  oclif: {bin: string}
}

/** SOURCE_DATE_EPOCH keeps builds reproducible (reproducible-builds.org); otherwise today. */
function buildDate(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH)
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString().slice(0, 10)
}

function main(): void {
  const {values} = parseArgs({options: {root: {type: 'string', default: '.'}, out: {type: 'string'}}})
  const root = resolve(values.root as string)
  const outDir = resolve(values.out ?? join(root, 'man'))
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as Manifest
  const ctx: PageContext = {bin: pkg.oclif.bin, version: pkg.version, date: buildDate(), description: pkg.description}

  mkdirSync(outDir, {recursive: true})
  // Pages of removed commands must not linger.
  for (const old of readdirSync(outDir).filter((f) => f.endsWith('.8'))) rmSync(join(outDir, old))

  writeFileSync(join(outDir, `${ctx.bin}.8`), overviewPage(ctx, manifest))
  const commands = visibleCommands(manifest)
  for (const cmd of commands) writeFileSync(join(outDir, `${pageName(ctx.bin, cmd.id)}.8`), commandPage(ctx, cmd))
  process.stdout.write(`gen-man: ${commands.length + 1} pages in ${outDir}\n`)
}

main()
