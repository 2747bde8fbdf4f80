#!/bin/sh
# One Q_GETNEXTQUOTA (Q_XGETNEXTQUOTA on XFS) walk over N ids on each lab mount, through koffi,
# three ways: quotactl(2) with the device path as a JS string, the same path as a NUL-terminated
# Buffer, and quotactl_fd(2) on an O_PATH fd of the mountpoint; then linuxquota's whole
# `repquota -v -u` over the same ids for scale. Why src/sys/quotactl.ts reads per id through fds.
#
#   npm run build && npm run lab -- script bench/quotactl-fd.sh 10000
set -e
N=${1:-10000}
node -e "let s='';for(let i=0;i<+process.argv[1];i++)s+=(100000+i)+' 1000 2000 100 200\n';require('fs').writeFileSync('/tmp/set.txt',s)" "$N"
for m in /mnt/ext4 /mnt/ext4v0 /mnt/xfs; do setquota -u -b $m < /tmp/set.txt; done
cat > /tmp/quotactl-fd.cjs <<'JS'
const koffi = require('module').createRequire('/opt/quotakit/dist/quotakit.cjs')('koffi')
const fs = require('fs')
const lib = koffi.load(null)
const getpid = lib.func('int getpid()')
const byString = lib.func('int quotactl(int cmd, const char *special, int id, void *addr)')
const byBuffer = lib.func('quotactl', 'int', ['int', 'void *', 'int', 'void *'])
const syscall4 = lib.func('long syscall(long nr, long fd, long cmd, long id, void *addr)')
const SYS_quotactl_fd = 443
const O_PATH = 0o10000000
const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '))
const buf = Buffer.alloc(256)
const time = (label, walk) => {
  const t0 = process.hrtime.bigint()
  const n = walk()
  const us = Number(process.hrtime.bigint() - t0) / 1000
  console.log(`${label.padEnd(26)} ${String(n).padStart(7)} calls ${(us / n).toFixed(1).padStart(6)} us/call`)
}
time('getpid', () => { for (let i = 0; i < 10000; i++) getpid(); return 10000 })
// QCMD(cmd, USRQUOTA) and the offset of the returned id in if_nextdqblk / fs_disk_quota
for (const [mount, qcmd, idAt] of [['/mnt/ext4', 0x80000900 | 0, 68], ['/mnt/ext4v0', 0x80000900 | 0, 68], ['/mnt/xfs', 0x580900, 4]]) {
  const device = mounts.find((x) => x[1] === mount)[0]
  const deviceZ = Buffer.from(`${device}\0`)
  const fd = fs.openSync(mount, O_PATH | fs.constants.O_DIRECTORY)
  const walk = (call) => () => {
    let n = 0
    for (let id = 0; call(id) >= 0; id = buf.readUInt32LE(idAt) + 1) n++
    return n
  }
  for (let round = 0; round < 2; round++) {
    time(`${mount} path (string)`, walk((id) => byString(qcmd, device, id, buf)))
    time(`${mount} path (Buffer)`, walk((id) => byBuffer(qcmd, deviceZ, id, buf)))
    time(`${mount} quotactl_fd`, walk((id) => Number(syscall4(SYS_quotactl_fd, fd, qcmd, id, buf))))
  }
}
JS
node /tmp/quotactl-fd.cjs
up() { cut -d' ' -f1 /proc/uptime; }
for m in /mnt/ext4 /mnt/ext4v0 /mnt/xfs; do
  for r in 1 2; do
    s=$(up); repquota -v -u $m > /dev/null; e=$(up)
    echo "linuxquota repquota -v -u $m: $(echo "$s $e" | awk '{printf "%.2f s", $2 - $1}')"
  done
done
