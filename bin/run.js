#!/usr/bin/env node
// Startup is most of what a cron job or a monitoring probe pays for `quotakit filesystems --json`,
// so this file does three things to keep it near bare Node's (bench/startup.ts, goal <= 1.5x):
//
// - It is CommonJS (bin/package.json says so): as an ES module, its imports of node:fs and
//   friends went through the ESM loader, whose facade of node:fs reads every export, loading
//   fs streams (~3 ms), and the loader itself cost ~5 ms more.
// - A bare `--version` prints oclif's config.userAgent itself, byte for byte, without loading
//   oclif at all (test/cli/exit-codes.test.ts checks they agree).
// - Everything else runs oclif from dist/quotakit.cjs, one CommonJS bundle of @oclif/core and
//   quotakit (scripts/bundle.ts), compiled from a V8 code cache that the build made by running
//   `filesystems --json` once. Imported module by module, @oclif/core alone took ~100 ms here
//   (resolving and compiling ~160 files); from the bundle and its code cache, all of oclif and
//   quotakit take ~15 ms. Without a usable cache (another Node version, a rebuilt bundle) V8
//   compiles the source as usual: slower, same behaviour.
'use strict'
const {readFileSync, statSync, writeFileSync} = require('node:fs')
const {Module, createRequire} = require('node:module')
const {dirname, join} = require('node:path')
const vm = require('node:vm')

const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === '--version') {
  const {name, version} = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {main} = loadBundle(join(__dirname, '../dist/quotakit.cjs'))
  // oclif is given the package root, whose package.json it reads (not bin/package.json). A
  // rejection here is a bug, and Node's default for an unhandled one (print it, exit 1) fits it.
  main(argv, join(__dirname, '..'))
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
