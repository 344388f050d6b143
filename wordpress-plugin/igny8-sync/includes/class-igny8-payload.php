<?php
/**
 * What a post or a term looks like on the wire: the shapes sync-content and sync-terms take (contract
 * "Content sync" and "Content bodies"), read from WordPress.
 */

defined( 'ABSPATH' ) || exit;

final class Igny8_Payload {

	/** A term as sync-terms takes it. */
	public static function term( WP_Term $t ) {
		return array(
			'external_id' => (int) $t->term_id,
			'taxonomy'    => $t->taxonomy,
			'name'        => self::text( $t->name ),
			'slug'        => urldecode( $t->slug ),
			'parent'      => (int) $t->parent,
			'description' => (string) $t->description,
		);
	}

	/** A post as sync-content takes it, with its body (contract "Content bodies"). */
	public static function item( WP_Post $p ) {
		$terms = array();
		foreach ( get_object_taxonomies( $p->post_type ) as $tax ) {
			if ( ! Igny8_Structure::taxonomy_enabled( $tax ) ) {
				continue;
			}
			$ids = wp_get_object_terms( $p->ID, $tax, array( 'fields' => 'ids' ) );
			if ( ! is_wp_error( $ids ) ) {
				$terms[ $tax ] = array_map( 'intval', $ids );
			}
		}
		$author = $p->post_author ? get_userdata( (int) $p->post_author ) : false;
		$item   = array(
			'external_id'  => (int) $p->ID,
			'post_type'    => $p->post_type,
			'title'        => self::text( $p->post_title ),
			'slug'         => urldecode( $p->post_name ),
			'status'       => $p->post_status,
			'url'          => (string) get_permalink( $p ),
			'modified_at'  => self::gmt( $p->post_modified_gmt ),
			'terms'        => $terms ? $terms : new stdClass(),
			'content'      => (string) $p->post_content,
			'excerpt'      => (string) $p->post_excerpt,
			'published_at' => self::gmt( $p->post_date_gmt ),
			'author'       => $author ? array(
				'id'   => (int) $author->ID,
				'name' => (string) $author->display_name,
			) : null,
		);
		$seo = self::seo( $p->ID );
		if ( $seo ) {
			$item['seo'] = $seo;
		}
		return $item;
	}

	/** SEO title and description from Yoast or Rank Math, when one of them is in use, else the plugin's own. */
	private static function seo( $post_id ) {
		$title = (string) get_post_meta( $post_id, '_yoast_wpseo_title', true );
		$desc  = (string) get_post_meta( $post_id, '_yoast_wpseo_metadesc', true );
		if ( '' === $title && '' === $desc ) {
			$title = (string) get_post_meta( $post_id, 'rank_math_title', true );
			$desc  = (string) get_post_meta( $post_id, 'rank_math_description', true );
		}
		if ( '' === $title && '' === $desc ) { // set by push-back when no SEO plugin is active
			$title = (string) get_post_meta( $post_id, '_igny8_seo_title', true );
			$desc  = (string) get_post_meta( $post_id, '_igny8_seo_description', true );
		}
		return ( '' === $title && '' === $desc ) ? null : array(
			'title'       => $title,
			'description' => $desc,
		);
	}

	/** `post_date_gmt`-style value as RFC 3339, or null for WordPress's zero date. */
	private static function gmt( $mysql ) {
		if ( ! $mysql || '0000-00-00 00:00:00' === $mysql ) {
			return null;
		}
		$ts = strtotime( $mysql . ' UTC' );
		return false === $ts ? null : gmdate( 'c', $ts );
	}

	/** Titles and term names are stored with HTML entities (&amp;); IGNY8 gets the text. */
	private static function text( $s ) {
		return html_entity_decode( (string) $s, ENT_QUOTES, 'UTF-8' );
	}
}
