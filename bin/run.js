#!/usr/bin/env node
// Startup is most of what a cron job or a monitoring probe pays for `quotakit filesystems --json`,
// so this file does two things to keep it near bare Node's (bench/startup.ts, goal <= 1.5x):
//
// - A bare `--version` prints oclif's config.userAgent itself, byte for byte, without loading
//   oclif at all (test/cli/exit-codes.test.ts checks they agree).
// - Everything else runs oclif from dist/quotakit.cjs, one CommonJS bundle of @oclif/core and
//   quotakit (scripts/bundle.ts), compiled from a V8 code cache that the build made by running
//   `filesystems --json` once. Imported module by module, @oclif/core alone took ~100 ms here
//   (resolving and compiling ~160 files); from the bundle and its code cache, all of oclif and
//   quotakit take ~15 ms. Without a usable cache (another Node version, a rebuilt bundle) V8
//   compiles the source as usual: slower, same behaviour.
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {Module, createRequire} from 'node:module'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === '--version') {
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {main} = loadBundle(fileURLToPath(new URL('../dist/quotakit.cjs', import.meta.url)))
  await main(argv, import.meta.url)
}

/**
 * require(file), but compiled with the code cache beside it when that cache was made for this very
 * file (its header holds the bundle's size and mtime; V8 itself only compares source lengths).
 * The module is entered in require's cache, so oclif's explicit command discovery, which
 * require()s the same file, gets this instance. QUOTAKIT_WRITE_CODE_CACHE=1 (the build's last
 * step) writes the cache when the process exits, with every function this run compiled.
 */
function loadBundle(file) {
  const cacheFile = `${file}.cache`
  const source = readFileSync(file, 'utf8')
  const {size, mtimeMs} = statSync(file)
  const stamp = Buffer.from(`${size} ${mtimeMs}\n`)
  let cachedData
  try {
    const cache = readFileSync(cacheFile)
    if (cache.subarray(0, stamp.length).equals(stamp)) cachedData = cache.subarray(stamp.length)
  } catch {
    // no cache: compile from source
  }
  // No import() in the bundle: on Node 20 code compiled from a cache cannot import() (the
  // script's dynamic-import callback is lost), so scripts/bundle.ts turns them into require().
  const script = new vm.Script(Module.wrap(source), {filename: file, cachedData})
  const mod = new Module(file, null)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(dirname(file))
  Module._cache[file] = mod
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file))
  mod.loaded = true
  if (process.env.QUOTAKIT_WRITE_CODE_CACHE === '1') {
    process.on('exit', () => writeFileSync(cacheFile, Buffer.concat([stamp, script.createCachedData()])))
  }
  return mod.exports
}
