<?php
/**
 * Every option the plugin keeps (all prefixed `igny8_`), with defaults, and the per-type settings
 * (enabled, fetch_limit). Large or secret options are stored with autoload off.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Settings {

	const DEFAULT_LIMIT = 100;
	const MAX_LIMIT     = 1000000;

	/** Every option this plugin writes; uninstall.php removes them all. */
	const OPTIONS = array(
		'igny8_api_base',
		'igny8_email',
		'igny8_api_key',
		'igny8_access_token',
		'igny8_refresh_token',
		'igny8_connected',
		'igny8_site_id',
		'igny8_integration_id',
		'igny8_structure_synced',
		'igny8_last_structure_sync',
		'igny8_last_content_sync',
		'igny8_last_content_result',
		'igny8_last_error',
		'igny8_types',
		'igny8_two_way_sync',
		'igny8_content_cursor',
		'igny8_queue',
		'igny8_queue_overflow',
		'igny8_nudge_secret',
		'igny8_nudge_url',
		'igny8_pushback_applied',
		'igny8_pushback_status',
		'igny8_pushback_wanted',
	);

	/** The API base URL without a trailing slash, e.g. https://igny8.example.com/api/v1. */
	public static function base_url() {
		return untrailingslashit( (string) get_option( 'igny8_api_base', '' ) );
	}

	/** Connected = a site and an integration were found with working credentials. */
	public static function is_connected() {
		return (bool) get_option( 'igny8_connected', false ) && self::site_id() > 0;
	}

	public static function site_id() {
		return (int) get_option( 'igny8_site_id', 0 );
	}

	public static function integration_id() {
		return (int) get_option( 'igny8_integration_id', 0 );
	}

	/** Stores a secret (tokens, API key) with autoload off: it is read only when a request is made. */
	public static function set_secret( $name, $value ) {
		if ( '' === (string) $value ) {
			delete_option( $name );
			return;
		}
		update_option( $name, (string) $value, false );
	}

	/** Remembers the last error shown on the settings page (plain words, never a secret). */
	public static function set_error( $message ) {
		update_option(
			'igny8_last_error',
			array(
				'message' => Igny8_Log::scrub( (string) $message ),
				'time'    => time(),
			),
			false
		);
	}

	public static function clear_error() {
		delete_option( 'igny8_last_error' );
	}

	/** @return array{message:string,time:int}|null */
	public static function last_error() {
		$e = get_option( 'igny8_last_error' );
		return is_array( $e ) && isset( $e['message'] ) ? $e : null;
	}

	/**
	 * Settings of one post type or taxonomy.
	 *
	 * @param string $group 'post_types' or 'taxonomies'.
	 * @return array{enabled:bool,fetch_limit:int}
	 */
	public static function type_setting( $group, $slug ) {
		$all = get_option( 'igny8_types', array() );
		$one = ( is_array( $all ) && isset( $all[ $group ][ $slug ] ) && is_array( $all[ $group ][ $slug ] ) ) ? $all[ $group ][ $slug ] : array();
		return array(
			'enabled'     => isset( $one['enabled'] ) ? (bool) $one['enabled'] : true,
			'fetch_limit' => isset( $one['fetch_limit'] ) ? self::clamp_limit( $one['fetch_limit'] ) : self::DEFAULT_LIMIT,
		);
	}

	/**
	 * Replaces the per-type settings.
	 *
	 * @param array $types ['post_types' => [slug => ['enabled' => bool, 'fetch_limit' => int]], 'taxonomies' => …].
	 */
	public static function save_types( array $types ) {
		$clean = array(
			'post_types' => array(),
			'taxonomies' => array(),
		);
		foreach ( array_keys( $clean ) as $group ) {
			if ( empty( $types[ $group ] ) || ! is_array( $types[ $group ] ) ) {
				continue;
			}
			foreach ( $types[ $group ] as $slug => $s ) {
				$slug = sanitize_key( (string) $slug );
				if ( '' === $slug || ! is_array( $s ) ) {
					continue;
				}
				$clean[ $group ][ $slug ] = array(
					'enabled'     => ! empty( $s['enabled'] ),
					'fetch_limit' => self::clamp_limit( isset( $s['fetch_limit'] ) ? $s['fetch_limit'] : self::DEFAULT_LIMIT ),
				);
			}
		}
		update_option( 'igny8_types', $clean, false );
	}

	private static function clamp_limit( $value ) {
		return max( 0, min( self::MAX_LIMIT, (int) $value ) );
	}

	/** Forgets the connection (tokens, key, ids) but keeps the URL, email and per-type settings. */
	public static function forget_connection() {
		foreach ( array( 'igny8_api_key', 'igny8_access_token', 'igny8_refresh_token', 'igny8_connected', 'igny8_site_id', 'igny8_integration_id', 'igny8_structure_synced', 'igny8_content_cursor', 'igny8_queue', 'igny8_queue_overflow', 'igny8_nudge_secret', 'igny8_nudge_url', 'igny8_pushback_applied', 'igny8_pushback_status', 'igny8_pushback_wanted' ) as $name ) {
			delete_option( $name );
		}
	}
}
