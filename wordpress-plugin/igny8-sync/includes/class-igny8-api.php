<?php
/**
 * The HTTP client of the IGNY8 API: base URL, Authorization header (API key, else the access token,
 * refreshed once on a 401), explicit timeouts. Answers the decoded JSON, or a WP_Error whose message
 * is one plain sentence a site owner can act on.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_API {

	const TIMEOUT = 15;

	/** @var string */
	private $base;

	/** @param string|null $base API base URL; default: the saved one. */
	public function __construct( $base = null ) {
		$this->base = null === $base ? Igny8_Settings::base_url() : untrailingslashit( (string) $base );
	}

	/** The base URL this client talks to. */
	public function base_url() {
		return $this->base;
	}

	public function get( $path, array $opts = array() ) {
		return $this->request( 'GET', $path, null, $opts );
	}

	/** Seed name: `class-igny8-api.php post()`. */
	public function post( $path, $body, array $opts = array() ) {
		return $this->request( 'POST', $path, $body, $opts );
	}

	/**
	 * One request. Options: `auth` (default true; false sends no Authorization header), `token`
	 * (use this Bearer value), `refresh` (default true: refresh the access token once on a 401),
	 * `timeout` (seconds).
	 *
	 * @return array|WP_Error
	 */
	public function request( $method, $path, $body = null, array $opts = array() ) {
		$opts = array_merge(
			array(
				'auth'    => true,
				'token'   => null,
				'refresh' => true,
				'timeout' => self::TIMEOUT,
			),
			$opts
		);
		if ( '' === $this->base ) {
			return new WP_Error( 'igny8_not_configured', __( 'The IGNY8 API base URL is not set.', 'igny8-sync' ) );
		}
		$url     = $this->base . '/' . ltrim( $path, '/' );
		$headers = array( 'Accept' => 'application/json' );
		$kind    = '';
		if ( $opts['auth'] ) {
			list( $kind, $token ) = null !== $opts['token'] ? array( 'given', (string) $opts['token'] ) : self::credential();
			if ( '' === $token ) {
				return new WP_Error( 'igny8_not_connected', __( 'This site is not connected to IGNY8: enter an API key or your email and password and click Connect.', 'igny8-sync' ) );
			}
			$headers['Authorization'] = 'Bearer ' . $token;
		}
		$args = array(
			'method'      => $method,
			'timeout'     => (float) $opts['timeout'],
			'redirection' => 0, // a redirect would turn a POST into a GET and may drop the header; it is reported instead
			'headers'     => $headers,
			'user-agent'  => 'IGNY8-Sync/' . IGNY8_SYNC_VERSION . '; ' . home_url( '/' ),
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = wp_json_encode( $body );
		}

		$started = microtime( true );
		$res     = wp_remote_request( $url, $args );
		$ms      = (int) round( ( microtime( true ) - $started ) * 1000 );
		if ( is_wp_error( $res ) ) {
			Igny8_Log::info( sprintf( '%s %s failed after %d ms: %s', $method, $path, $ms, $res->get_error_message() ) );
			return $this->transport_error( $res );
		}
		$status = (int) wp_remote_retrieve_response_code( $res );
		$raw    = (string) wp_remote_retrieve_body( $res );
		Igny8_Log::info( sprintf( '%s %s -> %d (%d ms)', $method, $path, $status, $ms ) );

		if ( 401 === $status && 'access' === $kind && $opts['refresh'] ) {
			$refreshed = $this->refresh();
			if ( is_wp_error( $refreshed ) ) {
				return $refreshed;
			}
			$opts['refresh'] = false;
			return $this->request( $method, $path, $body, $opts );
		}

		$json = json_decode( $raw, true );
		if ( $status >= 300 && $status < 400 ) {
			return new WP_Error(
				'igny8_redirect',
				/* translators: 1: HTTP status, 2: redirect target */
				sprintf( __( 'The IGNY8 API answered with a redirect (HTTP %1$d) to %2$s. Use the final address as the API base URL.', 'igny8-sync' ), $status, esc_url_raw( (string) wp_remote_retrieve_header( $res, 'location' ) ) ),
				array( 'status' => $status )
			);
		}
		if ( ! is_array( $json ) ) {
			$type = (string) wp_remote_retrieve_header( $res, 'content-type' );
			return new WP_Error(
				'igny8_not_json',
				/* translators: 1: host, 2: HTTP status, 3: content type */
				sprintf( __( 'The server at %1$s answered HTTP %2$d with %3$s instead of IGNY8 JSON. A firewall, proxy or security service is answering in place of the API, or the API base URL is wrong.', 'igny8-sync' ), (string) wp_parse_url( $url, PHP_URL_HOST ), $status, '' !== $type ? $type : __( 'an empty body', 'igny8-sync' ) ),
				array(
					'status'       => $status,
					'content_type' => $type,
				)
			);
		}
		if ( $status >= 400 || ( isset( $json['success'] ) && false === $json['success'] ) ) {
			$message = isset( $json['error'] ) && is_string( $json['error'] ) ? $json['error'] : ( isset( $json['detail'] ) && is_string( $json['detail'] ) ? $json['detail'] : '' );
			return new WP_Error(
				'igny8_http_' . $status,
				/* translators: 1: HTTP status, 2: the API's own message */
				sprintf( __( 'The IGNY8 API refused the request (HTTP %1$d): %2$s', 'igny8-sync' ), $status, '' !== $message ? $message : __( 'no reason given.', 'igny8-sync' ) ),
				array(
					'status'      => $status,
					'code'        => isset( $json['code'] ) && is_string( $json['code'] ) ? $json['code'] : '',
					'retry_after' => (int) wp_remote_retrieve_header( $res, 'retry-after' ),
				)
			);
		}
		return $json;
	}

	/** The Bearer credential to use: the site API key, else the access token. @return array{0:string,1:string} */
	public static function credential() {
		$key = (string) get_option( 'igny8_api_key', '' );
		if ( '' !== $key ) {
			return array( 'key', $key );
		}
		$access = (string) get_option( 'igny8_access_token', '' );
		return array( '' !== $access ? 'access' : '', $access );
	}

	/**
	 * Trades the refresh token for a new pair. A failed refresh forgets both tokens: logging in again
	 * needs the password, which is never stored, so only the user can reconnect.
	 *
	 * @return true|WP_Error
	 */
	public function refresh() {
		$refresh = (string) get_option( 'igny8_refresh_token', '' );
		$expired = new WP_Error( 'igny8_session_expired', __( 'The IGNY8 session expired and could not be renewed. Reconnect under Settings → IGNY8 API (or save an API key, which does not expire).', 'igny8-sync' ) );
		if ( '' === $refresh ) {
			return $expired;
		}
		$res = $this->post( 'auth/refresh/', array( 'refresh' => $refresh ), array( 'auth' => false ) );
		if ( is_wp_error( $res ) || empty( $res['data']['access'] ) || ! is_string( $res['data']['access'] ) ) {
			$status = is_wp_error( $res ) ? (int) ( $res->get_error_data()['status'] ?? 0 ) : 0;
			if ( is_wp_error( $res ) && 0 === $status ) {
				return $res; // unreachable: keep the tokens for the next attempt
			}
			Igny8_Settings::set_secret( 'igny8_access_token', '' );
			Igny8_Settings::set_secret( 'igny8_refresh_token', '' );
			Igny8_Settings::set_error( $expired->get_error_message() );
			Igny8_Log::info( 'Token refresh failed; the user has to reconnect.' );
			return $expired;
		}
		Igny8_Settings::set_secret( 'igny8_access_token', $res['data']['access'] );
		if ( ! empty( $res['data']['refresh'] ) && is_string( $res['data']['refresh'] ) ) {
			Igny8_Settings::set_secret( 'igny8_refresh_token', $res['data']['refresh'] );
		}
		Igny8_Log::info( 'Access token refreshed.' );
		return true;
	}

	/** Turns a transport failure into a plain sentence: unreachable, TLS, timeout. */
	private function transport_error( WP_Error $e ) {
		$detail = $e->get_error_message();
		$host   = (string) wp_parse_url( $this->base, PHP_URL_HOST );
		if ( preg_match( '/SSL|TLS|certificate|cURL error (35|51|58|59|60|77|80|83|90|91)\b/i', $detail ) ) {
			/* translators: 1: host, 2: the transport's own message */
			return new WP_Error( 'igny8_tls', sprintf( __( 'The secure (TLS) connection to %1$s failed: %2$s. The IGNY8 server needs a valid certificate for this name, and this server needs an up-to-date CA bundle.', 'igny8-sync' ), $host, $detail ), array( 'status' => 0 ) );
		}
		if ( preg_match( '/timed out|cURL error 28\b/i', $detail ) ) {
			/* translators: 1: host */
			return new WP_Error( 'igny8_timeout', sprintf( __( 'The IGNY8 API at %1$s did not answer in time. Check that the server is running and not overloaded, and that no firewall silently drops the connection.', 'igny8-sync' ), $host ), array( 'status' => 0 ) );
		}
		/* translators: 1: host, 2: the transport's own message */
		return new WP_Error( 'igny8_unreachable', sprintf( __( 'Could not reach the IGNY8 API at %1$s (%2$s). Check the API base URL, that the IGNY8 server is running, and that this server may connect to it.', 'igny8-sync' ), $host, $detail ), array( 'status' => 0 ) );
	}
}
