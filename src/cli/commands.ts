// Every quotakit command by its oclif id: the target of oclif's `explicit` command discovery
// (package.json oclif.commands). The startup bundle (scripts/bundle.ts) is built from this module
// and main.ts, so oclif finds the bundled command classes instead of importing dist/commands/*.js
// next to a second copy of @oclif/core. test/cli/commands.test.ts checks the list against commands/.

import Filesystems from '../../commands/filesystems.js'
import GraceReset from '../../commands/grace/reset.js'
import GraceSet from '../../commands/grace/set.js'
import GraceSetUser from '../../commands/grace/set-user.js'
import GraceShow from '../../commands/grace/show.js'
import Quotacheck from '../../commands/quotacheck.js'
import Repquota from '../../commands/repquota.js'
import Setquota from '../../commands/setquota.js'
import Warnquota from '../../commands/warnquota.js'

export const COMMANDS = {
  filesystems: Filesystems,
  'grace:reset': GraceReset,
  'grace:set': GraceSet,
  'grace:set-user': GraceSetUser,
  'grace:show': GraceShow,
  quotacheck: Quotacheck,
  repquota: Repquota,
  setquota: Setquota,
  warnquota: Warnquota,
}
