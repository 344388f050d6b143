// The Debian packages (WordPress, PHP, MariaDB): installed once per test process through install-deps.sh.
import { existsSync } from 'node:fs'
import { DOCROOT, INSTALL_DEPS } from './constants'
import { run } from './processes'
import { log } from './util'

let depsChecked: Promise<void> | undefined

/** Runs install-deps.sh (idempotent) once; throws with the command to run as root when it cannot. */
export function ensurePackages(): Promise<void> {
  depsChecked ??= (async () => {
    const t0 = Date.now()
    const cmdline = process.getuid?.() === 0 ? INSTALL_DEPS : `sudo ${INSTALL_DEPS}`
    if (!existsSync(INSTALL_DEPS)) throw new Error(`WordPress harness: ${INSTALL_DEPS} is missing`)
    const r = await run(['bash', INSTALL_DEPS], { timeoutMs: 900_000 })
    if (r.code !== 0) {
      throw new Error(
        `WordPress harness: the Debian packages are missing and could not be installed.\n` +
          `Run as root:  ${cmdline}\n--- install-deps.sh said (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n` +
          (r.stderr + r.stdout).trim().split('\n').slice(-30).join('\n'),
      )
    }
    if (/installing/.test(r.stderr)) log(`installed Debian packages in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    for (const f of ['/usr/sbin/mariadbd', `${DOCROOT}/wp-load.php`, '/usr/bin/php']) {
      if (!existsSync(f)) throw new Error(`WordPress harness: ${f} is missing after install-deps.sh. Run as root: ${cmdline}`)
    }
  })()
  const p = depsChecked
  p.catch(() => {
    if (depsChecked === p) depsChecked = undefined // allow a retry later
  })
  return p
}
