<?php
/**
 * The nudge endpoint (`POST /wp-json/igny8/v1/nudge`): IGNY8 says "changes are waiting". The request is
 * signed as Standard Webhooks do (webhook-id, webhook-timestamp, webhook-signature `v1,<base64 HMAC-SHA256
 * of "id.timestamp.body">`) with the secret IGNY8 gave when the endpoint was registered. A good nudge only
 * schedules a poll and answers 202: the changes are fetched and applied by WP-Cron, never in this request.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Nudge {

	const REST_NAMESPACE = 'igny8/v1';
	const REST_ROUTE     = '/nudge';
	const SECRET_OPTION  = 'igny8_nudge_secret';
	const TOLERANCE      = 300; // seconds a webhook-timestamp may be off, either way
	const REPLAY_WINDOW  = 600; // seconds a webhook-id is remembered (longer than the tolerance, both ways)

	/** @var array<string,bool> webhook-ids verified in this request: WordPress asks again for the Allow header */
	private static $verified = array();

	/** rest_api_init. */
	public static function register_routes() {
		register_rest_route(
			self::REST_NAMESPACE,
			self::REST_ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'handle' ),
				'permission_callback' => array( __CLASS__, 'verify' ),
			)
		);
	}

	/** The URL IGNY8 is given for nudges. */
	public static function url() {
		return rest_url( self::REST_NAMESPACE . self::REST_ROUTE );
	}

	/**
	 * permission_callback: the signature, the timestamp, then the replay check. Refusals say what was
	 * wrong in general terms only (never which byte of a signature differed).
	 *
	 * @return true|WP_Error
	 */
	public static function verify( WP_REST_Request $request ) {
		$secret = (string) get_option( self::SECRET_OPTION, '' );
		if ( '' === $secret ) {
			return self::refuse( 'igny8_nudge_not_registered', __( 'This site has no nudge endpoint registered with IGNY8.', 'igny8-sync' ), 401 );
		}
		$id        = (string) $request->get_header( 'webhook-id' );
		$timestamp = (string) $request->get_header( 'webhook-timestamp' );
		$signature = (string) $request->get_header( 'webhook-signature' );
		if ( '' === $id || '' === $signature || ! preg_match( '/^\d{1,12}$/', $timestamp ) ) {
			return self::refuse( 'igny8_nudge_unsigned', __( 'The nudge is not signed.', 'igny8-sync' ), 401 );
		}
		if ( abs( time() - (int) $timestamp ) > self::TOLERANCE ) {
			return self::refuse( 'igny8_nudge_stale', __( 'The nudge timestamp is too far from this server\'s clock.', 'igny8-sync' ), 401 );
		}
		$expected = base64_encode( hash_hmac( 'sha256', $id . '.' . $timestamp . '.' . $request->get_body(), self::key( $secret ), true ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the signature format is base64
		$valid    = false;
		// The header may list several signatures (secret rotation), separated by spaces.
		foreach ( preg_split( '/\s+/', trim( $signature ) ) as $candidate ) {
			$parts = explode( ',', $candidate, 2 );
			if ( 2 === count( $parts ) && 'v1' === $parts[0] && hash_equals( $expected, $parts[1] ) ) {
				$valid = true;
			}
		}
		if ( ! $valid ) {
			return self::refuse( 'igny8_nudge_bad_signature', __( 'The nudge signature does not match.', 'igny8-sync' ), 401 );
		}
		// Remembered only once the signature is proven, so a forger cannot burn the ids of real nudges.
		if ( isset( self::$verified[ $id ] ) ) {
			return true;
		}
		$seen = 'igny8_nudge_seen_' . substr( hash( 'sha256', $id ), 0, 32 );
		if ( get_transient( $seen ) ) {
			return self::refuse( 'igny8_nudge_replayed', __( 'This nudge was already received.', 'igny8-sync' ), 409 );
		}
		set_transient( $seen, 1, self::REPLAY_WINDOW );
		self::$verified[ $id ] = true;
		return true;
	}

	/** The nudge itself: schedule a poll at once, start WP-Cron, answer 202. */
	public static function handle( WP_REST_Request $request ) {
		Igny8_Log::info( 'Nudge accepted' );
		Igny8_Pushback::schedule_poll( true );
		return new WP_REST_Response( array( 'accepted' => true ), 202 );
	}

	/**
	 * The HMAC key. Standard Webhooks secrets look like `whsec_<base64>` and sign with the decoded bytes;
	 * any other secret signs with its own bytes.
	 */
	private static function key( $secret ) {
		if ( 0 === strpos( $secret, 'whsec_' ) ) {
			$raw = base64_decode( substr( $secret, 6 ), true ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_decode -- the secret format is base64
			if ( false !== $raw && '' !== $raw ) {
				return $raw;
			}
		}
		return $secret;
	}

	private static function refuse( $code, $message, $status ) {
		Igny8_Log::info( 'Nudge refused: ' . $code );
		return new WP_Error( $code, $message, array( 'status' => $status ) );
	}
}
