// The host side of the tests' PostgreSQL: Debian's package found (or the installer named), the server run as the
// unprivileged `postgres` user when we are root, and processes found, killed and watched by pid.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { isAlive, processTree, signal } from '../wordpress/processes'
import { sleep } from '../wordpress/util'

const INSTALLER = join(import.meta.dir, '..', '..', 'scripts', 'install-test-deps.sh')
const MIN_MAJOR = 15
export const asRoot = process.getuid?.() === 0

let binDir: string | undefined

/** Fails, never skips, when Debian's postgresql is missing (`npm test` installs it first); answers its bin dir. */
export function ensurePostgresql(): string {
  if (binDir) return binDir
  const check = spawnSync('bash', [INSTALLER, '--check', 'postgresql'], { encoding: 'utf8', timeout: 30_000 })
  if (check.status !== 0) {
    throw new Error(`PostgreSQL is not installed (\`npm test\` installs it before the suite starts).\n${check.stderr || check.stdout}`)
  }
  const majors = readdirSync('/usr/lib/postgresql')
    .map(Number)
    .filter((m) => m >= MIN_MAJOR && existsSync(`/usr/lib/postgresql/${m}/bin/postgres`))
    .sort((a, b) => b - a)
  if (!majors.length) throw new Error(`no PostgreSQL >= ${MIN_MAJOR} under /usr/lib/postgresql although the package is installed`)
  return (binDir = `/usr/lib/postgresql/${majors[0]}/bin`)
}

// PostgreSQL refuses to run as root: as root, run its tools as Debian's `postgres` system user.
export const asServerUser = (cmd: string[]) => (asRoot ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd)

export function postgresUser(): { uid: number; gid: number } {
  const m = /^postgres:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))
  if (!m) throw new Error('the postgres system user is missing (Debian’s postgresql package creates it)')
  return { uid: Number(m[1]), gid: Number(m[2]) }
}

/**
 * The live postmaster of `dataDir`, 0 when there is none. postmaster.pid outlives a kill(), and its pid
 * may since belong to another process: only a process whose command line names the data dir counts.
 */
export function postmasterPid(dataDir: string): number {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    return pid && isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir) ? pid : 0
  } catch {
    return 0
  }
}

/** A port nobody listens on now, below Linux's ephemeral range so outgoing connections never hold it. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
      probe.once('error', () => resolve(false))
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
    })
    if (free) return port
  }
}

export const exitsWithin = (p: Subprocess, ms: number) => Promise.race([p.exited.then(() => true), sleep(ms).then(() => false)])

export async function killTree(pid: number): Promise<void> {
  const pids = processTree(pid)
  signal(pids, 'SIGKILL')
  for (const deadline = Date.now() + 5000; pids.some(isAlive) && Date.now() < deadline;) await sleep(20)
}

// Runs when the test process is gone (also after SIGKILL, which no exit hook sees; and bun test does not
// emit 'exit' at all): immediate shutdown by pid, SIGKILL after 5 s, then removes the temp dir.
export const WATCHDOG = `tail --pid="$1" -f /dev/null
pid="$(head -n1 "$2/data/postmaster.pid" 2>/dev/null)"
if [ -n "$pid" ] && tr '\\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$2/data" && kill -QUIT "$pid"; then
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
fi
case "$2" in /tmp/igny8-pg-*) rm -rf "$2" ;; esac`
