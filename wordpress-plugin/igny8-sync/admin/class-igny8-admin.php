<?php
/**
 * Settings → IGNY8 API: the connection form, status, per-type settings, and the Connect, Disconnect,
 * Sync now and Diagnose actions (admin-post handlers: capability and nonce first, then sanitized
 * input, then a redirect back with notices).
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Admin {

	const PAGE    = 'igny8-sync';
	const ACTIONS = array( 'connect', 'disconnect', 'sync_now', 'diagnose', 'save_types' );

	public static function register() {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		foreach ( self::ACTIONS as $action ) {
			add_action( 'admin_post_igny8_' . $action, array( __CLASS__, 'handle_' . $action ) );
		}
		add_filter( 'plugin_action_links_' . plugin_basename( IGNY8_SYNC_FILE ), array( __CLASS__, 'action_links' ) );
	}

	public static function menu() {
		add_options_page( __( 'IGNY8 API', 'igny8-sync' ), __( 'IGNY8 API', 'igny8-sync' ), 'manage_options', self::PAGE, array( __CLASS__, 'render' ) );
	}

	public static function action_links( $links ) {
		$links[] = '<a href="' . esc_url( admin_url( 'options-general.php?page=' . self::PAGE ) ) . '">' . esc_html__( 'Settings', 'igny8-sync' ) . '</a>';
		return $links;
	}

	/** Seed name: Connect. */
	public static function handle_connect() {
		self::guard( 'connect' );
		$base     = self::clean_base_url( isset( $_POST['igny8_api_base'] ) ? wp_unslash( $_POST['igny8_api_base'] ) : '' ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- sanitized in clean_base_url
		$email    = isset( $_POST['igny8_email'] ) ? sanitize_email( wp_unslash( $_POST['igny8_email'] ) ) : '';
		$password = isset( $_POST['igny8_password'] ) ? (string) wp_unslash( $_POST['igny8_password'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- a password is used as typed, never stored or shown
		$api_key  = isset( $_POST['igny8_api_key'] ) ? sanitize_text_field( wp_unslash( $_POST['igny8_api_key'] ) ) : '';
		if ( '' === $base ) {
			self::notice( 'error', __( 'Enter the API base URL, e.g. https://igny8.example.com/api/v1', 'igny8-sync' ) );
			self::back();
		}
		update_option( 'igny8_api_base', $base );
		$result = self::handle_connection( $base, $email, $password, $api_key );
		foreach ( $result['messages'] as $m ) {
			self::notice( $m[0], $m[1] );
		}
		self::back();
	}

	/** The seeds' `class-admin.php handle_connection()`: log in, find the site, push the structure. */
	public static function handle_connection( $base, $email, $password, $api_key ) {
		return Igny8_Connection::connect( $base, $email, $password, $api_key );
	}

	public static function handle_disconnect() {
		self::guard( 'disconnect' );
		Igny8_Connection::disconnect();
		self::notice( 'success', __( 'Disconnected from IGNY8.', 'igny8-sync' ) );
		self::back();
	}

	/** Structure, then a full content pass, now. */
	public static function handle_sync_now() {
		self::guard( 'sync_now' );
		$pushed = Igny8_Structure::push();
		if ( is_wp_error( $pushed ) ) {
			/* translators: %s: the reason */
			self::notice( 'error', sprintf( __( 'Structure sync failed: %s', 'igny8-sync' ), $pushed->get_error_message() ) );
			self::back();
		}
		self::notice( 'success', __( 'Site structure synced successfully', 'igny8-sync' ) );
		$content = Igny8_Content_Sync::run();
		if ( is_wp_error( $content ) ) {
			/* translators: %s: the reason */
			self::notice( 'error', sprintf( __( 'Content sync stopped; it resumes from where it stopped next time: %s', 'igny8-sync' ), $content->get_error_message() ) );
		} elseif ( 'partial' === $content ) {
			self::notice( 'success', __( 'Content sync started; it continues in the background.', 'igny8-sync' ) );
		} else {
			self::notice( 'success', __( 'Content synced.', 'igny8-sync' ) . ' ' . self::totals_text( get_option( 'igny8_last_content_result' ) ) );
		}
		self::back();
	}

	public static function handle_diagnose() {
		self::guard( 'diagnose' );
		set_transient( 'igny8_diagnose_' . get_current_user_id(), Igny8_Diagnose::run(), 10 * MINUTE_IN_SECONDS );
		self::back( '#igny8-diagnose-results' );
	}

	public static function handle_save_types() {
		self::guard( 'save_types' );
		$in    = isset( $_POST['igny8_types'] ) && is_array( $_POST['igny8_types'] ) ? wp_unslash( $_POST['igny8_types'] ) : array(); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- each field sanitized below
		$types = array();
		$known = array(
			'post_types' => Igny8_Structure::post_types(),
			'taxonomies' => Igny8_Structure::taxonomies(),
		);
		foreach ( $known as $group => $list ) {
			foreach ( array_keys( $list ) as $slug ) {
				$row                      = isset( $in[ $group ][ $slug ] ) && is_array( $in[ $group ][ $slug ] ) ? $in[ $group ][ $slug ] : array();
				$types[ $group ][ $slug ] = array(
					'enabled'     => ! empty( $row['enabled'] ),
					'fetch_limit' => isset( $row['fetch_limit'] ) ? absint( $row['fetch_limit'] ) : Igny8_Settings::DEFAULT_LIMIT,
				);
			}
		}
		Igny8_Settings::save_types( $types );
		self::notice( 'success', __( 'Content type settings saved.', 'igny8-sync' ) );
		if ( Igny8_Settings::is_connected() && is_wp_error( Igny8_Structure::push() ) ) {
			self::notice( 'warning', __( 'Connected but structure sync will be retried', 'igny8-sync' ) );
		}
		self::back();
	}

	/** Capability first, then the nonce of this very action. */
	private static function guard( $action ) {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'You are not allowed to manage the IGNY8 connection.', 'igny8-sync' ), 403 );
		}
		check_admin_referer( 'igny8_' . $action );
	}

	/** https://host[:port]/path without a trailing slash, or '' when it is not an http(s) URL. */
	public static function clean_base_url( $raw ) {
		$url    = esc_url_raw( trim( (string) $raw ), array( 'http', 'https' ) );
		$scheme = wp_parse_url( $url, PHP_URL_SCHEME );
		$host   = wp_parse_url( $url, PHP_URL_HOST );
		return ( $host && in_array( $scheme, array( 'http', 'https' ), true ) ) ? untrailingslashit( $url ) : '';
	}

	private static function notice( $type, $text ) {
		$key   = 'igny8_notices_' . get_current_user_id();
		$list  = get_transient( $key );
		$list  = is_array( $list ) ? $list : array();
		$list[] = array( $type, $text );
		set_transient( $key, $list, 5 * MINUTE_IN_SECONDS );
	}

	/** Back to the settings page; `done` names the action that just ran (notices follow from a transient). */
	private static function back( $fragment = '' ) {
		$action = isset( $_POST['action'] ) ? sanitize_key( wp_unslash( $_POST['action'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked in guard()
		wp_safe_redirect( add_query_arg( 'done', str_replace( 'igny8_', '', $action ), admin_url( 'options-general.php?page=' . self::PAGE ) ) . $fragment );
		exit;
	}

	private static function totals_text( $t ) {
		if ( ! is_array( $t ) ) {
			return '';
		}
		/* translators: 1: created, 2: updated, 3: unchanged, 4: skipped */
		return sprintf( __( '%1$d created, %2$d updated, %3$d unchanged, %4$d skipped.', 'igny8-sync' ), (int) ( $t['created'] ?? 0 ), (int) ( $t['updated'] ?? 0 ), (int) ( $t['unchanged'] ?? 0 ), (int) ( $t['skipped'] ?? 0 ) );
	}

	/** The settings page. */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$uid     = get_current_user_id();
		$notices = get_transient( 'igny8_notices_' . $uid );
		delete_transient( 'igny8_notices_' . $uid );
		$diag = get_transient( 'igny8_diagnose_' . $uid );
		delete_transient( 'igny8_diagnose_' . $uid );
		require IGNY8_SYNC_DIR . '/admin/views/settings-page.php';
	}

	/** A unix time as the site's local date and time, or "never". */
	public static function when( $ts ) {
		$ts = (int) $ts;
		return $ts > 0 ? wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $ts ) : __( 'never', 'igny8-sync' );
	}
}
