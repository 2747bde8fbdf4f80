// Positional arguments of a non-strict command, in the order they were typed.
//
// Why not oclif's `argv`: @oclif/core 4 (lib/parser/parse.js) sorts it by each value's FIRST
// index in the input, so repeated values move: `setquota alice 0 0 100 0 /home` comes back as
// `alice 0 0 0 100 /home`, silently swapping limits. The raw token list keeps the typed order.

interface RawToken {
  type: string
  input: string
}

export const positionals = (raw: readonly RawToken[]): string[] => raw.filter((t) => t.type === 'arg').map((t) => t.input)
