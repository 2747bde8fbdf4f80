// Shared libraries a host binary needs, as ldd reports them.
import {run} from './run.js'

/** Parses ldd output into absolute library paths (the dynamic loader included, the vDSO left out). */
export function parseLdd(output: string): string[] {
  const libs: string[] = []
  for (const line of output.split('\n')) {
    const arrow = line.match(/=>\s*(\/\S+)\s*\(0x/)
    const bare = line.match(/^\s*(\/\S+)\s*\(0x/)
    const path = arrow?.[1] ?? bare?.[1]
    if (path) libs.push(path)
  }
  return libs
}

/** The union of the libraries of all the given binaries. Static binaries contribute nothing. */
export async function sharedLibraries(binaries: readonly string[]): Promise<string[]> {
  const all = new Set<string>()
  for (const binary of binaries) {
    let output: string
    try {
      output = (await run('ldd', [binary])).stdout
    } catch (error) {
      if (/not a dynamic executable/.test(String(error))) continue
      throw error
    }
    for (const lib of parseLdd(output)) all.add(lib)
  }
  return [...all].sort()
}
