<?php
/**
 * `IGNY8:` lines in the PHP error log (wp-content/debug.log with WP_DEBUG_LOG), only when WP_DEBUG_LOG or
 * IGNY8_DEBUG is on, and never with a secret in them.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Log {

	/** Whether log lines are written at all. */
	public static function enabled() {
		return ( defined( 'WP_DEBUG_LOG' ) && WP_DEBUG_LOG ) || ( defined( 'IGNY8_DEBUG' ) && IGNY8_DEBUG );
	}

	/** Writes one line, with credentials masked. */
	public static function info( $message ) {
		if ( ! self::enabled() ) {
			return;
		}
		// One line per event: newlines in a backend message must not forge extra log lines.
		$line = str_replace( array( "\r", "\n" ), ' ', self::scrub( (string) $message ) );
		error_log( 'IGNY8: ' . $line ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
	}

	/** Masks the stored secrets, Bearer values, JWTs and JSON fields named like secrets. */
	public static function scrub( $text ) {
		foreach ( array( 'igny8_api_key', 'igny8_access_token', 'igny8_refresh_token', 'igny8_nudge_secret' ) as $option ) {
			$secret = (string) get_option( $option, '' );
			if ( strlen( $secret ) >= 8 ) {
				$text = str_replace( $secret, '***', $text );
			}
		}
		$text = (string) preg_replace( '/Bearer\s+[^\s"\',]+/i', 'Bearer ***', $text );
		$text = (string) preg_replace( '/eyJ[\w-]+\.[\w-]+\.[\w-]+/', '***', $text );
		return (string) preg_replace( '/"(password|access|refresh|key|token|api_key|secret)"\s*:\s*"[^"]*"/i', '"$1":"***"', $text );
	}
}
