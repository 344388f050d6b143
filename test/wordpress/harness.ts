/**
 * A REAL WordPress (Debian 12 packages) on loopback, for tests. This is the public entry; the
 * parts live next to it (README.md lists them).
 *
 *   const wp = await startWordPress();          // ~5 s once the packages are installed
 *   fetch(`${wp.url}/wp-json/wp/v2/types?context=edit`, {
 *     headers: { Authorization: basicAuth(wp.adminUser, wp.appPassword) } });
 *   await wp.wpEval(`echo wp_count_posts()->publish;`);
 *   await wp.stop();
 *
 * Per instance: a private MariaDB (own data dir, socket only, --skip-networking),
 * `php -S 127.0.0.1:PORT` with 4 workers and a router, a Debian-style
 * /etc/wordpress/config-127.0.0.1-port-PORT.php (selected by the port through
 * /etc/wordpress/config-127.0.0.1.php), its own mu-plugins and uploads dirs under a
 * temp dir. Every process is tracked by its own pid and stopped by pid in stop(),
 * on process exit, and by a small watchdog if the test process dies abruptly.
 * See README.md for the fixture numbers. Facts and traps: /work/shared/WORDPRESS.md.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ADMIN_USER, DEBUG, ETC } from './constants'
import { removeInstanceConfig, writeEtcConfigs } from './etc-config'
import { createFixtures, type Fixtures } from './fixtures'
import { installWordPress } from './install'
import { Instance, installExitHook, live } from './instance'
import { startMariaDB } from './mariadb'
import { appendConfig } from './config-append'
import { MU_GUARD, MU_TYPES, muInstance } from './mu-plugins.php'
import { ensurePackages } from './packages'
import { bootPhp } from './php-cli'
import { freePort, portIsFree, startPhpServer, waitForRest } from './php-server'
import { processTree, terminate } from './processes'
import { routerPhp } from './router.php'
import { log, randomToken } from './util'
import { startWatchdog } from './watchdog'

export { EXPECTED_FIXTURES } from './fixtures'
export type { Fixtures, PostTypeFixture, TaxonomyFixture } from './fixtures'

export interface WordPress {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  url: string
  adminUser: string
  adminPassword: string
  /** a real WordPress Application Password of adminUser (Basic auth over http works: WP_ENVIRONMENT_TYPE=local) */
  appPassword: string
  fixtures: Fixtures
  /**
   * Runs PHP inside WordPress (wp-load.php, current user = admin) with php-cli and
   * returns its stdout. `php` may or may not start with `<?php`. Throws (with stderr)
   * when PHP exits non-zero, e.g. on a fatal error or `exit(1)`.
   */
  wpEval(php: string): Promise<string>
  /** Appends PHP (e.g. a define) to this instance's wp-config and waits until the web server runs it too. */
  appendConfig(php: string): Promise<void>
  /** Stops every process of this instance (by pid), removes its config and temp dir. Idempotent. */
  stop(): Promise<void>
}

/** `Authorization` header value for Basic auth. */
export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
}

/** Starts a fresh WordPress with the fixtures of README.md; on any failure everything started is stopped again. */
export async function startWordPress(opts: { port?: number } = {}): Promise<WordPress> {
  const t0 = Date.now()
  await ensurePackages()
  installExitHook()

  const inst = new Instance()
  live.add(inst)
  const adminPassword = randomToken(20)
  try {
    mkdirs(inst.dir)
    writeFileSync(join(inst.dir, 'mu-plugins', 'igny8-fixture-types.php'), MU_TYPES)
    writeFileSync(join(inst.dir, 'mu-plugins', 'igny8-loopback-guard.php'), MU_GUARD)
    writeFileSync(join(inst.dir, 'router.php'), routerPhp({ dir: inst.dir, token: inst.token }))

    const dbReady = startMariaDB(inst)
    dbReady.catch(() => {})

    // port: given, or a free one (retry if php -S loses a race for it)
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort())
      if (opts.port && !(await portIsFree(port))) throw new Error(`port ${port} on 127.0.0.1 is already in use`)
      inst.port = port
      inst.url = `http://127.0.0.1:${port}`
      inst.configFile = `${ETC}/config-127.0.0.1-port-${port}.php`
      writeFileSync(join(inst.dir, 'mu-plugins', 'igny8-instance.php'), muInstance({ dir: inst.dir, url: inst.url }))
      writeFileSync(join(inst.dir, 'boot.php'), bootPhp({ port }))
      writeEtcConfigs(inst)
      try {
        await startPhpServer(inst)
        break
      } catch (e) {
        if (inst.phpPid) await terminate([...processTree(inst.phpPid)], 2000)
        inst.phpPid = 0
        removeInstanceConfig(inst.configFile, inst.dir)
        if (opts.port || attempt >= 3) throw e
      }
    }
    await dbReady
    inst.watchdogPid = startWatchdog(inst)
    if (DEBUG) log(`servers up after ${Date.now() - t0} ms (${inst.url}, ${inst.dir})`)

    const php = inst.php.bind(inst)
    await installWordPress(php, adminPassword)
    const fx = await createFixtures(php)
    if (DEBUG) log(`installed + fixtures after ${Date.now() - t0} ms`)

    await waitForRest(inst.url, basicAuth(ADMIN_USER, fx.appPassword))
    if (DEBUG) log(`ready after ${Date.now() - t0} ms`)

    return {
      url: inst.url,
      adminUser: ADMIN_USER,
      adminPassword,
      appPassword: fx.appPassword,
      fixtures: fx.fixtures,
      wpEval: (php: string) => {
        if (inst.stopped) return Promise.reject(new Error('wpEval: this WordPress was stopped'))
        return inst.php(php)
      },
      appendConfig: (php: string) => appendConfig({ configFile: inst.configFile, url: inst.url, rev: ++inst.configRev }, php),
      stop: () => inst.stop(),
    }
  } catch (e) {
    const logs = inst.logs()
    await inst.stop()
    const err = new Error(`startWordPress failed: ${(e as Error).message}\n${logs}`)
    ;(err as Error & { cause?: unknown }).cause = e
    throw err
  }
}

function mkdirs(dir: string) {
  chmodSync(dir, 0o755)
  for (const sub of ['mu-plugins', 'uploads']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 })
}
