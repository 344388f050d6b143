<?php
/**
 * Diagnose: the usual reasons a connection breaks, each with what to do about it in plain words —
 * server unreachable or TLS failure, a firewall answering HTML, a host or proxy stripping the
 * Authorization header, a site URL that no longer matches IGNY8's (cloned or moved site), and a
 * daily job that does not run.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Diagnose {

	/** @return array<int,array{id:string,status:string,title:string,message:string,fix:string}> */
	public static function run() {
		$checks = array();
		$base   = Igny8_Settings::base_url();
		if ( '' === $base ) {
			$checks[] = self::check( 'config', 'fail', __( 'API base URL', 'igny8-sync' ), __( 'No API base URL is saved.', 'igny8-sync' ), __( 'Enter the address of your IGNY8 API, ending in /api/v1, and click Connect.', 'igny8-sync' ) );
			$checks[] = self::cron();
			return $checks;
		}
		$api    = new Igny8_API( $base );
		$health = $api->get( 'health/', array( 'auth' => false, 'timeout' => 10 ) );
		$reach  = self::reach( $base, $health );
		$checks[] = $reach;
		if ( 'ok' === $reach['status'] ) {
			$auth     = self::auth( $api );
			$checks[] = $auth;
			if ( 'ok' === $auth['status'] ) {
				$checks[] = self::site_url( $api );
			}
		}
		$checks[] = self::cron();
		Igny8_Log::info( 'Diagnose: ' . implode( ', ', array_map( function ( $c ) { return $c['id'] . '=' . $c['status']; }, $checks ) ) );
		return $checks;
	}

	/** Reachability of the public health route: network, TLS, or a non-IGNY8 answer. */
	private static function reach( $base, $health ) {
		$title = __( 'Reaching the IGNY8 API', 'igny8-sync' );
		if ( ! is_wp_error( $health ) ) {
			/* translators: %s: API base URL */
			return self::check( 'reach', 'ok', $title, sprintf( __( '%s answers.', 'igny8-sync' ), $base ), '' );
		}
		switch ( $health->get_error_code() ) {
			case 'igny8_tls':
				return self::check( 'tls', 'fail', $title, $health->get_error_message(), __( 'Give the IGNY8 server a valid certificate for its name (for example from Let\'s Encrypt), or ask your host to update this server\'s CA certificates.', 'igny8-sync' ) );
			case 'igny8_not_json':
				return self::check( 'firewall', 'fail', $title, $health->get_error_message(), __( 'A firewall, WAF or security service answered with a web page. Allow requests from this site\'s server to the IGNY8 API (the whole /api/v1/ path), or check that the API base URL ends in /api/v1.', 'igny8-sync' ) );
			case 'igny8_unreachable':
			case 'igny8_timeout':
				return self::check( 'reach', 'fail', $title, $health->get_error_message(), __( 'Check the API base URL for typos, make sure the IGNY8 server is running, and ask your host whether this server may make outgoing connections to it.', 'igny8-sync' ) );
		}
		return self::check( 'reach', 'fail', $title, $health->get_error_message(), __( 'Check that the API base URL points at the IGNY8 API and ends in /api/v1.', 'igny8-sync' ) );
	}

	/** GET auth/me with the stored credential; the backend says when no Authorization header arrived. */
	private static function auth( Igny8_API $api ) {
		$title = __( 'Authorization header', 'igny8-sync' );
		list( $kind ) = Igny8_API::credential();
		if ( '' === $kind ) {
			return self::check( 'auth', 'warn', $title, __( 'No API key or session is saved, so requests cannot be authenticated.', 'igny8-sync' ), __( 'Enter an API key (or email and password) and click Connect.', 'igny8-sync' ) );
		}
		$me = $api->get( 'auth/me/', array( 'refresh' => false ) );
		if ( ! is_wp_error( $me ) ) {
			return self::check( 'auth', 'ok', $title, __( 'The credentials reach IGNY8 and are accepted.', 'igny8-sync' ), '' );
		}
		$data = $me->get_error_data();
		$code = is_array( $data ) && isset( $data['code'] ) ? $data['code'] : '';
		$http = is_array( $data ) && isset( $data['status'] ) ? (int) $data['status'] : 0;
		// A header was sent; "missing" (or "not provided") means something on the way removed it.
		if ( 401 === $http && in_array( $code, array( 'authorization_header_missing', 'not_authenticated' ), true ) ) {
			return self::check( 'auth_header_stripped', 'fail', $title, __( 'The Authorization header is being stripped: this site sends it, but IGNY8 receives the request without it.', 'igny8-sync' ), __( 'A web server or proxy in front of IGNY8 (or an outgoing proxy at your host) removes the Authorization header. Configure it to pass the header on: in nginx "proxy_set_header Authorization $http_authorization;", in Apache "CGIPassAuth On" or "SetEnvIf Authorization (.*) HTTP_AUTHORIZATION=$1". Ask your host if you do not manage that server.', 'igny8-sync' ) );
		}
		if ( 401 === $http ) {
			return self::check( 'auth', 'fail', $title, $me->get_error_message(), __( 'The API key was revoked or the session expired. Create a new API key in IGNY8 and click Connect with it.', 'igny8-sync' ) );
		}
		return self::check( 'auth', 'fail', $title, $me->get_error_message(), __( 'Connect again; if it keeps failing, check the IGNY8 server\'s log.', 'igny8-sync' ) );
	}

	/** The site URL IGNY8 has against this site's URL: a clone or a moved site keeps the old one. */
	private static function site_url( Igny8_API $api ) {
		$title = __( 'Site URL', 'igny8-sync' );
		if ( Igny8_Settings::site_id() <= 0 ) {
			return self::check( 'site_url', 'warn', $title, __( 'Not connected yet, so there is no IGNY8 site to compare with.', 'igny8-sync' ), __( 'Click Connect.', 'igny8-sync' ) );
		}
		$res = $api->get( 'system/sites/' . Igny8_Settings::site_id() . '/' );
		if ( is_wp_error( $res ) ) {
			return self::check( 'site_url', 'warn', $title, $res->get_error_message(), __( 'Connect again so the plugin finds this site in IGNY8.', 'igny8-sync' ) );
		}
		$theirs = isset( $res['data']['url'] ) ? (string) $res['data']['url'] : '';
		$ours   = home_url();
		if ( self::same_site( $theirs, $ours ) ) {
			/* translators: %s: URL */
			return self::check( 'site_url', 'ok', $title, sprintf( __( 'IGNY8 knows this site as %s.', 'igny8-sync' ), $ours ), '' );
		}
		return self::check(
			'site_url',
			'fail',
			$title,
			/* translators: 1: the URL IGNY8 has, 2: this site's URL */
			sprintf( __( 'IGNY8 has this site as %1$s, but this WordPress runs at %2$s. The site was cloned or moved.', 'igny8-sync' ), $theirs, $ours ),
			__( 'If this is a copy (staging, a clone), click Disconnect here so it does not write into the live site\'s data. If the site moved, update the site URL in IGNY8, then click Sync now.', 'igny8-sync' )
		);
	}

	/** Whether WP-Cron runs the daily job. */
	private static function cron() {
		$title = __( 'Daily sync (WP-Cron)', 'igny8-sync' );
		$next  = wp_next_scheduled( Igny8_Plugin::DAILY_HOOK );
		if ( ! $next ) {
			return self::check( 'cron', 'fail', $title, __( 'The daily sync is not scheduled.', 'igny8-sync' ), __( 'Deactivate and activate the IGNY8 Sync plugin to schedule it again.', 'igny8-sync' ) );
		}
		$late     = time() - $next;
		$disabled = defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON;
		if ( $late > HOUR_IN_SECONDS ) {
			/* translators: %s: how long ago */
			$msg = sprintf( __( 'The daily sync was due %s ago and has not run: WP-Cron is not running.', 'igny8-sync' ), human_time_diff( $next ) );
			$fix = $disabled
				? __( 'WP-Cron is disabled (DISABLE_WP_CRON) and no system cron job calls it. Add one that requests wp-cron.php every 5 minutes, e.g. "*/5 * * * * curl -s https://your-site/wp-cron.php", or remove DISABLE_WP_CRON from wp-config.php.', 'igny8-sync' )
				: __( 'WP-Cron starts from site visits through a request to wp-cron.php; it is stuck or blocked (low traffic, a firewall or basic auth in front of the site, or a crashed job). Add a system cron job that requests wp-cron.php every 5 minutes, and check that this server can reach its own address.', 'igny8-sync' );
			return self::check( 'cron', 'fail', $title, $msg, $fix );
		}
		if ( $disabled ) {
			return self::check( 'cron', 'warn', $title, __( 'WP-Cron is disabled (DISABLE_WP_CRON); the daily sync runs only if a system cron job calls wp-cron.php.', 'igny8-sync' ), __( 'Make sure a system cron job requests wp-cron.php every few minutes.', 'igny8-sync' ) );
		}
		/* translators: %s: date and time */
		return self::check( 'cron', 'ok', $title, sprintf( __( 'Next daily sync: %s.', 'igny8-sync' ), Igny8_Admin::when( $next ) ), '' );
	}

	/** Same host and path, whatever the scheme, "www." or a trailing slash. */
	private static function same_site( $a, $b ) {
		$norm = function ( $u ) {
			$host = strtolower( (string) wp_parse_url( $u, PHP_URL_HOST ) );
			$host = 0 === strpos( $host, 'www.' ) ? substr( $host, 4 ) : $host;
			$port = wp_parse_url( $u, PHP_URL_PORT );
			return $host . ( $port ? ':' . $port : '' ) . untrailingslashit( (string) wp_parse_url( $u, PHP_URL_PATH ) );
		};
		return '' !== $a && $norm( $a ) === $norm( $b );
	}

	private static function check( $id, $status, $title, $message, $fix ) {
		return array(
			'id'      => $id,
			'status'  => $status,
			'title'   => $title,
			'message' => $message,
			'fix'     => $fix,
		);
	}
}
