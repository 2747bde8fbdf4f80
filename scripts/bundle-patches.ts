// Edits to the startup bundle's code (scripts/bundle.ts), each for a cost every start paid,
// measured with `npm run bench -- startup` and node --cpu-prof (README "Performance").

/**
 * Node builtins that `filesystems --json` never touches but quotakit or oclif import at the top of
 * a module (warnquota's crypto and child_process, quotacheck's worker_threads, oclif's prompts and
 * timers): loading them cost ~5 ms of every start. In the bundle each becomes a proxy that
 * require()s the builtin on its first property read. Safe because the bundle only ever reads
 * properties of these namespaces; test/cli/startup-imports.test.ts checks that `filesystems --json`
 * loads none of them, and the command tests run the code that uses them.
 */
export const LAZY_BUILTINS = ['child_process', 'crypto', 'perf_hooks', 'readline', 'worker_threads']
const LAZY = '__quotakitLazyBuiltin'
export const LAZY_BANNER = `const ${LAZY} = (id) => { let m; const load = () => (m ??= require(id)); return new Proxy({}, {get: (_, key) => (key === 'default' ? load() : load()[key]), has: (_, key) => key in load()}) }`
const lazyPattern = new RegExp(`require\\(["'](?:node:)?(${LAZY_BUILTINS.join('|')})["']\\)`, 'g')

/**
 * Text replacements in oclif's bundled code, each for a cost every start paid. Each must match
 * exactly once, so a new oclif that changes the code fails the build instead of quietly slowing.
 */
const PATCHES: {why: string; from: string; to: string}[] = [
  {
    // The first String#localeCompare initialises ICU's collator. Command ids are lowercase ASCII
    // words, for which code-point order is the same (test/cli/commands.test.ts checks every command's id).
    why: 'sort commands without ICU (~9 ms)',
    from: '.sort((a, b) => a.id.localeCompare(b.id))',
    to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
  },
  {
    // Config.load asks "is this WSL?" through wsl-utils, whose module init promisifies
    // child_process.execFile (loading child_process, net, dgram and streams); is-wsl alone answers.
    why: 'detect WSL without loading child_process (~3 ms)',
    from: 'return (await Promise.resolve().then(() => (init_wsl_utils(), wsl_utils_exports))).isWsl ? "wsl"',
    to: 'return (init_is_wsl(), is_wsl_default) ? "wsl"',
  },
  {
    // oclif's Plugin module loads tinyglobby (and with it fdir and picomatch) at the top, for
    // pattern command discovery, which explicit discovery (package.json oclif.commands) never uses.
    why: 'load tinyglobby only for pattern discovery (~2.5 ms)',
    from: 'const tinyglobby_1 = require_dist();',
    to: 'const tinyglobby_1 = {get glob() { return require_dist().glob }};',
  },
]

export const startupPatches = {
  name: 'startup-patches',
  renderChunk(code: string) {
    for (const {why, from, to} of PATCHES) {
      const at = code.indexOf(from)
      if (at < 0 || code.includes(from, at + 1)) throw new Error(`bundle: patch "${why}" no longer matches once; update PATCHES`)
      code = code.replace(from, () => to)
    }
    return code
      // rolldown's interop copy of a namespace would read every property, loading the builtin.
      .replace(/^(\w+) = __toESM\$?\d*\(\1, 1\);\n/gm, (line, name: string) =>
        LAZY_BUILTINS.some((b) => name === `node_${b}`) ? '' : line)
      .replace(lazyPattern, (_, id: string) => `${LAZY}("node:${id}")`)
  },
}

