#!/bin/sh
# Lab: how much of quotakit's per-id cost at N ids (default 10 000) is one-off warm-up, measured
# inside one process instead of derived from two sizes' medians. Per mount and command, one Node
# process runs quotakit's main() repeatedly on the same quota state:
#   cold  the first run over N ids (its per-id code runs unoptimised while V8 compiles it),
#   warm  six more runs over the same N ids, and runs over no ids (after a first one that paid
#         oclif's and the command's own one-off start costs, as the bench's empty run does).
# Under TCG the runs keep getting faster for tens of thousands of ids, so the steady cost is taken
# from the last three warm runs: steady = (median(last three) - median(none)) / N, warm-up = cold -
# median(last three), a lower bound. linuxquota runs over the same states alongside (per id = (run
# over N - run over none) / N).
#   npm run lab -- script bench/lab-warmup.sh [N] [R]   (R rounds of everything; RESULT lines on stderr)
N=${1:-10000}; R=${2:-3}
awk -v n=$N 'BEGIN{for(i=0;i<n;i++){print 100000+i, "1000 2000 100 200"}}' > /tmp/set.txt
awk -v n=$N 'BEGIN{for(i=0;i<n;i++){print 100000+i, "0 0 0 0"}}' > /tmp/clr.txt
: > /tmp/none.txt
cat > /tmp/warm.cjs <<'JS'
// node warm.cjs WARM_RUNS MOUNT set|rep: quotakit's setquota -b (--file) or repquota -v on MOUNT
// through main(), in this one process: runs over no ids, then one cold and WARM_RUNS warm over N
// ids. Prints the times in ms as JSON.
const {execFileSync} = require('node:child_process')
const {main} = require('/opt/quotakit/dist/quotakit.cjs')
const [warmRuns, mount, kind] = [Number(process.argv[2]), process.argv[3], process.argv[4]]
const state = (file) => execFileSync('sh', ['-c', `setquota -u -b ${mount} < ${file}`])
const write = process.stdout.write.bind(process.stdout)
process.stdout.setMaxListeners(0) // oclif's flush() leaves a 'drain' listener per main() call
const timed = async (argv) => {
  process.stdout.write = () => true // the rows are made and joined, not written: no pipe in the way
  const t0 = process.hrtime.bigint()
  await main(argv, '/opt/quotakit')
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  process.stdout.write = write
  if (process.exitCode) throw new Error(`quotakit ${argv.join(' ')} exited ${process.exitCode}`)
  return ms
}
const args = (file) => (kind === 'set' ? ['setquota', '-u', '--file', file, mount] : ['repquota', '-v', '-u', mount])
;(async () => {
  const out = {empty: [], cold: 0, warm: []}
  state('/tmp/clr.txt')
  await timed(args('/tmp/none.txt')) // oclif's and the command's one-off costs, as an empty run pays
  for (let k = 0; k < warmRuns; k++) out.empty.push(await timed(args('/tmp/none.txt')))
  if (kind === 'rep') state('/tmp/set.txt')
  out.cold = await timed(args('/tmp/set.txt'))
  for (let k = 0; k < warmRuns; k++) {
    if (kind === 'set') state('/tmp/clr.txt')
    out.warm.push(await timed(args('/tmp/set.txt')))
  }
  write(`${JSON.stringify(out)}\n`)
})()
JS
cat > /tmp/drv.cjs <<'JS'
const {execFileSync, spawnSync} = require('node:child_process')
const [N, R] = process.argv.slice(2, 4).map(Number)
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const ms = (cmd) => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('sh', ['-c', `${cmd} > /dev/null`])
  if (r.status !== 0) throw new Error(String(r.stderr))
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const res = {}
for (let r = 0; r < R; r++) {
  for (const m of ['/mnt/xfs', '/mnt/ext4', '/mnt/ext4v0']) {
    for (const kind of ['set', 'rep']) {
      const k = `${m} ${kind === 'set' ? 'setquota -b' : 'repquota -v'}`
      const q = JSON.parse(execFileSync('node', ['/tmp/warm.cjs', '6', m, kind]))
      // linuxquota on the same states, each run against its empty run just before
      ms(`setquota -u -b ${m} < /tmp/clr.txt`)
      const lqEmpty = kind === 'set' ? ms(`setquota -u -b ${m} < /tmp/none.txt`) : ms(`repquota -v -u ${m}`)
      if (kind === 'rep') ms(`setquota -u -b ${m} < /tmp/set.txt`)
      const lqFull = kind === 'set' ? ms(`setquota -u -b ${m} < /tmp/set.txt`) : ms(`repquota -v -u ${m}`)
      const row = {
        lq: ((lqFull - lqEmpty) * 1000) / N,
        cold: ((q.cold - med(q.empty)) * 1000) / N,
        steady: ((med(q.warm.slice(-3)) - med(q.empty)) * 1000) / N,
        warmupMs: q.cold - med(q.warm.slice(-3)),
      }
      ;(res[k] ??= []).push(row)
      const runs = [q.cold, ...q.warm].map((t) => t.toFixed(0)).join(', ')
      console.error(`${k} r${r}: linuxquota ${row.lq.toFixed(1)} µs/id; quotakit cold ${row.cold.toFixed(1)}, steady ${row.steady.toFixed(1)} µs/id, warm-up ${row.warmupMs.toFixed(0)} ms (runs over ${N} ids: ${runs} ms; over none: ${med(q.empty).toFixed(0)} ms)`)
    }
  }
}
for (const [k, rows] of Object.entries(res)) {
  const m = (f) => med(rows.map(f))
  const lq = m((x) => x.lq)
  console.error(`RESULT ${k}, ${N} ids, medians of ${rows.length}: linuxquota ${lq.toFixed(1)} µs/id (2x = ${(2 * lq).toFixed(1)}); quotakit cold ${m((x) => x.cold).toFixed(1)} (${(m((x) => x.cold) / lq).toFixed(2)}x), steady ${m((x) => x.steady).toFixed(1)} (${(m((x) => x.steady) / lq).toFixed(2)}x), warm-up ${m((x) => x.warmupMs).toFixed(0)} ms = ${(m((x) => x.warmupMs) * 1000 / N).toFixed(1)} µs/id`)
}
JS
node /tmp/drv.cjs $N $R
