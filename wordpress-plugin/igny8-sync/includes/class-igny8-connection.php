<?php
/**
 * The seeds' connection flow: log in (or use the API key), find the site and its WordPress integration,
 * then push the structure. A structure push that fails after a good login leaves the connection standing.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Connection {

	/**
	 * Connects with the given credentials. The password is used for this login only and never stored.
	 *
	 * @return array{connected:bool,messages:array<int,array{0:string,1:string}>} messages: [type, text], type success|warning|error.
	 */
	public static function connect( $base, $email, $password, $api_key ) {
		$api     = new Igny8_API( $base );
		$tokens  = array(
			'access'  => '',
			'refresh' => '',
		);
		$api_key = (string) $api_key;
		if ( '' === $api_key ) {
			$api_key = (string) get_option( 'igny8_api_key', '' ); // a saved key stays when the field is left empty
		}

		if ( '' !== $email && '' !== $password ) {
			$login = $api->post(
				'auth/login/',
				array(
					'email'    => $email,
					'password' => $password,
				),
				array( 'auth' => false )
			);
			if ( is_wp_error( $login ) ) {
				return self::failed( $login );
			}
			if ( empty( $login['data']['access'] ) || ! is_string( $login['data']['access'] ) ) {
				return self::failed( new WP_Error( 'igny8_bad_answer', __( 'The IGNY8 API accepted the login but sent no access token.', 'igny8-sync' ) ) );
			}
			$tokens['access']  = $login['data']['access'];
			$tokens['refresh'] = isset( $login['data']['refresh'] ) && is_string( $login['data']['refresh'] ) ? $login['data']['refresh'] : '';
		} elseif ( '' === $api_key ) {
			return self::failed( new WP_Error( 'igny8_no_credentials', __( 'Enter an API key, or your IGNY8 email and password.', 'igny8-sync' ) ) );
		}

		// The API key is what the plugin uses from now on (it sees exactly its own site); tokens otherwise.
		$bearer = '' !== $api_key ? $api_key : $tokens['access'];
		$sites  = $api->get( 'system/sites/', array( 'token' => $bearer ) );
		if ( is_wp_error( $sites ) ) {
			return self::failed( $sites );
		}
		$list    = isset( $sites['results'] ) && is_array( $sites['results'] ) ? $sites['results'] : ( isset( $sites['data'] ) && is_array( $sites['data'] ) ? $sites['data'] : array() );
		$site_id = isset( $list[0]['id'] ) ? (int) $list[0]['id'] : 0;
		if ( $site_id <= 0 ) {
			return self::failed( new WP_Error( 'igny8_no_site', __( 'This IGNY8 account has no site yet. Create the site in IGNY8, then connect again.', 'igny8-sync' ) ) );
		}

		// Credentials work: store them (never the password).
		update_option( 'igny8_api_base', $api->base_url() );
		update_option( 'igny8_email', $email );
		Igny8_Settings::set_secret( 'igny8_api_key', $api_key );
		Igny8_Settings::set_secret( 'igny8_access_token', $tokens['access'] );
		Igny8_Settings::set_secret( 'igny8_refresh_token', $tokens['refresh'] );
		if ( Igny8_Settings::site_id() !== $site_id ) {
			delete_option( 'igny8_content_cursor' );
			delete_option( 'igny8_queue' );
			delete_option( Igny8_Pushback::APPLIED_OPTION );
		}
		update_option( 'igny8_site_id', $site_id );
		update_option( 'igny8_connected', 1 );
		Igny8_Settings::clear_error();
		Igny8_Log::info( 'Connected; site ' . $site_id );
		Igny8_Plugin::schedule_daily( time() + MINUTE_IN_SECONDS ); // first full sync a minute from now

		$messages = array( array( 'success', __( 'Successfully connected to IGNY8 API', 'igny8-sync' ) ) );
		$pushed   = Igny8_Structure::push( new Igny8_API() );
		if ( true === $pushed ) {
			$messages[] = array( 'success', __( 'Site structure synced successfully', 'igny8-sync' ) );
			Igny8_Pushback::register_endpoint(); // not fatal: the poll delivers without nudges and retries it
			Igny8_Pushback::ensure_schedule();
		} else {
			update_option( 'igny8_structure_synced', 0 );
			$messages[] = array( 'warning', __( 'Connected but structure sync will be retried', 'igny8-sync' ) );
			/* translators: %s: the reason */
			$messages[] = array( 'warning', sprintf( __( 'Reason: %s', 'igny8-sync' ), $pushed->get_error_message() ) );
		}
		return array(
			'connected' => true,
			'messages'  => $messages,
		);
	}

	/** Forgets the connection here; the refresh token is revoked at IGNY8 when there is one. */
	public static function disconnect() {
		$refresh = (string) get_option( 'igny8_refresh_token', '' );
		if ( '' !== $refresh ) {
			( new Igny8_API() )->post( 'auth/logout/', array( 'refresh' => $refresh ), array( 'auth' => false, 'timeout' => 5 ) );
		}
		Igny8_Settings::forget_connection();
		Igny8_Settings::clear_error();
		wp_clear_scheduled_hook( Igny8_Queue::HOOK );
		wp_clear_scheduled_hook( Igny8_Content_Sync::CONTINUE_HOOK );
		Igny8_Pushback::unschedule();
		Igny8_Log::info( 'Disconnected' );
	}

	private static function failed( WP_Error $e ) {
		Igny8_Settings::set_error( $e->get_error_message() );
		Igny8_Log::info( 'Connect failed: ' . $e->get_error_message() );
		return array(
			'connected' => false,
			/* translators: %s: the reason */
			'messages'  => array( array( 'error', sprintf( __( 'Could not connect to IGNY8: %s', 'igny8-sync' ), $e->get_error_message() ) ) ),
		);
	}
}
