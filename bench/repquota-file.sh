#!/bin/sh
# repquota's own per-id cost on the host, without the lab: `repquota -v -F vfsv0 MOUNT` on tmpfs
# mounts whose aquota.user holds 0, 10 000 or 100 000 generated ids (quota is off there, so the
# file is read, as the lab's vfsv0 mount does after Q_SYNC). Pinned to one CPU (taskset -c 0) like
# the lab's single vCPU, where V8's compiler and GC threads take turns with the main thread.
# Per-id cost = (run over N ids - the run over none just before) / N; medians of interleaved rounds.
# With other built checkouts as arguments, each is measured side by side with this one.
#
#   npm run build && bench/repquota-file.sh [ROUNDS] [OTHER_CHECKOUT...]    (as root: it mounts tmpfs)
set -e
ROUNDS=${1:-15}
[ $# -gt 0 ] && shift
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'for n in 0 10000 100000; do umount "$WORK/q$n" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
for n in 0 10000 100000; do
  mkdir "$WORK/q$n"
  mount -t tmpfs -o size=64m tmpfs "$WORK/q$n"
done
node --input-type=module - "$HERE" "$WORK" "$ROUNDS" "$@" <<'JS'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
const [here, work, rounds, ...others] = process.argv.slice(2)
const {buildQuotaFile} = await import(`${here}/dist/src/quotafile/writer.js`)
const SIZES = [0, 10_000, 100_000]
for (const n of SIZES) {
  const records = Array.from({length: n}, (_, i) => ({
    id: 100_000 + i,
    space: {usedBytes: (i % 7) * 4096, softLimitBytes: 1000 * 1024, hardLimitBytes: 2000 * 1024, graceExpiresAt: 0},
    inodes: {used: i % 3, softLimit: 100, hardLimit: 200, graceExpiresAt: 0},
  }))
  const grace = {blockGraceSeconds: 604800, inodeGraceSeconds: 604800}
  writeFileSync(`${work}/q${n}/aquota.user`, buildQuotaFile({type: 'user', format: 'vfsv0', grace, records}))
}
const checkouts = [here, ...others]
const run = (dir, n) => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('taskset', ['-c', '0', 'node', `${dir}/bin/run.js`, 'repquota', '-v', '-F', 'vfsv0', `${work}/q${n}`], {stdio: ['ignore', 'ignore', 'pipe']})
  if (r.status !== 0) throw new Error(`${dir}: exit ${r.status}: ${r.stderr}`)
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const perId = new Map(checkouts.map((dir) => [dir, {10000: [], 100000: [], empty: []}]))
for (let round = 0; round < Number(rounds); round++) {
  for (const dir of round % 2 === 0 ? checkouts : [...checkouts].reverse()) {
    for (const n of [10_000, 100_000]) {
      const empty = run(dir, 0)
      perId.get(dir).empty.push(empty)
      perId.get(dir)[n].push(((run(dir, n) - empty) * 1000) / n)
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
console.log(`repquota -v -F vfsv0 on one CPU, ${rounds} rounds, medians`)
for (const dir of checkouts) {
  const p = perId.get(dir)
  console.log(`${dir}: no ids ${median(p.empty).toFixed(0)} ms; per id: 10k ${median(p[10000]).toFixed(2)} us, 100k ${median(p[100000]).toFixed(2)} us`)
}
JS
