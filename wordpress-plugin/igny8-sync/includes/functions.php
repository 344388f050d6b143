<?php
/**
 * The seeds' function names, kept as the public face of the structure sync.
 */

defined( 'ABSPATH' ) || exit;

/** The site's post types and taxonomies with counts and settings, as update-structure takes them. */
function igny8_get_site_structure() {
	return Igny8_Structure::gather();
}

/** Pushes the structure to IGNY8; true on success, false otherwise (the reason is logged and kept). */
function igny8_sync_site_structure_to_backend() {
	return true === Igny8_Structure::push();
}
