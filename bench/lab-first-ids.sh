#!/bin/sh
# Lab: is any of quotakit's per-id warm-up a cost paid once per run as soon as there are ids (the
# name listing, a first call)? One Node process per mount runs quotakit's repquota -v through
# main() over 0, 1, 16, 17, 100, 1 000 and 10 000 ids, four rounds; the first round (cold) is
# dropped and the medians of the other three are printed. A fixed cost would show as a step
# between 0 and 1 (or 16 and 17: the resolver lists the database after 16 lookups).
#   npm run lab -- script bench/lab-first-ids.sh
cat > /tmp/first-ids.cjs <<'JS'
const {execFileSync} = require('node:child_process')
const {main} = require('/opt/quotakit/dist/quotakit.cjs')
const mount = process.argv[2]
const SIZES = [0, 1, 16, 17, 100, 1000, 10000]
const write = process.stdout.write.bind(process.stdout)
process.stdout.setMaxListeners(0) // oclif's flush() leaves a 'drain' listener per main() call
const timed = async (argv) => {
  process.stdout.write = () => true // rows are made and joined, not written
  const t0 = process.hrtime.bigint()
  await main(argv, '/opt/quotakit')
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  process.stdout.write = write
  if (process.exitCode) throw new Error(`quotakit ${argv.join(' ')} exited ${process.exitCode}`)
  return ms
}
const limits = (n, values) => execFileSync('sh', ['-c', `awk -v n=${n} 'BEGIN{for(i=0;i<n;i++) print 100000+i, "${values}"}' | setquota -u -b ${mount}`])
;(async () => {
  const ms = {}
  for (let round = 0; round < 4; round++) {
    for (const n of SIZES) {
      limits(10000, '0 0 0 0')
      limits(n, '1000 2000 100 200')
      const t = await timed(['repquota', '-v', '-u', mount])
      if (round > 0) (ms[n] ??= []).push(t)
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
  for (const n of SIZES) write(`${mount}, ${n} ids: median ${med(ms[n]).toFixed(1)} ms (${ms[n].map((x) => x.toFixed(0)).join(', ')})\n`)
})()
JS
for m in /mnt/xfs /mnt/ext4 /mnt/ext4v0; do node /tmp/first-ids.cjs $m; done
