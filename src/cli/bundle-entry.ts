// The entry point of dist/quotakit.cjs, the startup bundle bin/run.js loads (see scripts/bundle.ts):
// oclif's run() with quotakit's error contract, and the commands for oclif's explicit discovery.

export {COMMANDS} from './commands.js'
export {main} from './main.js'
