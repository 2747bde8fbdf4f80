#!/bin/sh
# Lab: per-id cost of quotakit repquota -v and setquota -b over N ids (default 10 000) on XFS and ext4
# under several V8 flag sets, R interleaved rounds (default 3), each against the same flags' empty run.
# Flag sets after R replace the default list ('' = no flags; one argument may hold several flags).
#   npm run lab -- script bench/lab-v8-flags.sh [N] [R] [FLAGS...]   (medians on stderr: RESULT lines)
N=${1:-10000}; R=${2:-3}
[ $# -gt 2 ] && shift 2 || set --
awk -v n=$N 'BEGIN{for(i=0;i<n;i++){print 100000+i, "1000 2000 100 200"}}' > /tmp/set.txt
awk -v n=$N 'BEGIN{for(i=0;i<n;i++){print 100000+i, "0 0 0 0"}}' > /tmp/clr.txt
cat > /tmp/drv.mjs <<'JS'
import {spawnSync} from 'node:child_process'
const [N, R] = process.argv.slice(2, 4).map(Number)
const given = process.argv.slice(4)
const FLAGS = given.length > 0
  ? given
  : ['', '--max-opt=1', '--max-inlined-bytecode-size-cumulative=200', '--interrupt-budget=540672', '--no-concurrent-recompilation', '--jitless']
const run = (flags, args, stdin) => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('sh', ['-c', `node ${flags} /opt/quotakit/bin/run.js ${args} < ${stdin} > /dev/null`])
  if (r.status !== 0) throw new Error(String(r.stderr))
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const lq = (args, stdin) => spawnSync('sh', ['-c', `${args} < ${stdin} > /dev/null`])
const res = {}
for (const m of ['/mnt/xfs', '/mnt/ext4']) {
  for (let r = 0; r < R; r++) {
    for (const f of (r % 2 ? [...FLAGS].reverse() : FLAGS)) {
      const k = `${m} [${f}]`
      res[k] ??= {rep: [], set: []}
      // setquota: from cleared state
      lq(`setquota -u -b ${m}`, '/tmp/clr.txt')
      const se = run(f, `setquota -u -b ${m}`, '/dev/null')
      const sf = run(f, `setquota -u -b ${m}`, '/tmp/set.txt')
      res[k].set.push(((sf - se) * 1000) / N)
      // repquota: ids set; empty = cleared
      lq(`setquota -u -b ${m}`, '/tmp/clr.txt')
      const re = run(f, `repquota -v -u ${m}`, '/dev/null')
      lq(`setquota -u -b ${m}`, '/tmp/set.txt')
      const rf = run(f, `repquota -v -u ${m}`, '/dev/null')
      res[k].rep.push(((rf - re) * 1000) / N)
      console.error(`${k} r${r}: set ${((sf - se) * 1000 / N).toFixed(1)} rep ${((rf - re) * 1000 / N).toFixed(1)} (empty ${se.toFixed(0)}/${re.toFixed(0)} ms)`)
    }
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
for (const [k, v] of Object.entries(res)) console.error(`RESULT ${k}: setquota ${med(v.set).toFixed(1)} us/id, repquota ${med(v.rep).toFixed(1)} us/id`)
JS
node /tmp/drv.mjs $N $R "$@"
