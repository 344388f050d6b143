#!/usr/bin/env bash
# Make sure Debian's /usr/bin/chromium is present for the browser tests (idempotent).
# Installs the distribution package with apt when running as root; never downloads a
# browser from anywhere else. Not root and missing: fail with the exact command to run.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-chromium.sh: $CHROMIUM is missing and this is not root. Run:" >&2
  echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium'" >&2
  exit 1
fi

# Serialise concurrent callers (several test files starting at once), then look again.
lockdir=/run/lock; [[ -d $lockdir ]] || lockdir=/tmp
exec 9>"$lockdir/igny8-install-chromium.lock"
flock 9
if [[ -x "$CHROMIUM" ]]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-chromium.sh: installing chromium from the Debian archive ..." >&2
apt-get update -q -o DPkg::Lock::Timeout=300 >&2
apt-get install -y -q -o DPkg::Lock::Timeout=300 chromium >&2
if [[ ! -x "$CHROMIUM" ]]; then
  echo "install-chromium.sh: apt installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "install-chromium.sh: done" >&2
