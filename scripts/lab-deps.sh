#!/bin/sh
# Installs the Debian packages the kernel lab (lab/README.md) needs on the host. Safe to re-run.
# As root: apt-get update, then install whatever is missing without recommends.
# Otherwise: prints the command to run and exits 1.
set -eu

# hyperfine is for `npm run bench` (bench/startup.ts and the host cases), not the lab itself.
PACKAGES="qemu-system-x86 linux-image-cloud-amd64 busybox-static quota xfsprogs e2fsprogs hyperfine"

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "lab-deps: the lab needs a Debian-based host (apt) with: $PACKAGES" >&2
  exit 1
fi

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $package"
  fi
done

if [ -z "$missing" ]; then
  echo "lab-deps: all lab packages are installed ($PACKAGES)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "lab-deps: missing$missing; install with: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
echo "lab-deps: installed$missing"
