<?php
/**
 * Real-time changes, the sending side (the `igny8_process_queue` event): checks out up to PER_RUN queued
 * changes, sends terms then posts, and acknowledges what was accepted. A failed send stays queued and is
 * retried with back-off, honouring Retry-After; an entry changed again meanwhile is kept for the next run.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Queue_Sender {

	const PER_RUN  = 200; // entries sent per run
	const BACKOFF  = array( 30, 120, 600, 3600, 21600 );
	const LOCK_TTL = 120;

	/** The cron event: sends up to PER_RUN queued changes (terms first), keeps what failed. */
	public static function process() {
		if ( ! Igny8_Settings::is_connected() ) {
			return;
		}
		if ( get_transient( 'igny8_queue_lock' ) ) {
			wp_schedule_single_event( time() + 30, Igny8_Queue::HOOK );
			return;
		}
		set_transient( 'igny8_queue_lock', 1, self::LOCK_TTL );
		try {
			self::process_locked();
		} finally {
			delete_transient( 'igny8_queue_lock' );
		}
	}

	private static function process_locked() {
		$q = Igny8_Queue::load();
		if ( $q['next_at'] > time() ) {
			wp_schedule_single_event( (int) $q['next_at'], Igny8_Queue::HOOK );
			return;
		}
		if ( get_option( 'igny8_queue_overflow' ) ) {
			// More changes than the queue holds: a full content sync covers every upsert.
			delete_option( 'igny8_queue_overflow' );
			delete_option( 'igny8_content_cursor' );
			wp_schedule_single_event( time(), Igny8_Content_Sync::CONTINUE_HOOK );
		}
		$batch = array_slice( $q['items'], 0, self::PER_RUN, true );
		if ( ! $batch ) {
			return;
		}
		$api  = new Igny8_API();
		$done = array();
		$err  = null;

		$terms        = array();
		$term_deleted = array();
		$term_keys    = array();
		$items        = array();
		$item_deleted = array();
		$item_keys    = array();
		foreach ( $batch as $key => $e ) {
			if ( 'term' === $e['kind'] ) {
				$term_keys[ $key ] = $e['seq'];
				$t                 = empty( $e['delete'] ) ? get_term( (int) $e['id'], $e['taxonomy'] ) : null;
				if ( $t instanceof WP_Term ) {
					$terms[] = Igny8_Payload::term( $t );
				} else {
					$term_deleted[] = array(
						'taxonomy'    => $e['taxonomy'],
						'external_id' => (int) $e['id'],
					);
				}
				continue;
			}
			$item_keys[ $key ] = $e['seq'];
			$p                 = empty( $e['delete'] ) ? get_post( (int) $e['id'] ) : null;
			if ( $p instanceof WP_Post && 'publish' === $p->post_status ) {
				if ( Igny8_Structure::post_type_enabled( $p->post_type ) ) {
					$items[] = Igny8_Payload::item( $p );
				}
			} else {
				$item_deleted[] = (int) $e['id'];
			}
		}
		if ( $term_keys ) {
			$res = ( $terms || $term_deleted ) ? Igny8_Content_Sync::send_terms( $api, $terms, $term_deleted ) : array();
			if ( is_wp_error( $res ) ) {
				$err = $res;
			} else {
				$done += $term_keys;
			}
		}
		if ( $item_keys && ! $err ) {
			$res = ( $items || $item_deleted ) ? Igny8_Content_Sync::send_items( $api, $items, $item_deleted ) : array();
			if ( is_wp_error( $res ) ) {
				$err = $res;
			} else {
				$done += $item_keys;
			}
		}
		self::acknowledge( $done, $err );
	}

	/** Drops what was sent (unless it changed again meanwhile) and sets the back-off after a failure. */
	private static function acknowledge( array $done, $err ) {
		$q = Igny8_Queue::load(); // re-read: hooks may have queued more while we were sending
		foreach ( $done as $key => $seq ) {
			if ( isset( $q['items'][ $key ] ) && $q['items'][ $key ]['seq'] === $seq ) {
				unset( $q['items'][ $key ] );
			}
		}
		if ( $err instanceof WP_Error ) {
			$data          = $err->get_error_data();
			$wait          = self::BACKOFF[ min( $q['attempts'], count( self::BACKOFF ) - 1 ) ];
			$retry_after   = is_array( $data ) && ! empty( $data['retry_after'] ) ? (int) $data['retry_after'] : 0;
			$q['attempts']++;
			$q['next_at'] = time() + max( $wait, min( $retry_after, DAY_IN_SECONDS ) );
			Igny8_Settings::set_error( $err->get_error_message() );
			Igny8_Log::info( sprintf( 'Queue send failed (attempt %d), retrying in %d s: %s', $q['attempts'], $q['next_at'] - time(), $err->get_error_message() ) );
		} else {
			$q['attempts'] = 0;
			$q['next_at']  = 0;
			Igny8_Log::info( sprintf( 'Queue sent %d changes, %d left', count( $done ), count( $q['items'] ) ) );
		}
		update_option( 'igny8_queue', $q, false );
		if ( $q['items'] ) {
			wp_schedule_single_event( max( time(), (int) $q['next_at'] ), Igny8_Queue::HOOK );
		}
	}
}
