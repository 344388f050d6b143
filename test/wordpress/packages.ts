// The Debian packages (WordPress, PHP, MariaDB): checked once per test process. `npm test` installs
// them before the suite starts (scripts/install-test-deps.sh); a hook waiting for apt would time out.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DOCROOT, INSTALL_DEPS } from './constants'
import { run } from './processes'

const INSTALLER = join(import.meta.dir, '..', '..', 'scripts', 'install-test-deps.sh')
let depsChecked: Promise<void> | undefined

/** Checks (dpkg, instant) that the packages are installed; throws with the command to run when not. Never installs. */
export function ensurePackages(): Promise<void> {
  depsChecked ??= (async () => {
    const cmdline = process.getuid?.() === 0 ? INSTALL_DEPS : `sudo ${INSTALL_DEPS}`
    const r = await run(['bash', INSTALLER, '--check', 'wordpress'], { timeoutMs: 30_000 })
    if (r.code !== 0) {
      throw new Error(
        `WordPress harness: the Debian packages are not installed (\`npm test\` installs them before the suite starts).\n` +
          (r.stderr + r.stdout).trim(),
      )
    }
    for (const f of ['/usr/sbin/mariadbd', `${DOCROOT}/wp-load.php`, '/usr/bin/php']) {
      if (!existsSync(f))
        throw new Error(`WordPress harness: ${f} is missing although its package is installed. Reinstall as root: ${cmdline}`)
    }
  })()
  const p = depsChecked
  p.catch(() => {
    if (depsChecked === p) depsChecked = undefined // allow a retry later
  })
  return p
}
