// Build step: dist/quotakit.cjs, the startup bundle bin/run.js loads, and its V8 code cache.
//   node dist/scripts/bundle.js               bundle (after tsc, before `oclif manifest`)
//   node dist/scripts/bundle.js --code-cache  code cache (last: it runs the built CLI)
//
// Why a bundle: importing @oclif/core file by file cost ~100 ms of a ~250 ms `filesystems --json`
// (module resolution and compiling ~160 files); one file with a code cache costs ~15 ms.
// Why everything in one file: only a single script can be compiled from a code cache (vm.Script).
// Commands inside it are initialised only when run (src/cli/commands.ts); heavy dependencies stay
// out, loaded on demand (ffi-rs, koffi, cli-table3, nodemailer). bundle-patches.ts trims what
// every start pays inside oclif.

import {spawnSync} from 'node:child_process'
import {existsSync, rmSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {parseArgs} from 'node:util'

import {build} from 'rolldown'

import {LAZY_BANNER, startupPatches} from './bundle-patches.js'

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..')
const DIST = join(ROOT, 'dist')
export const BUNDLE = join(DIST, 'quotakit.cjs')

/** Loaded with require() on demand, never inlined: native code, ESM-only, or only for development. */
const EXTERNAL = ['ffi-rs', 'koffi', 'cli-table3', 'nodemailer', 'typescript', 'ts-node']

/**
 * In the bundle, a module's import.meta.url is still the URL of its own file in dist/, so that
 * createRequire(import.meta.url) and new URL('./worker.js', import.meta.url) resolve as before.
 */
const MODULE_URL = '__quotakitModuleUrl'
const MODULE_URL_BANNER = `const ${MODULE_URL} = (file) => require('node:url').pathToFileURL(require('node:path').join(__dirname, file)).href`
const keepModuleUrls = {
  name: 'keep-module-urls',
  transform(code: string, id: string) {
    if (!id.startsWith(DIST) || !code.includes('import.meta.url')) return null
    const file = JSON.stringify(relative(DIST, id))
    return code.replaceAll('import.meta.url', `${MODULE_URL}(${file})`)
  },
}

async function bundle(): Promise<void> {
  await build({
    input: join(DIST, 'src/cli/bundle-entry.js'),
    platform: 'node',
    external: EXTERNAL,
    plugins: [keepModuleUrls, startupPatches],
    logLevel: 'warn',
    output: {
      file: BUNDLE,
      format: 'cjs',
      // Whitespace only (names and code as written, for readable stack traces): a quarter less
      // source for every start to read.
      minify: {compress: false, mangle: false, codegen: {removeWhitespace: true}},
      // import() fails in code compiled from a V8 code cache on Node 20 (vm.Script loses its
      // dynamic-import callback): external packages loaded on demand are require()d instead.
      codeSplitting: false,
      dynamicImportInCjs: false,
      banner: `${MODULE_URL_BANNER}\n${LAZY_BANNER}`,
    },
  })
}

/** Run the CLI once on its hot path so the cache holds the functions `filesystems --json` compiles. */
function codeCache(): void {
  if (!existsSync(join(ROOT, 'oclif.manifest.json'))) throw new Error('run `oclif manifest` before --code-cache')
  rmSync(`${BUNDLE}.cache`, {force: true})
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'filesystems', '--json'], {
    cwd: ROOT,
    env: {...process.env, QUOTAKIT_WRITE_CODE_CACHE: '1'},
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (!existsSync(`${BUNDLE}.cache`)) throw new Error(`no code cache written (exit ${r.status ?? r.signal})`)
}

const {values} = parseArgs({options: {'code-cache': {type: 'boolean', default: false}}})
if (values['code-cache']) codeCache()
else await bundle()
