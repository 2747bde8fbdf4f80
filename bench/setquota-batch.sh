#!/bin/sh
# setquota -b's own per-line cost on the host, without the lab: the real command (oclif, parsing,
# name resolution, the batch loop, the if_dqblk writer) over generated batch files of 0, 10 000 and
# 100 000 lines, against a backend that only writes each struct (this kernel has no quota).
# Pinned to one CPU (taskset -c 0) like the lab's single vCPU. Per-line cost = (run over N lines -
# the run over none just before) / N, timed inside the process; medians of interleaved rounds.
# With other built checkouts as arguments, each is measured side by side with this one.
#
#   npm run build && bench/setquota-batch.sh [ROUNDS] [OTHER_CHECKOUT...]
set -e
ROUNDS=${1:-9}
[ $# -gt 0 ] && shift
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for n in 0 10000 100000; do
  awk -v n=$n 'BEGIN{for(i=0;i<n;i++) print 100000+i, "1000 2000 100 200"}' > "$WORK/set$n.txt"
done
cat > "$WORK/run.mjs" <<'JS'
// one timed `setquota -u --file FILE /mnt/ext4` in this process; prints milliseconds
const [dir, file] = process.argv.slice(2)
const {setBackend} = await import(`${dir}/dist/src/backend.js`)
const {writeUpdateDqblk} = await import(`${dir}/dist/src/sys/update-writers.js`)
const buf = Buffer.alloc(72)
const fs = {mountpoint: '/mnt/ext4', device: '/dev/vdb', fstype: 'ext4', devMajor: 254, devMinor: 16, options: ['rw'],
  quotas: {user: {accounting: true, enforcement: true, format: 'vfsv1', systemFile: true, grace: null}}}
setBackend({filesystems: () => [fs], setQuota: (_f, _t, _id, u) => void writeUpdateDqblk(buf, u)})
const {default: Setquota} = await import(`${dir}/dist/commands/setquota.js`)
const t0 = performance.now()
await Setquota.run(['-u', '--file', file, '/mnt/ext4'], dir)
process.stdout.write(`${performance.now() - t0}\n`)
JS
node --input-type=module - "$WORK" "$ROUNDS" "$HERE" "$@" <<'JS'
import {spawnSync} from 'node:child_process'
const [work, rounds, ...checkouts] = process.argv.slice(2)
const run = (dir, n) => {
  const r = spawnSync('taskset', ['-c', '0', 'node', `${work}/run.mjs`, dir, `${work}/set${n}.txt`], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${dir}: exit ${r.status}: ${r.stderr}`)
  return Number(r.stdout)
}
const perLine = new Map(checkouts.map((dir) => [dir, {10000: [], 100000: []}]))
for (let round = 0; round < Number(rounds); round++) {
  for (const dir of round % 2 === 0 ? checkouts : [...checkouts].reverse()) {
    for (const n of [10_000, 100_000]) {
      const empty = run(dir, 0)
      perLine.get(dir)[n].push(((run(dir, n) - empty) * 1000) / n)
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
console.log(`setquota -u --file (null backend) on one CPU, ${rounds} rounds, medians`)
for (const dir of checkouts) {
  const p = perLine.get(dir)
  console.log(`${dir}: per line: 10k ${median(p[10000]).toFixed(2)} us, 100k ${median(p[100000]).toFixed(2)} us`)
}
JS
