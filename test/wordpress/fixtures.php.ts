// The fixtures script (PHP, run once after wp_install): clears the sample content, sets pretty
// permalinks, creates the terms, posts, pages, products and media of README.md, an Application
// Password, and prints one JSON line with what WordPress counts.

export const FIXTURES_PHP = `<?php
global $wpdb, $wp_rewrite;
function igny8_fail($what, $err) {
    fwrite(STDERR, "fixtures: $what: " . (is_wp_error($err) ? $err->get_error_message() : print_r($err, true)) . "\\n");
    exit(3);
}
function igny8_term($name, $tax, $parent = 0) {
    $r = wp_insert_term($name, $tax, ['parent' => $parent, 'description' => "$name (fixture)"]);
    if (is_wp_error($r)) igny8_fail("term $tax/$name", $r);
    return (int) $r['term_id'];
}
function igny8_post(array $a) {
    $a += ['post_status' => 'publish', 'post_author' => get_current_user_id(), 'post_type' => 'post'];
    $id = wp_insert_post(wp_slash($a), true);
    if (is_wp_error($id)) igny8_fail("post {$a['post_title']}", $id);
    return (int) $id;
}
function igny8_terms($id, array $terms, $tax) {
    $r = wp_set_object_terms($id, array_map('intval', $terms), $tax);
    if (is_wp_error($r)) igny8_fail("terms $tax for $id", $r);
}

/* wp_install's sample content goes: Hello world!, Sample Page, Privacy Policy draft */
foreach ($wpdb->get_col("SELECT ID FROM {$wpdb->posts}") as $id) {
    wp_delete_post((int) $id, true);
}
update_option('wp_page_for_privacy_policy', 0);
update_option('blogdescription', 'IGNY8 Sync test fixtures');
update_option('timezone_string', 'UTC');
$wp_rewrite->set_permalink_structure('/%postname%/');   /* not update_option(): keeps old rules */
$wp_rewrite->flush_rules(false);

$cats = ['uncategorized' => (int) get_option('default_category')];
$cats['news'] = igny8_term('News', 'category');
$cats['technology'] = igny8_term('Technology', 'category');
$cats['ai'] = igny8_term('AI', 'category', $cats['technology']);
$cats['travel'] = igny8_term('Travel', 'category');
$cats['empty-category'] = igny8_term('Empty Category', 'category');

$tags = [];
foreach (['SEO', 'Marketing', 'AI Tools', 'How To', 'Review', 'Roundup'] as $name) {
    $tags[sanitize_title($name)] = igny8_term($name, 'post_tag');
}
$pcats = [];
$pcats['clothing'] = igny8_term('Clothing', 'product_cat');
$pcats['shirts'] = igny8_term('Shirts', 'product_cat', $pcats['clothing']);
$pcats['electronics'] = igny8_term('Electronics', 'product_cat');
$pcats['books'] = igny8_term('Books', 'product_cat');

$cycle = [$cats['news'], $cats['technology'], $cats['ai'], $cats['travel']];
$tagIds = array_values($tags);
$posts = [];
for ($i = 1; $i <= 12; $i++) {
    $id = igny8_post([
        'post_title'   => "Fixture Post $i",
        'post_name'    => "fixture-post-$i",
        'post_content' => "<!-- wp:paragraph -->\\n<p>Body of fixture post $i.</p>\\n<!-- /wp:paragraph -->",
        'post_excerpt' => "Excerpt of fixture post $i.",
        'post_date'    => sprintf('2024-01-%02d 10:00:00', $i),
    ]);
    igny8_terms($id, $i === 12 ? [$cats['uncategorized']] : [$cycle[($i - 1) % 4]], 'category');
    $t = [$tagIds[($i - 1) % 6]];
    if ($i % 2 === 0) $t[] = $tagIds[$i % 6];
    igny8_terms($id, $t, 'post_tag');
    $posts[] = $id;
}
$draftPost = igny8_post([
    'post_title' => 'Fixture Draft Post', 'post_name' => 'fixture-draft-post', 'post_status' => 'draft',
    'post_content' => '<p>Not published.</p>',
]);
igny8_terms($draftPost, [$cats['news']], 'category');

$pages = [];
$pages[] = $about = igny8_post(['post_type' => 'page', 'post_title' => 'About', 'post_name' => 'about', 'post_content' => '<p>About us.</p>', 'menu_order' => 1]);
$pages[] = igny8_post(['post_type' => 'page', 'post_title' => 'Contact', 'post_name' => 'contact', 'post_content' => '<p>Contact us.</p>', 'menu_order' => 2]);
$pages[] = igny8_post(['post_type' => 'page', 'post_title' => 'Team', 'post_name' => 'team', 'post_content' => '<p>Our team.</p>', 'post_parent' => $about]);

$pc = [[$pcats['clothing']], [$pcats['shirts']], [$pcats['electronics']], [$pcats['books']],
       [$pcats['clothing'], $pcats['shirts']], [$pcats['electronics']], [$pcats['books']]];
$products = [];
for ($i = 1; $i <= 7; $i++) {
    $id = igny8_post([
        'post_type' => 'product', 'post_title' => "Fixture Product $i", 'post_name' => "fixture-product-$i",
        'post_content' => "<p>Description of fixture product $i.</p>", 'post_excerpt' => "Product $i.",
        'post_date' => sprintf('2024-02-%02d 10:00:00', $i),
    ]);
    igny8_terms($id, $pc[$i - 1], 'product_cat');
    $products[] = $id;
}
$draftProduct = igny8_post(['post_type' => 'product', 'post_title' => 'Fixture Draft Product', 'post_name' => 'fixture-draft-product', 'post_status' => 'draft']);
igny8_terms($draftProduct, [$pcats['books']], 'product_cat');

/* one media item (1x1 PNG) in this instance's uploads dir, featured image of post 1 */
$png = base64_decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==');
$up = wp_upload_bits('fixture-pixel.png', null, $png, '2024/01');
if (!empty($up['error'])) igny8_fail('upload', $up['error']);
$attachment = wp_insert_attachment(['post_mime_type' => 'image/png', 'post_title' => 'Fixture Pixel', 'post_status' => 'inherit', 'post_date' => '2024-01-01 09:00:00'], $up['file'], $posts[0], true);
if (is_wp_error($attachment)) igny8_fail('attachment', $attachment);
require_once ABSPATH . 'wp-admin/includes/image.php';
wp_update_attachment_metadata($attachment, wp_generate_attachment_metadata($attachment, $up['file']));
set_post_thumbnail($posts[0], $attachment);

if (!wp_is_application_passwords_available()) igny8_fail('application passwords', 'not available (WP_ENVIRONMENT_TYPE must be local on http)');
$app = WP_Application_Passwords::create_new_application_password(get_current_user_id(), ['name' => 'IGNY8 Sync tests']);
if (is_wp_error($app)) igny8_fail('application password', $app);

$types = [];
foreach (get_post_types(['public' => true, 'show_ui' => true], 'objects') as $name => $o) {
    if ($name === 'attachment') continue;
    $c = wp_count_posts($name);
    $types[$name] = ['slug' => $name, 'label' => $o->label, 'restBase' => $o->rest_base ?: $name, 'count' => (int) ($c->publish ?? 0)];
}
$taxes = [];
foreach (get_taxonomies(['public' => true, 'show_ui' => true], 'objects') as $name => $o) {
    $taxes[$name] = [
        'slug' => $name, 'label' => $o->label, 'restBase' => $o->rest_base ?: $name,
        'hierarchical' => (bool) $o->hierarchical, 'objectTypes' => array_values($o->object_type),
        'count' => (int) wp_count_terms(['taxonomy' => $name, 'hide_empty' => false]),
    ];
}
echo json_encode([
    'appPassword' => $app[0],
    'fixtures' => [
        'posts' => $types['post']['count'],
        'draftPosts' => (int) wp_count_posts('post')->draft,
        'pages' => $types['page']['count'],
        'products' => $types['product']['count'],
        'draftProducts' => (int) wp_count_posts('product')->draft,
        'attachments' => (int) wp_count_posts('attachment')->inherit,
        'categories' => $taxes['category']['count'],
        'tags' => $taxes['post_tag']['count'],
        'productCats' => $taxes['product_cat']['count'],
        'postTypes' => $types,
        'taxonomies' => $taxes,
        'ids' => [
            'adminUser' => get_current_user_id(),
            'posts' => $posts, 'draftPost' => $draftPost, 'pages' => $pages,
            'products' => $products, 'draftProduct' => $draftProduct, 'attachment' => (int) $attachment,
            'categories' => $cats, 'tags' => $tags, 'productCats' => $pcats,
        ],
    ],
]);
`
