<?php
/**
 * Push-back (contract "Push-back: IGNY8 → WordPress", plugin delivery): leases the changes waiting in
 * IGNY8 (`changes/pending/`), applies each one when the post is still the version the editor saw, and
 * answers its result. Runs only from WP-Cron: every 5 minutes, after each content sync, and when nudged.
 * An applied change is remembered (bounded), so one leased again after a lost answer is never applied twice.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Pushback {

	const HOOK            = 'igny8_pushback_poll';
	const SCHEDULE        = 'igny8_five_minutes';
	const APPLIED_OPTION  = 'igny8_pushback_applied';
	const WANTED_OPTION   = 'igny8_pushback_wanted';
	const STATUS_OPTION   = 'igny8_pushback_status';
	const REMEMBER        = 500;  // applied change ids kept
	const LOCK_TTL        = 300;  // as long as IGNY8's lease
	const TIME_BUDGET     = 20;   // seconds one run keeps taking pending lists; the rest goes to the next run
	const REGISTER_WAIT   = 3600; // seconds between attempts to register the nudge endpoint
	const STATUSES        = array( 'publish', 'draft', 'pending', 'private' );

	/** @var bool */
	private static $kick_registered = false;

	/** cron_schedules. */
	public static function cron_schedules( $schedules ) {
		$schedules[ self::SCHEDULE ] = array(
			'interval' => 5 * MINUTE_IN_SECONDS,
			'display'  => __( 'Every 5 minutes (IGNY8 push-back)', 'igny8-sync' ),
		);
		return $schedules;
	}

	/** init: a connected site always has its 5-minute poll (also after an update of the plugin). */
	public static function ensure_schedule() {
		if ( Igny8_Settings::is_connected() && ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time() + 5 * MINUTE_IN_SECONDS, self::SCHEDULE, self::HOOK );
		}
	}

	/** Removes every poll event, recurring and single. */
	public static function unschedule() {
		wp_unschedule_hook( self::HOOK );
		delete_option( self::WANTED_OPTION );
		delete_transient( 'igny8_pushback_lock' );
	}

	/**
	 * A poll as soon as possible, in WP-Cron. The single event carries an argument so it is not taken for
	 * a duplicate of the recurring one; one already waiting is enough.
	 *
	 * WP-Cron alone can lose it: a cron run already under way neither sees the new event nor lets a new run
	 * start (its lock), and when it saves the cron array it may write over the event. So the wish is also
	 * kept in its own option, which every cron run checks when it ends (on_cron_shutdown).
	 *
	 * @param bool $spawn start WP-Cron now (a nudge) rather than at the end of this request.
	 */
	public static function schedule_poll( $spawn = false ) {
		update_option( self::WANTED_OPTION, time(), false );
		if ( ! wp_next_scheduled( self::HOOK, array( 'now' ) ) ) {
			wp_schedule_single_event( time(), self::HOOK, array( 'now' ) );
		}
		if ( $spawn ) {
			self::kick();
		} elseif ( ! self::$kick_registered ) {
			self::$kick_registered = true;
			add_action( 'shutdown', array( __CLASS__, 'kick' ) );
		}
	}

	/** shutdown of a WP-Cron request: a poll asked for while this run was under way happens now. */
	public static function on_cron_shutdown() {
		if ( self::take_wish() ) {
			self::poll( 'now' );
		}
	}

	/**
	 * Whether a poll was asked for, clearing the wish. Read from the table itself: another request may have
	 * written it after this one cached its options.
	 */
	private static function take_wish() {
		global $wpdb;
		$wanted = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", self::WANTED_OPTION ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- must bypass the option cache
		if ( null === $wanted ) {
			return false;
		}
		delete_option( self::WANTED_OPTION );
		return true;
	}

	/** Starts WP-Cron with a non-blocking loopback request, as WordPress does on page loads. */
	public static function kick() {
		if ( ( defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON ) || wp_doing_cron() ) {
			return;
		}
		// This request loaded the autoloaded options when it began. A cron run that has ended since (its shutdown
		// too early to see our wish) would still seem to hold WP-Cron's lock there, and spawn_cron() would refuse:
		// the nudge lost until some later page load. Read the lock and the events afresh.
		if ( ! wp_using_ext_object_cache() ) {
			wp_cache_delete( 'alloptions', 'options' );
		}
		spawn_cron();
	}

	/**
	 * Registers this site's nudge URL with IGNY8 and keeps the secret it answers (autoload off, never
	 * logged). Failure is not fatal: the 5-minute poll delivers without nudges, and it tries again.
	 *
	 * @return true|WP_Error
	 */
	public static function register_endpoint( ?Igny8_API $api = null ) {
		$api         = $api ? $api : new Igny8_API();
		$integration = Igny8_Settings::integration_id();
		if ( ! Igny8_Settings::is_connected() || $integration <= 0 ) {
			return new WP_Error( 'igny8_not_connected', __( 'This site is not connected to IGNY8.', 'igny8-sync' ) );
		}
		$url = Igny8_Nudge::url();
		$res = $api->request( 'PUT', 'integration/integrations/' . $integration . '/plugin-endpoint/', array( 'url' => $url ) );
		if ( ! is_wp_error( $res ) && ( empty( $res['data']['secret'] ) || ! is_string( $res['data']['secret'] ) ) ) {
			$res = new WP_Error( 'igny8_bad_answer', __( 'IGNY8 registered the nudge endpoint but sent no secret.', 'igny8-sync' ) );
		}
		if ( is_wp_error( $res ) ) {
			set_transient( 'igny8_nudge_register_wait', 1, self::REGISTER_WAIT );
			Igny8_Log::info( 'Nudge endpoint not registered: ' . $res->get_error_message() );
			return $res;
		}
		Igny8_Settings::set_secret( Igny8_Nudge::SECRET_OPTION, $res['data']['secret'] );
		update_option( 'igny8_nudge_url', $url, false );
		delete_transient( 'igny8_nudge_register_wait' );
		Igny8_Log::info( 'Nudge endpoint registered: ' . $url );
		return true;
	}

	/**
	 * The cron event: leases and delivers what is waiting. Rounds continue while IGNY8 hands out full
	 * lists, or while a nudge arrived during this run (WP-Cron would not start again while it runs).
	 */
	public static function poll( $reason = '' ) {
		if ( ! Igny8_Settings::is_connected() || Igny8_Settings::integration_id() <= 0 ) {
			return;
		}
		if ( get_transient( 'igny8_pushback_lock' ) ) {
			// Another run is delivering; the wish stays for its next round (or the next cron run).
			update_option( self::WANTED_OPTION, time(), false );
			return;
		}
		set_transient( 'igny8_pushback_lock', 1, self::LOCK_TTL );
		self::take_wish(); // this run is the poll that was asked for
		$api     = new Igny8_API();
		$applied = 0;
		$error   = '';
		$more    = false;
		try {
			if ( '' === (string) get_option( Igny8_Nudge::SECRET_OPTION, '' ) && ! get_transient( 'igny8_nudge_register_wait' ) ) {
				self::register_endpoint( $api );
			}
			$started = time();
			for ( ;; ) {
				$changes = self::fetch_pending( $api );
				if ( is_wp_error( $changes ) ) {
					$error = $changes->get_error_message();
					break;
				}
				foreach ( $changes as $change ) {
					$sent = self::deliver( $api, $change );
					if ( is_wp_error( $sent ) ) {
						$error = $sent->get_error_message();
						break 2; // IGNY8 unreachable: the leases expire and the changes come back
					}
					$applied += 'applied' === $sent ? 1 : 0;
				}
				// A nudge during this run: its changes are leased by going round once more.
				if ( count( $changes ) < 50 && ! self::take_wish() ) {
					break;
				}
				if ( time() - $started >= self::TIME_BUDGET ) {
					$more = true; // a full list and no time left: the next cron run goes on
					break;
				}
			}
		} finally {
			delete_transient( 'igny8_pushback_lock' );
		}
		if ( $more ) {
			self::schedule_poll( true );
		}
		update_option(
			self::STATUS_OPTION,
			array(
				'time'    => time(),
				'applied' => $applied,
				'error'   => Igny8_Log::scrub( $error ),
			),
			false
		);
		Igny8_Log::info( sprintf( 'Push-back poll (%s): %d applied%s', '' !== $reason ? $reason : 'schedule', $applied, '' !== $error ? '; ' . $error : '' ) );
		if ( $applied > 0 ) {
			// The save_post echo of what was applied goes out now, after its results: IGNY8 already holds
			// those items, so the echo is `unchanged`. The sender's own lock keeps it from going twice.
			Igny8_Queue_Sender::process();
		}
	}

	/** One line for the settings page: nudges on or off, and the last poll. */
	public static function status_text() {
		$nudges = '' !== (string) get_option( Igny8_Nudge::SECRET_OPTION, '' )
			? __( 'Nudges on.', 'igny8-sync' )
			: __( 'Nudges off (checked every 5 minutes).', 'igny8-sync' );
		$last   = get_option( self::STATUS_OPTION );
		if ( ! is_array( $last ) || empty( $last['time'] ) ) {
			return $nudges . ' ' . __( 'Not checked yet.', 'igny8-sync' );
		}
		/* translators: 1: date and time, 2: number of changes applied */
		$text = sprintf( __( 'Last checked %1$s: %2$d applied.', 'igny8-sync' ), Igny8_Admin::when( $last['time'] ), (int) $last['applied'] );
		if ( ! empty( $last['error'] ) ) {
			/* translators: %s: the reason */
			$text .= ' ' . sprintf( __( 'Stopped: %s', 'igny8-sync' ), (string) $last['error'] );
		}
		return $nudges . ' ' . $text;
	}

	/** The leased changes. @return array|WP_Error */
	private static function fetch_pending( Igny8_API $api ) {
		$res = $api->get( 'integration/integrations/' . Igny8_Settings::integration_id() . '/changes/pending/' );
		if ( is_wp_error( $res ) ) {
			return $res;
		}
		if ( isset( $res['results'] ) && is_array( $res['results'] ) ) {
			$list = $res['results'];
		} elseif ( isset( $res['data']['results'] ) && is_array( $res['data']['results'] ) ) {
			$list = $res['data']['results'];
		} elseif ( isset( $res['data'] ) && is_array( $res['data'] ) ) {
			$list = $res['data'];
		} else {
			$list = array();
		}
		return array_values(
			array_filter(
				$list,
				function ( $c ) {
					return is_array( $c ) && isset( $c['id'] ) && isset( $c['kind'] );
				}
			)
		);
	}

	/**
	 * Applies one change (or re-answers it when it was applied before) and sends its result.
	 *
	 * @return string|WP_Error the status answered, or the error that kept the answer from IGNY8.
	 */
	private static function deliver( Igny8_API $api, array $change ) {
		$cid    = (string) $change['id'];
		$print  = self::fingerprint( $change );
		$record = self::applied_record( $cid, $print );
		$result = $record ? self::answer_again( $record ) : self::apply( $change );
		if ( 'applied' === $result['status'] && ! $record ) {
			self::remember( $cid, $print, (int) $result['external_id'] );
		}
		$res = $api->post( 'integration/integrations/' . Igny8_Settings::integration_id() . '/changes/' . rawurlencode( $cid ) . '/result/', $result );
		if ( is_wp_error( $res ) ) {
			$status = (int) ( $res->get_error_data()['status'] ?? 0 );
			if ( 0 === $status || $status >= 500 || 429 === $status ) {
				return $res;
			}
			// 4xx: this change is no longer ours to answer (cancelled, lease taken back); the rest go on.
			Igny8_Log::info( 'Push-back result for change ' . $cid . ' refused: ' . $res->get_error_message() );
		}
		Igny8_Log::info( 'Push-back change ' . $cid . ': ' . $result['status'] . ( isset( $result['external_id'] ) ? ' (post ' . (int) $result['external_id'] . ')' : '' ) );
		return $result['status'];
	}

	/** Applies a change when the post is still at its base version. @return array the result body. */
	private static function apply( array $change ) {
		$fields = isset( $change['fields'] ) && is_array( $change['fields'] ) ? $change['fields'] : array();
		$type   = isset( $change['post_type'] ) ? (string) $change['post_type'] : '';
		if ( 'create' === $change['kind'] ) {
			if ( ! post_type_exists( $type ) ) {
				/* translators: %s: post type slug */
				return self::failed( new WP_Error( 'igny8_no_post_type', sprintf( __( 'WordPress has no post type %s.', 'igny8-sync' ), $type ) ), false );
			}
			$args = self::post_args( $fields );
			if ( ! isset( $args['post_status'] ) ) {
				$args['post_status'] = 'draft';
			}
			$args['post_type'] = $type;
			$id                = wp_insert_post( wp_slash( $args ), true );
			if ( is_wp_error( $id ) ) {
				return self::failed( $id, true );
			}
			return self::finish( (int) $id, $fields );
		}

		$id   = isset( $change['external_id'] ) ? (int) $change['external_id'] : 0;
		$post = $id > 0 ? get_post( $id ) : null;
		if ( ! $post instanceof WP_Post || 'trash' === $post->post_status || ( '' !== $type && $type !== $post->post_type ) ) {
			/* translators: %d: post id */
			return self::failed( new WP_Error( 'igny8_no_post', sprintf( __( 'Post %d no longer exists in WordPress.', 'igny8-sync' ), $id ) ), false );
		}
		if ( ! self::same_time( $post->post_modified_gmt, isset( $change['base_modified_at'] ) ? $change['base_modified_at'] : null ) ) {
			return array(
				'status' => 'conflict',
				'item'   => Igny8_Payload::item( $post ),
			);
		}
		$args = self::post_args( $fields );
		if ( $args ) {
			$args['ID'] = $id;
			$updated    = wp_update_post( wp_slash( $args ), true );
			if ( is_wp_error( $updated ) ) {
				return self::failed( $updated, true );
			}
		}
		return self::finish( $id, $fields );
	}

	/** Terms and SEO after the post itself, then the applied result. */
	private static function finish( $id, array $fields ) {
		$post = get_post( $id );
		if ( isset( $fields['terms'] ) && is_array( $fields['terms'] ) ) {
			foreach ( $fields['terms'] as $taxonomy => $ids ) {
				if ( ! is_array( $ids ) || ! is_object_in_taxonomy( $post->post_type, (string) $taxonomy ) ) {
					continue;
				}
				$set = wp_set_object_terms( $id, array_map( 'intval', $ids ), (string) $taxonomy );
				if ( is_wp_error( $set ) ) {
					// The post is written already: the item below tells IGNY8 which terms it really has.
					Igny8_Log::info( 'Push-back terms of post ' . (int) $id . ' not set: ' . $set->get_error_message() );
				}
			}
		}
		if ( isset( $fields['seo'] ) && is_array( $fields['seo'] ) ) {
			$keys = self::seo_keys();
			foreach ( array( 'title', 'description' ) as $k ) {
				if ( ! array_key_exists( $k, $fields['seo'] ) ) {
					continue;
				}
				$value = sanitize_text_field( (string) $fields['seo'][ $k ] );
				if ( '' === $value ) {
					delete_post_meta( $id, $keys[ $k ] );
				} else {
					update_post_meta( $id, $keys[ $k ], wp_slash( $value ) );
				}
			}
		}
		clean_post_cache( $id );
		$post = get_post( $id );
		if ( 'publish' !== $post->post_status ) {
			self::drop_echo( $id );
		}
		return array(
			'status'      => 'applied',
			'external_id' => (int) $id,
			'item'        => Igny8_Payload::item( $post ),
		);
	}

	/** The wp_insert_post / wp_update_post arguments for the fields a change carries. */
	private static function post_args( array $fields ) {
		$map  = array(
			'title'   => 'post_title',
			'slug'    => 'post_name',
			'content' => 'post_content',
			'excerpt' => 'post_excerpt',
		);
		$args = array();
		foreach ( $map as $field => $column ) {
			if ( array_key_exists( $field, $fields ) ) {
				$args[ $column ] = null === $fields[ $field ] ? '' : (string) $fields[ $field ];
			}
		}
		if ( isset( $fields['status'] ) && in_array( $fields['status'], self::STATUSES, true ) ) {
			$args['post_status'] = $fields['status'];
		}
		return $args;
	}

	/** Post meta keys for SEO: those of the SEO plugin in use, else the plugin's own. */
	public static function seo_keys() {
		if ( defined( 'WPSEO_VERSION' ) ) {
			return array(
				'title'       => '_yoast_wpseo_title',
				'description' => '_yoast_wpseo_metadesc',
			);
		}
		if ( defined( 'RANK_MATH_VERSION' ) ) {
			return array(
				'title'       => 'rank_math_title',
				'description' => 'rank_math_description',
			);
		}
		return array(
			'title'       => '_igny8_seo_title',
			'description' => '_igny8_seo_description',
		);
	}

	/**
	 * A post that is not published is a delete to the real-time queue; its echo would remove from IGNY8
	 * the item the result just stored (a draft made in IGNY8, say), so the result stands alone.
	 */
	private static function drop_echo( $id ) {
		$q = Igny8_Queue::load();
		if ( isset( $q['items'][ 'post:' . (int) $id ] ) ) {
			unset( $q['items'][ 'post:' . (int) $id ] );
			update_option( 'igny8_queue', $q, false );
		}
	}

	/** The post's post_modified_gmt and the change's base are the same instant (formats may differ). */
	private static function same_time( $modified_gmt, $base ) {
		if ( ! is_string( $base ) || '' === $base ) {
			return false;
		}
		$ours   = strtotime( $modified_gmt . ' UTC' );
		$theirs = strtotime( $base );
		return false !== $ours && false !== $theirs && $ours === $theirs;
	}

	private static function failed( WP_Error $e, $retry ) {
		return array(
			'status' => 'failed',
			'error'  => Igny8_Log::scrub( $e->get_error_message() ),
			'retry'  => (bool) $retry,
		);
	}

	/** What makes a change the same change: a later edit merged into the same id is a new one to apply. */
	private static function fingerprint( array $change ) {
		return substr( hash( 'sha256', (string) wp_json_encode( array( $change['kind'], $change['external_id'] ?? null, $change['fields'] ?? null, $change['base_modified_at'] ?? null ) ) ), 0, 16 );
	}

	/** @return array{external_id:int}|null */
	private static function applied_record( $cid, $print ) {
		$all = get_option( self::APPLIED_OPTION, array() );
		return is_array( $all ) && isset( $all[ $cid ] ) && is_array( $all[ $cid ] ) && ( $all[ $cid ]['print'] ?? '' ) === $print ? $all[ $cid ] : null;
	}

	private static function remember( $cid, $print, $external_id ) {
		$all         = get_option( self::APPLIED_OPTION, array() );
		$all         = is_array( $all ) ? $all : array();
		$all[ $cid ] = array(
			'print'       => $print,
			'external_id' => $external_id,
			'at'          => time(),
		);
		if ( count( $all ) > self::REMEMBER ) {
			$all = array_slice( $all, -self::REMEMBER, null, true );
		}
		update_option( self::APPLIED_OPTION, $all, false );
	}

	/** The applied answer again, with the post as it is now. */
	private static function answer_again( array $record ) {
		$post = get_post( (int) $record['external_id'] );
		if ( ! $post instanceof WP_Post ) {
			/* translators: %d: post id */
			return self::failed( new WP_Error( 'igny8_no_post', sprintf( __( 'Post %d no longer exists in WordPress.', 'igny8-sync' ), (int) $record['external_id'] ) ), false );
		}
		return array(
			'status'      => 'applied',
			'external_id' => (int) $post->ID,
			'item'        => Igny8_Payload::item( $post ),
		);
	}
}
