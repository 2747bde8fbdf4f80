// Every quotakit command by its oclif id: the target of oclif's `explicit` command discovery
// (package.json oclif.commands), read from the startup bundle (scripts/bundle.ts), so oclif finds
// the bundled command classes instead of importing dist/commands/*.js next to a second copy of
// @oclif/core. test/cli/commands.test.ts checks the list against commands/.
//
// Each entry is a getter that require()s its command when oclif asks for it: in the bundle,
// rolldown turns require() of an ES module into that module's lazy initialiser, so a run
// evaluates (and V8 compiles) only the command it runs and what that imports, not all of quotakit
// (~10 ms of every start). require() exists only there: this module is for the bundle alone.

import type {Command} from '@oclif/core'

type CommandModule = {default: Command.Class}
const load = (module: unknown): Command.Class => (module as CommandModule).default

export const COMMANDS = {
  get filesystems() { return load(require('../../commands/filesystems.js')) },
  get 'grace:reset'() { return load(require('../../commands/grace/reset.js')) },
  get 'grace:set'() { return load(require('../../commands/grace/set.js')) },
  get 'grace:set-user'() { return load(require('../../commands/grace/set-user.js')) },
  get 'grace:show'() { return load(require('../../commands/grace/show.js')) },
  get quotacheck() { return load(require('../../commands/quotacheck.js')) },
  get repquota() { return load(require('../../commands/repquota.js')) },
  get setquota() { return load(require('../../commands/setquota.js')) },
  get warnquota() { return load(require('../../commands/warnquota.js')) },
}
