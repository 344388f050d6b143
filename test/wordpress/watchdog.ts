// The watchdog: a shell script that outlives an abruptly killed test process and stops its instance by pid.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MARKER } from './constants'
import { spawnDetached } from './processes'

const WATCHDOG_SH = `# ${MARKER} watchdog: when the test process dies without stop(), stop this instance by pid
owner="$1"; php="$2"; db="$3"; conf="$4"; dir="$5"
tail --pid="$owner" -f /dev/null
kids="$(cat /proc/$php/task/*/children 2>/dev/null)"
kill -TERM $kids $db 2>/dev/null
sleep 0.3
kill -TERM $php 2>/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $kids $php $db 2>/dev/null || break; sleep 0.5; done
kill -KILL $kids $php $db 2>/dev/null
grep -qF "$dir" "$conf" 2>/dev/null && rm -f "$conf"
case "$dir" in */igny8-wp-*) rm -rf "$dir" ;; esac
`

/** Starts the watchdog for one instance (its pids, per-port config and temp dir); returns its pid. */
export function startWatchdog(o: { dir: string; phpPid: number; dbPid: number; configFile: string }): number {
  writeFileSync(join(o.dir, 'watchdog.sh'), WATCHDOG_SH)
  return spawnDetached(
    ['bash', join(o.dir, 'watchdog.sh'), String(process.pid), String(o.phpPid || 0), String(o.dbPid || 0), o.configFile, o.dir],
    join(o.dir, 'watchdog.log'),
  )
}
