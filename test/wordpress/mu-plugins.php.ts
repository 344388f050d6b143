// The must-use plugins of every instance (PHP sources), loaded from its own WPMU_PLUGIN_DIR.
import { join } from 'node:path'
import { CONFIG_REV_HEADER, CONFIG_REV_PREFIX } from './config-append'
import { MARKER } from './constants'
import { phpString } from './util'

/** Registers the fixture post type `product` and taxonomy `product_cat`. */
export const MU_TYPES = `<?php
/* Plugin Name: IGNY8 test fixtures: product + product_cat (${MARKER}) */
add_action('init', function () {
    register_taxonomy('product_cat', ['product'], [
        'label'        => 'Product Categories',
        'labels'       => ['name' => 'Product Categories', 'singular_name' => 'Product Category'],
        'public'       => true,
        'show_ui'      => true,
        'show_in_rest' => true,
        'hierarchical' => true,
        'rewrite'      => ['slug' => 'product-category'],
    ]);
    register_post_type('product', [
        'label'        => 'Products',
        'labels'       => ['name' => 'Products', 'singular_name' => 'Product'],
        'public'       => true,
        'show_ui'      => true,
        'show_in_rest' => true,
        'has_archive'  => true,
        'rewrite'      => ['slug' => 'products'],
        'supports'     => ['title', 'editor', 'excerpt', 'thumbnail', 'custom-fields'],
        'taxonomies'   => ['product_cat'],
    ]);
}, 0);
`

/** Outbound HTTP only to loopback; no emoji CDN, avatars or mail. */
export const MU_GUARD = `<?php
/* Plugin Name: IGNY8 test loopback guard (${MARKER})
 * Outbound HTTP only to loopback: every other host is refused before any DNS lookup
 * (*.wordpress.org, w.org, gravatar get a synthetic 503, others WP_Error wp_peer_blocked).
 * Loopback targets pass wp_safe_remote_*() (host "external", any port). No emoji CDN,
 * no s.w.org dns-prefetch, no avatars, no mail. */
function igny8_harness_is_loopback($host) {
    $host = strtolower(trim((string) $host, '[]'));
    if ($host === 'localhost' || $host === '::1' || substr($host, -10) === '.localhost') {
        return true;
    }
    return (bool) preg_match('/^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$/', $host);
}
add_filter('pre_http_request', function ($pre, $args, $url) {
    if (false !== $pre) {
        return $pre;
    }
    $host = (string) parse_url($url, PHP_URL_HOST);
    if (igny8_harness_is_loopback($host)) {
        return $pre;
    }
    if (preg_match('/(^|\\.)(wordpress\\.org|w\\.org|wordpress\\.com|wp\\.com|gravatar\\.com)$/i', $host)) {
        return [
            'headers'  => [],
            'body'     => '',
            'response' => ['code' => 503, 'message' => 'Service Unavailable'],
            'cookies'  => [],
            'filename' => null,
        ];
    }
    return new WP_Error('wp_peer_blocked', sprintf('Test WordPress: outbound HTTP to non-loopback host "%s" is blocked.', $host));
}, PHP_INT_MAX, 3);
add_filter('http_request_host_is_external', function ($external, $host) {
    return igny8_harness_is_loopback($host) ? true : $external;
}, 10, 2);
add_filter('http_allowed_safe_ports', function ($ports, $host, $url) {
    if (igny8_harness_is_loopback($host)) {
        $port = parse_url($url, PHP_URL_PORT);
        if ($port) {
            $ports[] = (int) $port;
        }
    }
    return $ports;
}, 10, 3);
remove_action('wp_head', 'print_emoji_detection_script', 7);
remove_action('admin_print_scripts', 'print_emoji_detection_script');
remove_action('embed_head', 'print_emoji_detection_script');
remove_action('wp_print_styles', 'print_emoji_styles');
remove_action('admin_print_styles', 'print_emoji_styles');
add_filter('emoji_svg_url', '__return_false');
add_filter('wp_resource_hints', function ($urls, $relation) {
    return $relation === 'dns-prefetch' ? [] : $urls;
}, 10, 2);
/* WP-Cron's HTTPS detection would request https://127.0.0.1:PORT/ (php -S: "Unsupported SSL request") */
add_filter('pre_wp_update_https_detection_errors', function () {
    return new WP_Error('igny8_http_only', 'Test WordPress is served over plain http.');
});
add_filter('pre_option_show_avatars', function () { return '0'; });
add_filter('pre_wp_mail', '__return_true');
`

/** Points uploads at the instance's temp dir (Debian's wp-content is shared and read-only here). */
export function muInstance(o: { dir: string; url: string }): string {
  return `<?php
/* Plugin Name: IGNY8 test instance settings (${MARKER}): uploads live in the instance's temp dir; the config revision header */
add_filter('upload_dir', function ($d) {
    $base = ${phpString(join(o.dir, 'uploads'))};
    $baseurl = ${phpString(o.url + '/wp-content/uploads')};
    $d['path'] = $base . $d['subdir'];
    $d['url'] = $baseurl . $d['subdir'];
    $d['basedir'] = $base;
    $d['baseurl'] = $baseurl;
    $d['error'] = false;
    return $d;
});
/* Which revision of the instance's config this request runs (see test/wordpress/config-append.ts). */
if (!headers_sent()) {
    $igny8_rev = 0;
    foreach (array_keys(get_defined_constants(true)['user']) as $igny8_c) {
        if (strncmp($igny8_c, '${CONFIG_REV_PREFIX}', ${CONFIG_REV_PREFIX.length}) === 0) {
            $igny8_rev = max($igny8_rev, (int) substr($igny8_c, ${CONFIG_REV_PREFIX.length}));
        }
    }
    header('${CONFIG_REV_HEADER}: ' . $igny8_rev);
}
`
}
