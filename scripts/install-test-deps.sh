#!/usr/bin/env bash
# The Debian packages the test suites need, installed before `npm test` starts the suite (a hook
# that waits for apt would time out). Idempotent and quick when everything is present (dpkg-query
# only, no apt-get update). As root it installs what is missing, with no service started (a
# temporary /usr/sbin/policy-rc.d that exits 101). Not root and something missing: it fails at once
# with the command to run.
#
#   scripts/install-test-deps.sh [GROUP...]          install the groups (default: all)
#   scripts/install-test-deps.sh --check [GROUP...]  only check; exit 1 with the command to run
#
# Groups: chromium (browser tests), wordpress (the WordPress harness, test/wordpress/),
# postgresql, tools (unzip). Progress goes to stdout, one line per step, prefixed "[setup]".
set -euo pipefail

declare -A GROUP=(
  # fonts-liberation: Chromium's metric-compatible stand-ins for Arial/Times (a Recommends of
  # chromium-common; the other Recommends, e.g. udev, upower, printing, are not needed headless).
  [chromium]="chromium fonts-liberation"
  # wordpress-theme-twentytwentythree is a Recommends of wordpress: the front end needs a theme.
  [wordpress]="wordpress php-cli php-mysql mariadb-server wordpress-theme-twentytwentythree"
  [postgresql]="postgresql"
  # unzip reads back the plugin zip the server builds (test/plugin/zip.test.ts), independently of our writer.
  [tools]="unzip"
)
ORDER=(chromium wordpress postgresql tools)
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

check_only=0
if [[ "${1:-}" == "--check" ]]; then
  check_only=1
  shift
fi
groups=("$@")
[[ ${#groups[@]} -gt 0 ]] || groups=("${ORDER[@]}")
for g in "${groups[@]}"; do
  if [[ -z "${GROUP[$g]:-}" ]]; then
    echo "usage: $0 [--check] [${ORDER[*]}]   (unknown group: $g)" >&2
    exit 2
  fi
done

# Prints the packages of group $1 that are not installed (dpkg's view, not a file probe).
missing_in() {
  local p
  for p in ${GROUP[$1]}; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]]; then
      printf '%s ' "$p"
    fi
  done
}

all_missing() {
  local g out=""
  for g in "${groups[@]}"; do out+="$(missing_in "$g")"; done
  echo "${out% }"
}

missing="$(all_missing)"
if [[ -z "$missing" ]]; then
  [[ $check_only -eq 1 ]] || echo "[setup] Debian packages: all present (${groups[*]})"
  exit 0
fi

if [[ $check_only -eq 1 || "$(id -u)" -ne 0 ]]; then
  echo "[setup] missing Debian packages: $missing" >&2
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "[setup] this is not root; run (installs them without starting any service):" >&2
    echo "  sudo $SELF ${groups[*]}" >&2
    echo "[setup] or with apt directly (then stop the services it starts, e.g. apache2, mariadb):" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
  else
    echo "[setup] install them with:  $SELF ${groups[*]}" >&2
  fi
  exit 1
fi

# Serialise concurrent callers, then look again: another one may have installed everything.
lockdir=/run/lock
[[ -d $lockdir ]] || lockdir=/tmp
exec 9>"$lockdir/igny8-install-test-deps.lock"
flock 9
missing="$(all_missing)"
if [[ -z "$missing" ]]; then
  echo "[setup] Debian packages: all present (${groups[*]})"
  exit 0
fi

created_policy=0
cleanup() {
  if [[ $created_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# temporary, created by install-test-deps.sh: do not start services\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
log="$(mktemp /tmp/igny8-install-test-deps.XXXXXX.log)"

# Runs one step quietly ("[setup] NAME: VERB…", then "ok (N s)"); on failure shows the end of apt's output and stops.
step() {
  local name="$1" verb="$2" t0=$SECONDS
  shift 2
  echo "[setup] $name: $verb…"
  if ! "$@" >>"$log" 2>&1; then
    echo "[setup] $name: FAILED after $((SECONDS - t0)) s; the end of apt's output ($log):" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
  echo "[setup] $name: ok ($((SECONDS - t0)) s)"
}

step "apt-get update" running apt-get update "${APT_OPTS[@]}"
for g in "${groups[@]}"; do
  pkgs="$(missing_in "$g")"
  [[ -n "$pkgs" ]] || continue
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  step "$g (${pkgs% })" installing apt-get install -y --no-install-recommends "${APT_OPTS[@]}" $pkgs
done

missing="$(all_missing)"
if [[ -n "$missing" ]]; then
  echo "[setup] apt finished but these are still not installed: $missing (log: $log)" >&2
  exit 1
fi
rm -f "$log"
