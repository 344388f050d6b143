<?php
/**
 * Real-time changes, the queue side: editor and term hooks put "post 12 changed" / "term 5 deleted" in a
 * bounded queue (an option, autoload off; repeated edits of one object collapse into one entry) and
 * schedule one single cron event, started right after the request ends. Nothing is sent while the
 * editor waits; Igny8_Queue_Sender sends.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Queue {

	const HOOK = 'igny8_process_queue';
	const MAX  = 500; // entries; past that a full content sync is scheduled instead

	/** @var bool */
	private static $kick_registered = false;

	/** save_post: published items are upserted; anything else (draft, private, trash) leaves IGNY8. */
	public static function on_save_post( $post_id, $post = null ) {
		if ( ! $post instanceof WP_Post || wp_is_post_revision( $post_id ) || wp_is_post_autosave( $post_id ) || 'auto-draft' === $post->post_status ) {
			return;
		}
		if ( ! Igny8_Settings::is_connected() || ! Igny8_Structure::post_type_enabled( $post->post_type ) ) {
			return;
		}
		self::add( 'post:' . (int) $post_id, array( 'kind' => 'post', 'id' => (int) $post_id ) );
	}

	/** deleted_post and trashed_post: the item leaves IGNY8. */
	public static function on_post_gone( $post_id, $post = null ) {
		if ( ! Igny8_Settings::is_connected() ) {
			return;
		}
		$type = $post instanceof WP_Post ? $post->post_type : get_post_type( $post_id );
		if ( ! $type || 'revision' === $type || ! isset( Igny8_Structure::post_types()[ $type ] ) ) {
			return;
		}
		self::add(
			'post:' . (int) $post_id,
			array(
				'kind'   => 'post',
				'id'     => (int) $post_id,
				'delete' => true,
			)
		);
	}

	/** created_term and edited_term. */
	public static function on_term_saved( $term_id, $tt_id = 0, $taxonomy = '' ) {
		if ( ! Igny8_Settings::is_connected() || ! Igny8_Structure::taxonomy_enabled( (string) $taxonomy ) ) {
			return;
		}
		self::add(
			'term:' . $taxonomy . ':' . (int) $term_id,
			array(
				'kind'     => 'term',
				'id'       => (int) $term_id,
				'taxonomy' => (string) $taxonomy,
			)
		);
	}

	/** delete_term. */
	public static function on_term_deleted( $term_id, $tt_id = 0, $taxonomy = '' ) {
		if ( ! Igny8_Settings::is_connected() || ! isset( Igny8_Structure::taxonomies()[ (string) $taxonomy ] ) ) {
			return;
		}
		self::add(
			'term:' . $taxonomy . ':' . (int) $term_id,
			array(
				'kind'     => 'term',
				'id'       => (int) $term_id,
				'taxonomy' => (string) $taxonomy,
				'delete'   => true,
			)
		);
	}

	/** Queues one change (the latest one for a key wins) and asks for a send right after this request. */
	public static function add( $key, array $entry ) {
		$q = self::load();
		if ( ! isset( $q['items'][ $key ] ) && count( $q['items'] ) >= self::MAX ) {
			update_option( 'igny8_queue_overflow', 1, false );
		} else {
			unset( $q['items'][ $key ] ); // re-insert at the end: the order of changes is kept
			$entry['seq']        = ++$q['seq'];
			$q['items'][ $key ] = $entry;
			update_option( 'igny8_queue', $q, false );
		}
		self::schedule( 0 );
	}

	/** The queue: ['items' => [key => entry], 'seq' => int, 'attempts' => int, 'next_at' => int]. */
	public static function load() {
		$q = get_option( 'igny8_queue' );
		$q = is_array( $q ) ? $q : array();
		return array_merge(
			array(
				'items'    => array(),
				'seq'      => 0,
				'attempts' => 0,
				'next_at'  => 0,
			),
			$q
		);
	}

	/** Schedules the send unless one is already scheduled (a back-off wait is respected). */
	public static function schedule( $delay ) {
		$q    = self::load();
		$when = max( time() + (int) $delay, (int) $q['next_at'] );
		if ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_single_event( $when, self::HOOK );
		}
		if ( ! self::$kick_registered ) {
			self::$kick_registered = true;
			add_action( 'shutdown', array( __CLASS__, 'kick' ) );
		}
	}

	/**
	 * At the end of the request that queued a change, starts WP-Cron the way WordPress itself does on
	 * every page load (a non-blocking loopback request), so the change leaves within seconds.
	 */
	public static function kick() {
		if ( ( defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON ) || wp_doing_cron() ) {
			return;
		}
		spawn_cron();
	}
}
