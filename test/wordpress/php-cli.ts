// php-cli inside WordPress: the boot.php bootstrap and the runner behind wpEval, install and fixtures.
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ADMIN_USER, DOCROOT, MARKER } from './constants'
import { run } from './processes'
import { phpString } from './util'

/** Runs PHP inside WordPress and returns its stdout; throws when PHP exits non-zero. */
export type RunPhp = (code: string, opts?: { env?: Record<string, string>; timeoutMs?: number }) => Promise<string>

/** Bootstraps WordPress for php-cli, then requires the file given as argv[1] at global scope. */
export function bootPhp(o: { port: number }): string {
  return `<?php
/* ${MARKER}: php-cli bootstrap (wpEval, install, fixtures) */
$_SERVER['HTTP_HOST'] = '127.0.0.1:${o.port}';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '${o.port}';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
define('DISABLE_WP_CRON', true);
if (getenv('IGNY8_WP_INSTALLING') === '1') {
    define('WP_INSTALLING', true);
}
require_once ${phpString(DOCROOT + '/wp-load.php')};
if (!defined('WP_INSTALLING') || !WP_INSTALLING) {
    $__igny8_admin = get_user_by('login', ${phpString(ADMIN_USER)});
    if ($__igny8_admin) {
        wp_set_current_user($__igny8_admin->ID);
    }
    unset($__igny8_admin);
}
require $argv[1];
`
}

/**
 * Runs `code` (with or without a leading `<?php`) through `dir`/boot.php as eval-`seq`.php,
 * current user = admin unless installing. Throws with the tails of stderr and stdout on failure.
 */
export async function runPhp(
  dir: string,
  seq: number,
  code: string,
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  let src = code.trimStart()
  if (!src.startsWith('<?php')) src = '<?php\n' + code
  const file = join(dir, `eval-${seq}.php`)
  writeFileSync(file, src)
  try {
    const r = await run(
      ['php', '-d', 'display_errors=stderr', '-d', 'log_errors=0', '-d', 'memory_limit=512M', join(dir, 'boot.php'), file],
      { env: opts.env, cwd: DOCROOT, timeoutMs: opts.timeoutMs ?? 120_000 },
    )
    if (r.code !== 0 || r.timedOut) {
      throw new Error(
        `wpEval: php exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\n--- stderr\n${r.stderr.trim().split('\n').slice(-30).join('\n')}\n--- stdout\n${r.stdout.trim().split('\n').slice(-30).join('\n')}`,
      )
    }
    return r.stdout
  } finally {
    rmSync(file, { force: true })
  }
}
