<?php
/**
 * Plugin Name:       IGNY8 Sync
 * Description:       Connects this site to an IGNY8 backend: pushes the site structure daily, syncs content in batches and sends changes as they happen.
 * Version:           0.1.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * Author:            IGNY8
 * License:           GPL-2.0-or-later
 * Text Domain:       igny8-sync
 *
 * This file only bootstraps: constants, class files, activation hooks; the hooks live in Igny8_Plugin.
 */

defined( 'ABSPATH' ) || exit;

define( 'IGNY8_SYNC_VERSION', '0.1.0' );
define( 'IGNY8_SYNC_FILE', __FILE__ );
define( 'IGNY8_SYNC_DIR', __DIR__ );

require_once __DIR__ . '/includes/class-igny8-log.php';
require_once __DIR__ . '/includes/class-igny8-settings.php';
require_once __DIR__ . '/includes/class-igny8-api.php';
require_once __DIR__ . '/includes/class-igny8-structure.php';
require_once __DIR__ . '/includes/class-igny8-payload.php';
require_once __DIR__ . '/includes/class-igny8-content-sync.php';
require_once __DIR__ . '/includes/class-igny8-queue.php';
require_once __DIR__ . '/includes/class-igny8-queue-sender.php';
require_once __DIR__ . '/includes/class-igny8-connection.php';
require_once __DIR__ . '/includes/class-igny8-nudge.php';
require_once __DIR__ . '/includes/class-igny8-pushback.php';
require_once __DIR__ . '/includes/functions.php';
require_once __DIR__ . '/includes/class-igny8-plugin.php';

register_activation_hook( __FILE__, array( 'Igny8_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Igny8_Plugin', 'deactivate' ) );

Igny8_Plugin::boot();
