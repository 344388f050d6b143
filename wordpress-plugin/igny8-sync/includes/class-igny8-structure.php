<?php
/**
 * What the site has: the post types and taxonomies an admin sees in WordPress's menus, with counts
 * and the per-type settings, and pushing that structure to the site's IGNY8 integration.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Structure {

	/** Public + show_ui post types except attachment, keyed by slug. @return WP_Post_Type[] */
	public static function post_types() {
		$out = array();
		foreach ( get_post_types(
			array(
				'public'  => true,
				'show_ui' => true,
			),
			'objects'
		) as $slug => $type ) {
			if ( 'attachment' !== $slug && self::valid_slug( $slug ) ) {
				$out[ $slug ] = $type;
			}
		}
		return $out;
	}

	/** Public + show_ui taxonomies (never post_format, nav_menu, …), keyed by slug. @return WP_Taxonomy[] */
	public static function taxonomies() {
		$out = array();
		foreach ( get_taxonomies(
			array(
				'public'  => true,
				'show_ui' => true,
			),
			'objects'
		) as $slug => $tax ) {
			if ( self::valid_slug( $slug ) ) {
				$out[ $slug ] = $tax;
			}
		}
		return $out;
	}

	/** Whether the post type is synced (in the structure and enabled here). */
	public static function post_type_enabled( $slug ) {
		$types = self::post_types();
		return isset( $types[ $slug ] ) && Igny8_Settings::type_setting( 'post_types', $slug )['enabled'];
	}

	public static function taxonomy_enabled( $slug ) {
		$taxes = self::taxonomies();
		return isset( $taxes[ $slug ] ) && Igny8_Settings::type_setting( 'taxonomies', $slug )['enabled'];
	}

	/** The update-structure payload (seed `igny8_get_site_structure()`). */
	public static function gather() {
		$post_types = array();
		foreach ( self::post_types() as $slug => $type ) {
			$counts              = wp_count_posts( $slug );
			$post_types[ $slug ] = self::entry(
				'post_types',
				$slug,
				isset( $type->labels->name ) ? $type->labels->name : $type->label,
				isset( $counts->publish ) ? (int) $counts->publish : 0
			);
		}
		$taxonomies = array();
		foreach ( self::taxonomies() as $slug => $tax ) {
			$count               = wp_count_terms(
				array(
					'taxonomy'   => $slug,
					'hide_empty' => false,
				)
			);
			$taxonomies[ $slug ] = self::entry(
				'taxonomies',
				$slug,
				isset( $tax->labels->name ) ? $tax->labels->name : $tax->label,
				is_wp_error( $count ) ? 0 : (int) $count
			);
		}
		return array(
			// Empty PHP arrays would encode as JSON lists; the API wants objects.
			'post_types'                => $post_types ? $post_types : new stdClass(),
			'taxonomies'                => $taxonomies ? $taxonomies : new stdClass(),
			'timestamp'                 => gmdate( 'c' ),
			'site_url'                  => home_url(),
			'wordpress_version'         => get_bloginfo( 'version' ),
			'plugin_connection_enabled' => true,
			'two_way_sync_enabled'      => (bool) get_option( 'igny8_two_way_sync', true ),
		);
	}

	/**
	 * Pushes the structure to the integration (seed `igny8_sync_site_structure_to_backend()`): finds the
	 * site's WordPress integration, then POSTs update-structure. Non-blocking for the caller.
	 *
	 * @return true|WP_Error
	 */
	public static function push( ?Igny8_API $api = null ) {
		$api = $api ? $api : new Igny8_API();
		if ( ! Igny8_Settings::is_connected() ) {
			return new WP_Error( 'igny8_not_connected', __( 'This site is not connected to IGNY8.', 'igny8-sync' ) );
		}
		$integration = self::find_integration( $api, Igny8_Settings::site_id() );
		if ( is_wp_error( $integration ) ) {
			Igny8_Log::info( 'Failed to fetch integrations. Error: ' . $integration->get_error_message() );
			Igny8_Settings::set_error( $integration->get_error_message() );
			return $integration;
		}
		update_option( 'igny8_integration_id', $integration );
		Igny8_Log::info( 'Integration ID retrieved: ' . $integration );

		$structure = self::gather();
		Igny8_Log::info( sprintf( 'Structure gathered: %d post types, %d taxonomies', count( (array) $structure['post_types'] ), count( (array) $structure['taxonomies'] ) ) );
		$res = $api->post( 'integration/integrations/' . $integration . '/update-structure/', $structure );
		if ( is_wp_error( $res ) ) {
			Igny8_Log::info( 'Failed to sync site structure to integration ' . $integration . '. Error: ' . $res->get_error_message() );
			Igny8_Settings::set_error( $res->get_error_message() );
			return $res;
		}
		update_option( 'igny8_structure_synced', 1 );
		update_option( 'igny8_last_structure_sync', time() );
		Igny8_Settings::clear_error();
		Igny8_Log::info( 'Site structure synced successfully to integration ' . $integration );
		return true;
	}

	/**
	 * The id of the site's WordPress integration. Accepts the paginated (results[0]), array (data[0])
	 * and object (data) answers the seeds describe.
	 *
	 * @return int|WP_Error
	 */
	public static function find_integration( Igny8_API $api, $site_id ) {
		$res = $api->get( 'integration/integrations/?site=' . rawurlencode( (string) $site_id ) . '&platform=wordpress' );
		if ( is_wp_error( $res ) ) {
			return $res;
		}
		$candidates = array();
		if ( isset( $res['results'] ) && is_array( $res['results'] ) ) {
			$candidates = $res['results'];
		} elseif ( isset( $res['data']['results'] ) && is_array( $res['data']['results'] ) ) {
			$candidates = $res['data']['results'];
		} elseif ( isset( $res['data'] ) && is_array( $res['data'] ) && isset( $res['data'][0] ) ) {
			$candidates = $res['data'];
		} elseif ( isset( $res['data']['id'] ) ) {
			$candidates = array( $res['data'] );
		} elseif ( isset( $res[0] ) ) {
			$candidates = $res;
		}
		foreach ( $candidates as $row ) {
			if ( is_array( $row ) && isset( $row['id'] ) && ( ! isset( $row['platform'] ) || 'wordpress' === $row['platform'] ) ) {
				return (int) $row['id'];
			}
		}
		Igny8_Log::info( 'Could not find valid WordPress integration for site ' . $site_id );
		/* translators: %d: IGNY8 site id */
		return new WP_Error( 'igny8_no_integration', sprintf( __( 'IGNY8 has no WordPress integration for site %d. Create one in IGNY8, then connect again.', 'igny8-sync' ), (int) $site_id ) );
	}

	private static function entry( $group, $slug, $label, $count ) {
		$s     = Igny8_Settings::type_setting( $group, $slug );
		$label = trim( html_entity_decode( wp_strip_all_tags( (string) $label ), ENT_QUOTES, 'UTF-8' ) );
		return array(
			'label'       => '' !== $label ? mb_substr( $label, 0, 200 ) : $slug,
			'count'       => max( 0, (int) $count ),
			'enabled'     => $s['enabled'],
			'fetch_limit' => $s['fetch_limit'],
		);
	}

	/** The API accepts `^[a-z0-9_-]{1,32}$`; WordPress allows a little more (rare), which is left out. */
	private static function valid_slug( $slug ) {
		return (bool) preg_match( '/^[a-z0-9_-]{1,32}$/', (string) $slug );
	}
}
