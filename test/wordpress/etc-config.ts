// /etc/wordpress configs: Debian's wp-config.php loads config-127.0.0.1.php, our dispatcher, which
// requires config-127.0.0.1-port-PORT.php, so several instances can run at once.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { DISPATCHER, ETC, MARKER } from './constants'
import { phpString, randomToken, writeAtomic } from './util'

/** The shared config-127.0.0.1.php: picks the per-port config by the request's port. */
function dispatcherPhp(): string {
  return `<?php
/* ${MARKER}: dispatcher written by the IGNY8 test harness (test/wordpress/harness.ts).
 * Debian's wp-config.php loads config-<host>.php; for 127.0.0.1 this picks the
 * per-port file config-127.0.0.1-port-<PORT>.php of the test instance on that port. */
$igny8_harness_port = '';
if (isset($_SERVER['HTTP_HOST']) && preg_match('/:(\\d+)$/', $_SERVER['HTTP_HOST'], $igny8_harness_m)) {
    $igny8_harness_port = $igny8_harness_m[1];
} elseif (isset($_SERVER['SERVER_PORT'])) {
    $igny8_harness_port = preg_replace('/\\D/', '', (string) $_SERVER['SERVER_PORT']);
}
$igny8_harness_file = __DIR__ . '/config-127.0.0.1-port-' . $igny8_harness_port . '.php';
if ($igny8_harness_port === '' || !is_file($igny8_harness_file)) {
    header('HTTP/1.0 404 Not Found');
    echo 'No IGNY8 test WordPress is configured for 127.0.0.1:' . htmlspecialchars($igny8_harness_port);
    exit(1);
}
unset($igny8_harness_m, $igny8_harness_port);
require $igny8_harness_file;
`
}

/** One instance's config-127.0.0.1-port-PORT.php: database, URLs, mu-plugins dir, fresh salts. */
function instanceConfigPhp(o: { port: number; dir: string; socket: string; dbPassword: string; url: string }): string {
  const salts = [
    'AUTH_KEY',
    'SECURE_AUTH_KEY',
    'LOGGED_IN_KEY',
    'NONCE_KEY',
    'AUTH_SALT',
    'SECURE_AUTH_SALT',
    'LOGGED_IN_SALT',
    'NONCE_SALT',
  ]
    .map((k) => `define('${k}', '${randomToken(48)}');`)
    .join('\n')
  return `<?php
/* ${MARKER}: WordPress test instance on ${o.url}, temp dir ${o.dir}.
 * Written and removed by the IGNY8 test harness (test/wordpress/harness.ts). */
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', ${phpString(o.dbPassword)});
define('DB_HOST', ${phpString('localhost:' + o.socket)});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
define('WP_HOME', ${phpString(o.url)});
define('WP_SITEURL', ${phpString(o.url)});
define('WP_ENVIRONMENT_TYPE', 'local');      /* Application Passwords over plain http */
define('WPMU_PLUGIN_DIR', ${phpString(join(o.dir, 'mu-plugins'))});
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);
define('IGNY8_TEST_DIR', ${phpString(o.dir)});
${salts}
if (PHP_SAPI !== 'cli') {
    ini_set('display_errors', '0');
}
`
}

/**
 * Writes the dispatcher (unless it is already ours and current) and the instance's per-port config.
 * Refuses to overwrite a dispatcher this harness did not write.
 */
export function writeEtcConfigs(inst: { port: number; dir: string; socket: string; dbPassword: string; url: string; configFile: string }) {
  if (!existsSync(ETC)) throw new Error(`${ETC} does not exist: is the Debian package "wordpress" installed?`)
  const want = dispatcherPhp()
  let current: string | undefined
  try {
    current = readFileSync(DISPATCHER, 'utf8')
  } catch {}
  if (current !== undefined && !current.includes(MARKER)) {
    throw new Error(
      `${DISPATCHER} exists and was not written by this harness; refusing to overwrite it. Move it away to use the test harness.`,
    )
  }
  try {
    if (current !== want) writeAtomic(DISPATCHER, want)
    writeAtomic(
      inst.configFile,
      instanceConfigPhp({ port: inst.port, dir: inst.dir, socket: inst.socket, dbPassword: inst.dbPassword, url: inst.url }),
      0o640,
    )
  } catch (e) {
    throw new Error(`cannot write ${ETC}/config-127.0.0.1*.php (run the tests as root): ${(e as Error).message}`)
  }
}

/** Removes the per-port config, but only while it still belongs to this instance's temp dir. */
export function removeInstanceConfig(configFile: string, dir: string) {
  try {
    if (configFile && readFileSync(configFile, 'utf8').includes(dir)) rmSync(configFile, { force: true })
  } catch {}
}
