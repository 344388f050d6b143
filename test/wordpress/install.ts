// wp_install: creates the site and the admin user (no sample-content clean-up; fixtures.php.ts does that).
import { ADMIN_USER } from './constants'
import type { RunPhp } from './php-cli'

const INSTALL_PHP = `<?php
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
/* no loopback permalink probe: permalinks are set by the fixtures script */
add_filter('pre_http_request', function () { return new WP_Error('igny8_install', 'no HTTP during install'); }, 1);
$r = wp_install('IGNY8 Test Site', getenv('IGNY8_WP_ADMIN_USER'), 'admin@example.test', false, '', wp_slash(getenv('IGNY8_WP_ADMIN_PASSWORD')));
echo json_encode(['user_id' => (int) $r['user_id']]);
`

/** Installs WordPress with `admin` / `adminPassword`; throws unless the admin user was created. */
export async function installWordPress(php: RunPhp, adminPassword: string) {
  const installOut = await php(INSTALL_PHP, {
    env: { IGNY8_WP_INSTALLING: '1', IGNY8_WP_ADMIN_USER: ADMIN_USER, IGNY8_WP_ADMIN_PASSWORD: adminPassword },
  })
  if (!/"user_id":\s*[1-9]/.test(installOut)) throw new Error(`wp_install did not create the admin user: ${installOut.slice(-500)}`)
}
