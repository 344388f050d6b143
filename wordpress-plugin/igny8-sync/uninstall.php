<?php
/**
 * Uninstall: removes every igny8_ option, the queue, transients and scheduled events.
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

foreach ( array( 'igny8_sync_site_structure', 'igny8_process_queue', 'igny8_continue_content_sync', 'igny8_pushback_poll' ) as $igny8_hook ) {
	wp_unschedule_hook( $igny8_hook ); // every event of the hook, whatever its arguments
}

global $wpdb;
// Every option and transient of this plugin starts with igny8_ (settings, secrets, queue, cursor, notices).
$igny8_names = $wpdb->get_col(
	$wpdb->prepare(
		"SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
		$wpdb->esc_like( 'igny8_' ) . '%',
		$wpdb->esc_like( '_transient_igny8_' ) . '%',
		$wpdb->esc_like( '_transient_timeout_igny8_' ) . '%'
	)
);
foreach ( $igny8_names as $igny8_name ) {
	delete_option( $igny8_name );
}
