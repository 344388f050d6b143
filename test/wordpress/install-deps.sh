#!/usr/bin/env bash
# Install the Debian packages the WordPress test harness needs (idempotent).
#   wordpress php-cli php-mysql mariadb-server (+ wordpress-theme-twentytwentythree,
#   a Recommends of wordpress, so the front end renders)
# No service is started: a temporary /usr/sbin/policy-rc.d (exit 101) blocks
# the postinst scripts from starting apache2/mariadb.
set -euo pipefail

PACKAGES=(wordpress php-cli php-mysql mariadb-server wordpress-theme-twentytwentythree)

if [[ "${1:-}" != "" ]]; then
  echo "usage: $0   (no arguments; installs: ${PACKAGES[*]})" >&2
  exit 2
fi

find_missing() {
  missing=()
  local p status
  for p in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
      missing+=("$p")
    fi
  done
}

find_missing
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-deps.sh: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps.sh: run as root:" >&2
  echo "  sudo $(cd "$(dirname "$0")" && pwd)/install-deps.sh" >&2
  exit 1
fi

# Serialise concurrent callers (several harness instances starting at once),
# then look again: another caller may have installed everything meanwhile.
lockdir=/run/lock; [[ -d $lockdir ]] || lockdir=/tmp
exec 9>"$lockdir/igny8-wordpress-install-deps.lock"
flock 9
find_missing
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

created_policy=0
cleanup() {
  if [[ $created_policy -eq 1 ]]; then
    rm -f /usr/sbin/policy-rc.d
  fi
}
trap cleanup EXIT

if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# temporary, created by install-deps.sh: do not start services\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps.sh: installing ${missing[*]} ..." >&2
apt-get update -q -o DPkg::Lock::Timeout=300 >&2
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${PACKAGES[@]}" >&2
echo "install-deps.sh: done" >&2
