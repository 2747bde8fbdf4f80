// The one place colour is decided and the one chalk instance. Nothing else imports chalk:
// chalk 5 ignores NO_COLOR and guesses levels from the terminal, so we decide ourselves and hand
// chalk a fixed level. Basic 16 colours (level 1) are all we use, which also keeps golden files
// identical on every terminal.
//
// Only the human-output path imports this module (the base class loads render.ts lazily), so
// `--json` and `--version` never pay for chalk.

import {Chalk} from 'chalk'

import type {Status} from './document.js'

export interface ColorInputs {
  /** --color (true) / --no-color (false) / neither (undefined) */
  flag: boolean | undefined
  env: NodeJS.ProcessEnv
  /** whether stdout is a terminal */
  isTTY: boolean
}

/**
 * Order: explicit flag > NO_COLOR (present and non-empty, per no-color.org) > FORCE_COLOR > TTY.
 * FORCE_COLOR=0 or =false turns colour off, like Node and supports-color; any other value forces it on.
 */
export function decideColor({flag, env, isTTY}: ColorInputs): boolean {
  if (flag !== undefined) return flag
  if (env.NO_COLOR) return false
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false'
  return isTTY
}

const ink = new Chalk({level: 1})

const STATUS_STYLE: Record<Status, ((text: string) => string) | undefined> = {
  ok: undefined,
  soft: ink.yellow,
  hard: ink.red,
  expired: ink.red,
}

/** Colour `text` for a limit status; a no-op when colour is off or the status is ok. */
export function paint(text: string, status: Status | undefined, color: boolean): string {
  const style = status && STATUS_STYLE[status]
  return color && style && text !== '' ? style(text) : text
}
