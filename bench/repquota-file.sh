#!/bin/sh
# repquota's per-id cost on the host, natively (no qemu), side by side with linuxquota 4.06:
# `repquota -v -F vfsv0 MOUNT` on loop-mounted ext4 images whose aquota.user holds 0, 10 000 or
# 100 000 generated ids. Quota is off there (this kernel cannot turn it on), so both tools read the
# file, as they do on the lab's vfsv0 mount after Q_SYNC. linuxquota only reports a mount whose
# mount options name usrquota: it runs in a private mount namespace where its own
# /proc/PID/mounts, the table it reads, says so (exec keeps the pid). Everything is pinned to one
# CPU (taskset -c 0) like the lab's single vCPU. This build's output over 10 000 ids is checked
# equal to linuxquota's first. Per-id cost = (run over N ids - the same tool's run over none just
# before) / N; medians of interleaved rounds. Other built checkouts given as arguments are
# measured in the same rounds.
#
#   npm run build && bench/repquota-file.sh [ROUNDS] [OTHER_CHECKOUT...]    (as root: it mounts)
set -e
ROUNDS=${1:-15}
[ $# -gt 0 ] && shift
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'for n in 0 10000 100000; do umount "$WORK/m$n" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
for n in 0 10000 100000; do
  truncate -s 64M "$WORK/m$n.img"
  mkfs.ext4 -q -F "$WORK/m$n.img"
  mkdir "$WORK/m$n"
  mount -o loop "$WORK/m$n.img" "$WORK/m$n"
done
# linuxquota's wrapper: its mount table with usrquota added to these mounts, then exec.
cat > "$WORK/usrquota.sh" <<SH
#!/bin/sh
sed 's#^\([^ ]* $WORK/m[0-9]* ext4 [^ ]*\)#\1,usrquota#' /proc/self/mounts > "$WORK/mounts.\$\$"
mount --bind "$WORK/mounts.\$\$" /proc/\$\$/mounts
exec "\$@"
SH
chmod +x "$WORK/usrquota.sh"
node --input-type=module - "$HERE" "$WORK" "$ROUNDS" "$@" <<'JS'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
const [here, work, rounds, ...others] = process.argv.slice(2)
const {buildQuotaFile} = await import(`${here}/dist/src/quotafile/writer.js`)
for (const n of [0, 10_000, 100_000]) {
  const records = Array.from({length: n}, (_, i) => ({
    id: 100_000 + i,
    space: {usedBytes: (i % 7) * 4096, softLimitBytes: 1000 * 1024, hardLimitBytes: 2000 * 1024, graceExpiresAt: 0},
    inodes: {used: i % 3, softLimit: 100, hardLimit: 200, graceExpiresAt: 0},
  }))
  const grace = {blockGraceSeconds: 604800, inodeGraceSeconds: 604800}
  writeFileSync(`${work}/m${n}/aquota.user`, buildQuotaFile({type: 'user', format: 'vfsv0', grace, records}))
}
const report = (n) => ['repquota', '-v', '-F', 'vfsv0', `${work}/m${n}`]
const tools = new Map([
  ['linuxquota', (n) => ['unshare', '-m', '--propagation', 'private', `${work}/usrquota.sh`, 'taskset', '-c', '0', ...report(n)]],
  ...[here, ...others].map((dir) => [dir, (n) => ['taskset', '-c', '0', 'node', `${dir}/bin/run.js`, ...report(n)]]),
])
const run = (name, n) => {
  const argv = tools.get(name)(n)
  const t0 = process.hrtime.bigint()
  const r = spawnSync(argv[0], argv.slice(1), {stdio: ['ignore', 'ignore', 'pipe']})
  if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`)
  return Number(process.hrtime.bigint() - t0) / 1e6
}
const names = [...tools.keys()]
// Same work: this build's report over 10 000 ids must be linuxquota's, byte for byte (older
// builds given as arguments left out the -v statistics).
const output = (name) => {
  const argv = tools.get(name)(10_000)
  return spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', maxBuffer: 1 << 26}).stdout
}
if (output(here) !== output('linuxquota')) throw new Error(`${here}: repquota output differs from linuxquota's`)
const perId = new Map(names.map((name) => [name, {10000: [], 100000: [], empty: []}]))
for (let round = 0; round < Number(rounds); round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) {
    for (const n of [10_000, 100_000]) {
      const empty = run(name, 0)
      perId.get(name).empty.push(empty)
      perId.get(name)[n].push(((run(name, n) - empty) * 1000) / n)
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const base = perId.get('linuxquota')
console.log(`repquota -v -F vfsv0, native, one CPU, ${rounds} rounds, medians (ratio: per-id cost / linuxquota's)`)
for (const name of names) {
  const p = perId.get(name)
  const cost = (n) => `${median(p[n]).toFixed(2)} us (${(median(p[n]) / median(base[n])).toFixed(2)}x)`
  console.log(`${name}: no ids ${median(p.empty).toFixed(1)} ms; per id: 10k ${cost(10000)}, 100k ${cost(100000)}`)
}
JS
