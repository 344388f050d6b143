<?php
/**
 * Every hook the plugin registers, in one place: the daily job, the queue, the editor and term hooks,
 * and the admin screens. Activation schedules the daily job; deactivation clears every event.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Plugin {

	const DAILY_HOOK = 'igny8_sync_site_structure';

	public static function boot() {
		add_action( 'init', array( __CLASS__, 'load_textdomain' ) );
		add_action( self::DAILY_HOOK, array( __CLASS__, 'run_daily' ) );
		add_action( Igny8_Content_Sync::CONTINUE_HOOK, array( __CLASS__, 'continue_content_sync' ) );
		add_action( Igny8_Queue::HOOK, array( 'Igny8_Queue_Sender', 'process' ) );

		// Push-back: the 5-minute poll (and single polls after a sync or a nudge), the nudge route.
		add_filter( 'cron_schedules', array( 'Igny8_Pushback', 'cron_schedules' ) );
		add_action( 'init', array( 'Igny8_Pushback', 'ensure_schedule' ) );
		add_action( Igny8_Pushback::HOOK, array( 'Igny8_Pushback', 'poll' ), 10, 1 );
		add_action( 'rest_api_init', array( 'Igny8_Nudge', 'register_routes' ) );
		if ( wp_doing_cron() ) {
			add_action( 'shutdown', array( 'Igny8_Pushback', 'on_cron_shutdown' ) );
		}

		add_action( 'save_post', array( 'Igny8_Queue', 'on_save_post' ), 20, 2 );
		add_action( 'deleted_post', array( 'Igny8_Queue', 'on_post_gone' ), 10, 2 );
		add_action( 'trashed_post', array( 'Igny8_Queue', 'on_post_gone' ), 10, 1 );
		add_action( 'created_term', array( 'Igny8_Queue', 'on_term_saved' ), 10, 3 );
		add_action( 'edited_term', array( 'Igny8_Queue', 'on_term_saved' ), 10, 3 );
		add_action( 'delete_term', array( 'Igny8_Queue', 'on_term_deleted' ), 10, 3 );
		// Terms assigned through the REST API (block editor) arrive after save_post: queue the post again.
		add_action( 'set_object_terms', array( __CLASS__, 'on_object_terms' ), 10, 1 );

		if ( is_admin() ) {
			require_once IGNY8_SYNC_DIR . '/admin/class-igny8-diagnose.php';
			require_once IGNY8_SYNC_DIR . '/admin/class-igny8-admin.php';
			Igny8_Admin::register();
		}
	}

	public static function load_textdomain() {
		load_plugin_textdomain( 'igny8-sync', false, dirname( plugin_basename( IGNY8_SYNC_FILE ) ) . '/languages' );
	}

	public static function activate() {
		self::schedule_daily( time() + HOUR_IN_SECONDS );
	}

	public static function deactivate() {
		foreach ( array( self::DAILY_HOOK, Igny8_Queue::HOOK, Igny8_Content_Sync::CONTINUE_HOOK ) as $hook ) {
			wp_clear_scheduled_hook( $hook );
		}
		Igny8_Pushback::unschedule();
		delete_transient( 'igny8_queue_lock' );
	}

	/** (Re)schedules the daily job so its next run is at $first. */
	public static function schedule_daily( $first ) {
		wp_clear_scheduled_hook( self::DAILY_HOOK );
		wp_schedule_event( (int) $first, 'daily', self::DAILY_HOOK );
	}

	/** The daily job: structure, then content (seed: `igny8_sync_site_structure`). */
	public static function run_daily() {
		if ( ! Igny8_Settings::is_connected() ) {
			return;
		}
		Igny8_Log::info( 'Daily sync started' );
		$pushed = igny8_sync_site_structure_to_backend();
		if ( $pushed ) {
			$cursor = get_option( 'igny8_content_cursor' );
			if ( is_array( $cursor ) && ( $cursor['started'] ?? 0 ) < time() - 20 * HOUR_IN_SECONDS ) {
				delete_option( 'igny8_content_cursor' ); // a pass left over from an earlier day starts again
			}
			Igny8_Content_Sync::run();
		}
	}

	public static function continue_content_sync() {
		if ( Igny8_Settings::is_connected() ) {
			Igny8_Content_Sync::run();
		}
	}

	public static function on_object_terms( $object_id ) {
		$post = get_post( (int) $object_id );
		if ( $post instanceof WP_Post ) {
			Igny8_Queue::on_save_post( $post->ID, $post );
		}
	}
}
