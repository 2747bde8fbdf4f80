// The DEBUG namespaces quotakit writes to stderr, spelled as the `debug` package spells them:
// DEBUG=quota or DEBUG=quota* turns on every quota:* namespace, DEBUG=* everything, and
// DEBUG=quota:sys (or quota:file) just that one. Read once per namespace, at module load.

export type DebugNamespace = 'quota:sys' | 'quota:file'

export function debugEnabled(namespace: DebugNamespace, env: string = process.env.DEBUG ?? ''): boolean {
  return env
    .split(',')
    .map((pattern) => pattern.trim())
    .some((pattern) => pattern === '*' || pattern === 'quota' || pattern === 'quota*' || pattern === namespace)
}
