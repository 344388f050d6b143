<?php
/**
 * Content in batches: terms of the enabled taxonomies, then published posts of the enabled post types,
 * each up to its fetch_limit, through sync-terms and sync-content. Resumable: the cursor (which step,
 * which offset) is saved in an option after every accepted batch, so a run cut short continues there.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Content_Sync {

	const BATCH       = 100;
	const MAX_BYTES   = 4000000; // well under the API's body limit, even with long post bodies
	const TIME_BUDGET = 20;      // seconds per run; the rest continues in a follow-up event
	const CONTINUE_HOOK = 'igny8_continue_content_sync';

	/**
	 * Runs (or resumes) a full content sync.
	 *
	 * @return true|string|WP_Error true when done, 'partial' when a follow-up event will continue.
	 */
	public static function run( ?Igny8_API $api = null ) {
		$api = $api ? $api : new Igny8_API();
		if ( ! Igny8_Settings::is_connected() || Igny8_Settings::integration_id() <= 0 ) {
			return new WP_Error( 'igny8_not_connected', __( 'This site is not connected to IGNY8.', 'igny8-sync' ) );
		}
		$cursor = get_option( 'igny8_content_cursor' );
		if ( ! is_array( $cursor ) || empty( $cursor['steps'] ) ) {
			$cursor = array(
				'steps'   => self::plan( self::remote_types( $api ) ),
				'step'    => 0,
				'offset'  => 0,
				'totals'  => array(),
				'started' => time(),
			);
		}
		$deadline = microtime( true ) + self::TIME_BUDGET;
		while ( $cursor['step'] < count( $cursor['steps'] ) ) {
			if ( microtime( true ) > $deadline ) {
				update_option( 'igny8_content_cursor', $cursor, false );
				wp_schedule_single_event( time() + 5, self::CONTINUE_HOOK );
				Igny8_Log::info( 'Content sync paused at step ' . $cursor['step'] . ', offset ' . $cursor['offset'] );
				return 'partial';
			}
			list( $kind, $slug, $limit ) = $cursor['steps'][ $cursor['step'] ];
			$size                        = min( self::BATCH, $limit - $cursor['offset'] );
			$sent                        = $size > 0 ? self::send_batch( $api, $kind, $slug, $cursor['offset'], $size ) : 0;
			if ( is_wp_error( $sent ) ) {
				update_option( 'igny8_content_cursor', $cursor, false );
				Igny8_Settings::set_error( $sent->get_error_message() );
				Igny8_Log::info( 'Content sync stopped at ' . $kind . ' ' . $slug . ' offset ' . $cursor['offset'] . ': ' . $sent->get_error_message() );
				return $sent;
			}
			list( $count, $result ) = $sent ? $sent : array( 0, array() );
			foreach ( array( 'created', 'updated', 'unchanged', 'deleted' ) as $k ) {
				$cursor['totals'][ $k ] = ( $cursor['totals'][ $k ] ?? 0 ) + (int) ( $result[ $k ] ?? 0 );
			}
			$cursor['totals']['skipped'] = ( $cursor['totals']['skipped'] ?? 0 ) + ( isset( $result['skipped'] ) && is_array( $result['skipped'] ) ? count( $result['skipped'] ) : 0 );
			$cursor['offset']           += $count;
			if ( $count < $size || $cursor['offset'] >= $limit ) {
				$cursor['step']++;
				$cursor['offset'] = 0;
			}
			update_option( 'igny8_content_cursor', $cursor, false );
		}
		delete_option( 'igny8_content_cursor' );
		update_option( 'igny8_last_content_sync', time() );
		update_option( 'igny8_last_content_result', $cursor['totals'], false );
		Igny8_Log::info( 'Content sync done: ' . wp_json_encode( $cursor['totals'] ) );
		Igny8_Pushback::schedule_poll(); // changes made in IGNY8 come back after each sync
		return true;
	}

	/**
	 * Steps of a full sync: every enabled taxonomy, then every enabled post type, with its limit. A type
	 * an IGNY8 admin disabled (or limited lower) there is left out (or cut) here too: the API would
	 * only skip those items.
	 *
	 * @param array $remote content-types `data` from IGNY8 (effective settings), or [] when unknown.
	 */
	public static function plan( array $remote = array() ) {
		$steps = array();
		$lists = array(
			'taxonomies' => array( 'terms', Igny8_Structure::taxonomies() ),
			'post_types' => array( 'posts', Igny8_Structure::post_types() ),
		);
		foreach ( $lists as $group => $list ) {
			foreach ( array_keys( $list[1] ) as $slug ) {
				$s     = Igny8_Settings::type_setting( $group, $slug );
				$there = isset( $remote[ $group ][ $slug ] ) && is_array( $remote[ $group ][ $slug ] ) ? $remote[ $group ][ $slug ] : array();
				if ( isset( $there['enabled'] ) && false === $there['enabled'] ) {
					continue;
				}
				$limit = isset( $there['fetch_limit'] ) && is_int( $there['fetch_limit'] ) ? min( $s['fetch_limit'], $there['fetch_limit'] ) : $s['fetch_limit'];
				if ( $s['enabled'] && $limit > 0 ) {
					$steps[] = array( $list[0], $slug, $limit );
				}
			}
		}
		return $steps;
	}

	/** IGNY8's effective per-type settings (admin overrides included); [] when they cannot be read. */
	private static function remote_types( Igny8_API $api ) {
		$res = $api->get( 'integration/integrations/' . Igny8_Settings::integration_id() . '/content-types/' );
		return ( ! is_wp_error( $res ) && isset( $res['data'] ) && is_array( $res['data'] ) ) ? $res['data'] : array();
	}

	/**
	 * Reads one batch from WordPress and sends it.
	 *
	 * @return array{0:int,1:array}|int|WP_Error [items read, API result], 0 when nothing was left.
	 */
	private static function send_batch( Igny8_API $api, $kind, $slug, $offset, $size ) {
		if ( 'terms' === $kind ) {
			$terms = get_terms(
				array(
					'taxonomy'   => $slug,
					'hide_empty' => false,
					'number'     => $size,
					'offset'     => $offset,
					'orderby'    => 'term_id',
					'order'      => 'ASC',
				)
			);
			if ( is_wp_error( $terms ) || ! $terms ) {
				return 0;
			}
			$res = self::send_terms( $api, array_map( array( 'Igny8_Payload', 'term' ), $terms ), array() );
			return is_wp_error( $res ) ? $res : array( count( $terms ), $res );
		}
		$posts = get_posts(
			array(
				'post_type'        => $slug,
				'post_status'      => 'publish',
				'numberposts'      => $size,
				'offset'           => $offset,
				'orderby'          => array(
					'date' => 'DESC',
					'ID'   => 'DESC',
				),
				'suppress_filters' => true,
			)
		);
		if ( ! $posts ) {
			return 0;
		}
		$result = array();
		foreach ( self::chunks_by_size( array_map( array( 'Igny8_Payload', 'item' ), $posts ) ) as $chunk ) {
			$res = self::send_items( $api, $chunk, array() );
			if ( is_wp_error( $res ) ) {
				return $res;
			}
			foreach ( $res as $k => $v ) {
				$result[ $k ] = is_array( $v ) ? array_merge( $result[ $k ] ?? array(), $v ) : ( $result[ $k ] ?? 0 ) + (int) $v;
			}
		}
		return array( count( $posts ), $result );
	}

	/** POST sync-terms; answers the API's `data`. @return array|WP_Error */
	public static function send_terms( Igny8_API $api, array $terms, array $deleted ) {
		$body = array( 'terms' => array_values( $terms ) );
		if ( $deleted ) {
			$body['deleted'] = array_values( $deleted );
		}
		$res = $api->post( 'integration/integrations/' . Igny8_Settings::integration_id() . '/sync-terms/', $body );
		return is_wp_error( $res ) ? $res : ( isset( $res['data'] ) && is_array( $res['data'] ) ? $res['data'] : array() );
	}

	/** POST sync-content; answers the API's `data`. @return array|WP_Error */
	public static function send_items( Igny8_API $api, array $items, array $deleted ) {
		$body = array( 'items' => array_values( $items ) );
		if ( $deleted ) {
			$body['deleted'] = array_values( array_map( 'intval', $deleted ) );
		}
		$res = $api->post( 'integration/integrations/' . Igny8_Settings::integration_id() . '/sync-content/', $body );
		return is_wp_error( $res ) ? $res : ( isset( $res['data'] ) && is_array( $res['data'] ) ? $res['data'] : array() );
	}

	/** Splits items so no request body grows past MAX_BYTES (long post bodies). */
	private static function chunks_by_size( array $items ) {
		$chunks = array();
		$chunk  = array();
		$bytes  = 0;
		foreach ( $items as $item ) {
			$len = strlen( (string) wp_json_encode( $item ) );
			if ( $chunk && $bytes + $len > self::MAX_BYTES ) {
				$chunks[] = $chunk;
				$chunk    = array();
				$bytes    = 0;
			}
			$chunk[] = $item;
			$bytes  += $len;
		}
		if ( $chunk ) {
			$chunks[] = $chunk;
		}
		return $chunks;
	}
}
