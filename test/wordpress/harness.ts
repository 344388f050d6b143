/**
 * A REAL WordPress (Debian 12 packages) on loopback, for tests.
 *
 *   const wp = await startWordPress();          // ~5 s once the packages are installed
 *   fetch(`${wp.url}/wp-json/wp/v2/types?context=edit`, {
 *     headers: { Authorization: basicAuth(wp.adminUser, wp.appPassword) } });
 *   await wp.wpEval(`echo wp_count_posts()->publish;`);
 *   await wp.stop();
 *
 * Per instance: a private MariaDB (own data dir, socket only, --skip-networking),
 * `php -S 127.0.0.1:PORT` with 4 workers and a router, a Debian-style
 * /etc/wordpress/config-127.0.0.1-port-PORT.php (selected by the port through
 * /etc/wordpress/config-127.0.0.1.php), its own mu-plugins and uploads dirs under a
 * temp dir. Every process is tracked by its own pid and stopped by pid in stop(),
 * on process exit, and by a small watchdog if the test process dies abruptly.
 * See README.md for the fixture numbers. Facts and traps: /work/shared/WORDPRESS.md.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  chmodSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// ---------------------------------------------------------------------------
// Public API

export interface PostTypeFixture {
  slug: string
  /** plural label, as REST's `name` ("Products") */
  label: string
  restBase: string
  /** published items (= X-WP-Total of /wp/v2/<restBase>) */
  count: number
}

export interface TaxonomyFixture {
  slug: string
  label: string
  restBase: string
  hierarchical: boolean
  objectTypes: string[]
  /** ALL terms, empty ones included (= X-WP-Total of /wp/v2/<restBase>) */
  count: number
}

export interface Fixtures {
  /** published posts (the draft is not counted) */
  posts: number
  draftPosts: number
  /** published pages */
  pages: number
  /** published products (custom post type `product`) */
  products: number
  draftProducts: number
  /** media items (attachment is never part of the synced structure) */
  attachments: number
  /** all category terms, incl. "Uncategorized", a child and an empty one */
  categories: number
  tags: number
  /** all product_cat terms, incl. a child */
  productCats: number
  /** every post type that is public && show_ui, except attachment (post, page, product) */
  postTypes: Record<string, PostTypeFixture>
  /** every taxonomy that is public && show_ui (category, post_tag, product_cat) */
  taxonomies: Record<string, TaxonomyFixture>
  /** ids of what was created, for content tests */
  ids: {
    adminUser: number
    posts: number[]
    draftPost: number
    pages: number[]
    products: number[]
    draftProduct: number
    attachment: number
    categories: Record<string, number>
    tags: Record<string, number>
    productCats: Record<string, number>
  }
}

export interface WordPress {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  url: string
  adminUser: string
  adminPassword: string
  /** a real WordPress Application Password of adminUser (Basic auth over http works: WP_ENVIRONMENT_TYPE=local) */
  appPassword: string
  fixtures: Fixtures
  /**
   * Runs PHP inside WordPress (wp-load.php, current user = admin) with php-cli and
   * returns its stdout. `php` may or may not start with `<?php`. Throws (with stderr)
   * when PHP exits non-zero, e.g. on a fatal error or `exit(1)`.
   */
  wpEval(php: string): Promise<string>
  /** Stops every process of this instance (by pid), removes its config and temp dir. Idempotent. */
  stop(): Promise<void>
}

/** `Authorization` header value for Basic auth. */
export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
}

/** The numbers the fixtures are built to have (the harness checks WordPress agrees). */
export const EXPECTED_FIXTURES = {
  posts: 12,
  draftPosts: 1,
  pages: 3,
  products: 7,
  draftProducts: 1,
  attachments: 1,
  categories: 6, // Uncategorized, News, Technology, AI (child of Technology), Travel, Empty Category
  tags: 6,
  productCats: 4, // Clothing, Shirts (child of Clothing), Electronics, Books
} as const

// ---------------------------------------------------------------------------
// Constants

const HERE = import.meta.dir
const INSTALL_DEPS = join(HERE, 'install-deps.sh')
const DOCROOT = '/usr/share/wordpress'
const DEBIAN_CONTENT = '/var/lib/wordpress/wp-content'
const ETC = '/etc/wordpress'
const DISPATCHER = `${ETC}/config-127.0.0.1.php`
const MARKER = 'igny8-wordpress-test-harness'
const ADMIN_USER = 'admin'
const DEBUG = !!process.env.IGNY8_WP_DEBUG

const log = (msg: string) => console.error(`[wordpress-harness] ${msg}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------
// Process bookkeeping (by pid only)

function readProcChildren(pid: number): number[] {
  const out: number[] = []
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
        if (c) out.push(Number(c))
      }
    } catch {}
  }
  return out
}

/** pid plus all its descendants (children first-level order) */
function processTree(pid: number): number[] {
  const all = [pid]
  for (let i = 0; i < all.length; i++) for (const c of readProcChildren(all[i]!)) if (!all.includes(c)) all.push(c)
  return all
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

function signal(pids: number[], sig: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig)
    } catch {}
  }
}

async function terminate(pids: number[], graceMs: number) {
  pids = pids.filter(isAlive)
  if (!pids.length) return
  signal(pids, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!pids.some(isAlive)) return
    await sleep(25)
  }
  signal(pids.filter(isAlive), 'SIGKILL')
  const hard = Date.now() + 3000
  while (Date.now() < hard && pids.some(isAlive)) await sleep(25)
}

const live = new Set<Instance>()
let exitHookInstalled = false
function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const inst of live) inst.killSync()
  })
}

// ---------------------------------------------------------------------------
// Helpers

function tail(path: string, lines = 25): string {
  try {
    const t = readFileSync(path, 'utf8').trimEnd().split('\n')
    return t.slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

function randomToken(len: number): string {
  const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  const bytes = crypto.getRandomValues(new Uint8Array(len))
  let s = ''
  for (const b of bytes) s += abc[b % abc.length]
  return s
}

function writeAtomic(path: string, content: string, mode = 0o644) {
  const tmp = `${path}.${process.pid}.${randomToken(6)}.tmp`
  writeFileSync(tmp, content, { mode })
  renameSync(tmp, path)
}

function phpString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'"
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)))
  })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

async function run(
  cmd: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let timedOut = false
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true
        signal(processTree(proc.pid), 'SIGKILL')
      }, opts.timeoutMs)
    : undefined
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (timer) clearTimeout(timer)
  return { code, stdout, stderr, timedOut }
}

// ---------------------------------------------------------------------------
// Packages

let depsChecked: Promise<void> | undefined
function ensurePackages(): Promise<void> {
  depsChecked ??= (async () => {
    const t0 = Date.now()
    const cmdline = process.getuid?.() === 0 ? INSTALL_DEPS : `sudo ${INSTALL_DEPS}`
    if (!existsSync(INSTALL_DEPS)) throw new Error(`WordPress harness: ${INSTALL_DEPS} is missing`)
    const r = await run(['bash', INSTALL_DEPS], { timeoutMs: 900_000 })
    if (r.code !== 0) {
      throw new Error(
        `WordPress harness: the Debian packages are missing and could not be installed.\n` +
          `Run as root:  ${cmdline}\n--- install-deps.sh said (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n` +
          (r.stderr + r.stdout).trim().split('\n').slice(-30).join('\n'),
      )
    }
    if (/installing/.test(r.stderr)) log(`installed Debian packages in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    for (const f of ['/usr/sbin/mariadbd', `${DOCROOT}/wp-load.php`, '/usr/bin/php']) {
      if (!existsSync(f)) throw new Error(`WordPress harness: ${f} is missing after install-deps.sh. Run as root: ${cmdline}`)
    }
  })()
  const p = depsChecked
  p.catch(() => {
    if (depsChecked === p) depsChecked = undefined // allow a retry later
  })
  return p
}

// ---------------------------------------------------------------------------
// Files written per instance

function dispatcherPhp(): string {
  return `<?php
/* ${MARKER}: dispatcher written by the IGNY8 test harness (test/wordpress/harness.ts).
 * Debian's wp-config.php loads config-<host>.php; for 127.0.0.1 this picks the
 * per-port file config-127.0.0.1-port-<PORT>.php of the test instance on that port. */
$igny8_harness_port = '';
if (isset($_SERVER['HTTP_HOST']) && preg_match('/:(\\d+)$/', $_SERVER['HTTP_HOST'], $igny8_harness_m)) {
    $igny8_harness_port = $igny8_harness_m[1];
} elseif (isset($_SERVER['SERVER_PORT'])) {
    $igny8_harness_port = preg_replace('/\\D/', '', (string) $_SERVER['SERVER_PORT']);
}
$igny8_harness_file = __DIR__ . '/config-127.0.0.1-port-' . $igny8_harness_port . '.php';
if ($igny8_harness_port === '' || !is_file($igny8_harness_file)) {
    header('HTTP/1.0 404 Not Found');
    echo 'No IGNY8 test WordPress is configured for 127.0.0.1:' . htmlspecialchars($igny8_harness_port);
    exit(1);
}
unset($igny8_harness_m, $igny8_harness_port);
require $igny8_harness_file;
`
}

function instanceConfigPhp(o: { port: number; dir: string; socket: string; dbPassword: string; url: string }): string {
  const salts = [
    'AUTH_KEY',
    'SECURE_AUTH_KEY',
    'LOGGED_IN_KEY',
    'NONCE_KEY',
    'AUTH_SALT',
    'SECURE_AUTH_SALT',
    'LOGGED_IN_SALT',
    'NONCE_SALT',
  ]
    .map((k) => `define('${k}', '${randomToken(48)}');`)
    .join('\n')
  return `<?php
/* ${MARKER}: WordPress test instance on ${o.url}, temp dir ${o.dir}.
 * Written and removed by the IGNY8 test harness (test/wordpress/harness.ts). */
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', ${phpString(o.dbPassword)});
define('DB_HOST', ${phpString('localhost:' + o.socket)});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
define('WP_HOME', ${phpString(o.url)});
define('WP_SITEURL', ${phpString(o.url)});
define('WP_ENVIRONMENT_TYPE', 'local');      /* Application Passwords over plain http */
define('WPMU_PLUGIN_DIR', ${phpString(join(o.dir, 'mu-plugins'))});
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);
define('IGNY8_TEST_DIR', ${phpString(o.dir)});
${salts}
if (PHP_SAPI !== 'cli') {
    ini_set('display_errors', '0');
}
`
}

function routerPhp(o: { dir: string; token: string }): string {
  return `<?php
/* Router for php -S: ${MARKER}.
 * /wp-content/uploads/* -> this instance's uploads dir; other /wp-content/* -> Debian's
 * ${DEBIAN_CONTENT} (Apache Alias in Debian); existing files -> php -S itself;
 * everything else (pretty permalinks, /wp-json/*) -> index.php. */
$__igny8_path = rawurldecode((string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH));
if ($__igny8_path === '/__igny8_harness_ping') {
    header('Content-Type: text/plain');
    echo ${phpString(o.token)};
    return true;
}
if (strpos($__igny8_path, '..') !== false || strpos($__igny8_path, "\\0") !== false) {
    http_response_code(400);
    echo 'bad path';
    return true;
}
$__igny8_file = null;
if (strncmp($__igny8_path, '/wp-content/uploads/', 20) === 0) {
    $__igny8_file = ${phpString(join(o.dir, 'uploads'))} . substr($__igny8_path, 19);
} elseif (strncmp($__igny8_path, '/wp-content/', 12) === 0) {
    $__igny8_file = ${phpString(DEBIAN_CONTENT)} . substr($__igny8_path, 11);
}
if ($__igny8_file !== null) {
    if (!is_file($__igny8_file)) {
        http_response_code(404);
        header('Content-Type: text/plain');
        echo 'Not Found';
        return true;
    }
    $__igny8_ext = strtolower(pathinfo($__igny8_file, PATHINFO_EXTENSION));
    if ($__igny8_ext === 'php') {
        $_SERVER['SCRIPT_FILENAME'] = $__igny8_file;
        $_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = $__igny8_path;
        chdir(dirname($__igny8_file));
        require $__igny8_file;
        return true;
    }
    $__igny8_types = [
        'css' => 'text/css', 'js' => 'application/javascript', 'json' => 'application/json',
        'png' => 'image/png', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'gif' => 'image/gif',
        'webp' => 'image/webp', 'svg' => 'image/svg+xml', 'ico' => 'image/x-icon', 'avif' => 'image/avif',
        'woff' => 'font/woff', 'woff2' => 'font/woff2', 'ttf' => 'font/ttf', 'otf' => 'font/otf',
        'txt' => 'text/plain', 'html' => 'text/html', 'htm' => 'text/html', 'xml' => 'application/xml',
        'pdf' => 'application/pdf', 'mp4' => 'video/mp4', 'mp3' => 'audio/mpeg', 'zip' => 'application/zip',
    ];
    header('Content-Type: ' . ($__igny8_types[$__igny8_ext] ?? 'application/octet-stream'));
    header('Content-Length: ' . filesize($__igny8_file));
    if (($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'HEAD') {
        readfile($__igny8_file);
    }
    return true;
}
$__igny8_file = ${phpString(DOCROOT)} . $__igny8_path;
if ($__igny8_path !== '/' && (is_file($__igny8_file) || (is_dir($__igny8_file) && is_file(rtrim($__igny8_file, '/') . '/index.php')))) {
    return false; /* php -S serves or runs it */
}
unset($__igny8_path, $__igny8_file);
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = ${phpString(DOCROOT + '/index.php')};
chdir(${phpString(DOCROOT)});
require ${phpString(DOCROOT + '/index.php')};
return true;
`
}

/** Bootstraps WordPress for php-cli, then requires the file given as argv[1] at global scope. */
function bootPhp(o: { port: number }): string {
  return `<?php
/* ${MARKER}: php-cli bootstrap (wpEval, install, fixtures) */
$_SERVER['HTTP_HOST'] = '127.0.0.1:${o.port}';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '${o.port}';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
define('DISABLE_WP_CRON', true);
if (getenv('IGNY8_WP_INSTALLING') === '1') {
    define('WP_INSTALLING', true);
}
require_once ${phpString(DOCROOT + '/wp-load.php')};
if (!defined('WP_INSTALLING') || !WP_INSTALLING) {
    $__igny8_admin = get_user_by('login', ${phpString(ADMIN_USER)});
    if ($__igny8_admin) {
        wp_set_current_user($__igny8_admin->ID);
    }
    unset($__igny8_admin);
}
require $argv[1];
`
}

const MU_TYPES = `<?php
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

const MU_GUARD = `<?php
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

function muInstance(o: { dir: string; url: string }): string {
  return `<?php
/* Plugin Name: IGNY8 test instance settings (${MARKER}): uploads live in the instance's temp dir */
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
`
}

const INSTALL_PHP = `<?php
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
/* no loopback permalink probe: permalinks are set by the fixtures script */
add_filter('pre_http_request', function () { return new WP_Error('igny8_install', 'no HTTP during install'); }, 1);
$r = wp_install('IGNY8 Test Site', getenv('IGNY8_WP_ADMIN_USER'), 'admin@example.test', false, '', wp_slash(getenv('IGNY8_WP_ADMIN_PASSWORD')));
echo json_encode(['user_id' => (int) $r['user_id']]);
`

const FIXTURES_PHP = `<?php
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

const WATCHDOG_SH = `# ${MARKER} watchdog: when the test process dies without stop(), stop this instance by pid
owner="$1"; php="$2"; db="$3"; conf="$4"; dir="$5"
tail --pid="$owner" -f /dev/null
kids="$(cat /proc/$php/task/*/children 2>/dev/null)"
kill -TERM $kids $db 2>/dev/null
sleep 0.3
kill -TERM $php 2>/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 $kids $php $db 2>/dev/null || break; sleep 0.5; done
kill -KILL $kids $php $db 2>/dev/null
grep -qF "$dir" "$conf" 2>/dev/null && rm -f "$conf"
case "$dir" in */igny8-wp-*) rm -rf "$dir" ;; esac
`

// ---------------------------------------------------------------------------
// Instance

class Instance {
  dir: string
  port = 0
  url = ''
  socket: string
  configFile = ''
  dbPid = 0
  phpPid = 0
  phpWorkers: number[] = []
  watchdogPid = 0
  stopped = false
  evalSeq = 0
  token = randomToken(24)
  dbPassword = randomToken(24)

  constructor() {
    let base = tmpdir()
    if (base.length > 60) base = '/tmp' // unix socket paths are limited to 108 bytes
    this.dir = mkdtempSync(join(base, 'igny8-wp-'))
    this.socket = join(this.dir, 'mysql.sock')
  }

  logs(): string {
    return [
      `--- ${this.dir}/mariadb.err (tail)\n${tail(join(this.dir, 'mariadb.err'))}`,
      `--- ${this.dir}/php-server.log (tail)\n${tail(join(this.dir, 'php-server.log'))}`,
      `--- ${this.dir}/php-errors.log (tail)\n${tail(join(this.dir, 'php-errors.log'))}`,
    ].join('\n')
  }

  spawnDetached(cmd: string[], logFile: string, env?: Record<string, string>, cwd?: string): number {
    const fd = openSync(logFile, 'a')
    try {
      // setsid: own session, so a terminal's Ctrl-C reaches only the test process; the
      // watchdog then stops these by pid. setsid execs (no fork) since we are no group leader.
      const proc = Bun.spawn(['setsid', ...cmd], {
        cwd,
        env: { ...process.env, ...env },
        stdin: 'ignore',
        stdout: fd,
        stderr: fd,
      })
      proc.unref()
      return proc.pid
    } finally {
      closeSync(fd)
    }
  }

  async startMariaDB() {
    const data = join(this.dir, 'mysql')
    const r = await run(
      [
        'mariadb-install-db',
        '--no-defaults',
        `--datadir=${data}`,
        `--user=${process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root')}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        '--innodb-log-file-size=16M',
      ],
      { timeoutMs: 60_000 },
    )
    if (r.code !== 0) {
      throw new Error(`mariadb-install-db failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`)
    }
    writeFileSync(
      join(this.dir, 'init.sql'),
      `CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY '${this.dbPassword}';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';
`,
      { mode: 0o600 },
    )
    this.dbPid = this.spawnDetached(
      [
        '/usr/sbin/mariadbd',
        '--no-defaults',
        `--datadir=${data}`,
        `--socket=${this.socket}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        `--log-error=${join(this.dir, 'mariadb.err')}`,
        `--tmpdir=${this.dir}`,
        `--init-file=${join(this.dir, 'init.sql')}`,
        '--skip-networking',
        '--skip-name-resolve',
        '--skip-log-bin',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        '--innodb-buffer-pool-size=64M',
        '--innodb-log-file-size=16M',
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-doublewrite=0',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
      ],
      join(this.dir, 'mariadb.out'),
    )
    const deadline = Date.now() + 30_000
    for (;;) {
      if (!isAlive(this.dbPid)) throw new Error(`mariadbd exited during start-up\n${tail(join(this.dir, 'mariadb.out'))}`)
      if (existsSync(this.socket)) {
        const q = await run(
          ['mariadb', '--no-defaults', `--socket=${this.socket}`, '-uwordpress', `-p${this.dbPassword}`, '-e', 'SELECT 1', 'wordpress'],
          { timeoutMs: 10_000 },
        )
        if (q.code === 0) return
      }
      if (Date.now() > deadline) throw new Error('MariaDB did not become ready within 30 s')
      await sleep(50)
    }
  }

  async startPhpServer() {
    this.phpPid = this.spawnDetached(
      [
        'php',
        '-d',
        'display_errors=0',
        '-d',
        'display_startup_errors=0',
        '-d',
        'log_errors=1',
        '-d',
        `error_log=${join(this.dir, 'php-errors.log')}`,
        '-d',
        'memory_limit=512M',
        '-d',
        'upload_max_filesize=64M',
        '-d',
        'post_max_size=64M',
        '-S',
        `127.0.0.1:${this.port}`,
        '-t',
        DOCROOT,
        join(this.dir, 'router.php'),
      ],
      join(this.dir, 'php-server.log'),
      { PHP_CLI_SERVER_WORKERS: '4' },
      DOCROOT,
    )
    const deadline = Date.now() + 15_000
    for (;;) {
      if (!isAlive(this.phpPid)) throw new Error(`php -S exited during start-up (port ${this.port} taken?)`)
      try {
        const res = await fetch(`${this.url}/__igny8_harness_ping`, { signal: AbortSignal.timeout(2000) })
        const body = await res.text()
        if (res.status === 200 && body === this.token) break
        if (res.status !== 200 || body !== this.token) throw new Error(`port ${this.port} answered by another server`)
      } catch (e) {
        if (e instanceof Error && /another server/.test(e.message)) throw e
      }
      if (Date.now() > deadline) throw new Error('php -S did not answer within 15 s')
      await sleep(50)
    }
    // the workers are forked at start-up; they outlive a killed parent, so track them too
    const wDeadline = Date.now() + 2000
    while (readProcChildren(this.phpPid).length < 4 && Date.now() < wDeadline) await sleep(20)
    this.phpWorkers = readProcChildren(this.phpPid)
  }

  startWatchdog() {
    writeFileSync(join(this.dir, 'watchdog.sh'), WATCHDOG_SH)
    this.watchdogPid = this.spawnDetached(
      [
        'bash',
        join(this.dir, 'watchdog.sh'),
        String(process.pid),
        String(this.phpPid || 0),
        String(this.dbPid || 0),
        this.configFile,
        this.dir,
      ],
      join(this.dir, 'watchdog.log'),
    )
  }

  async php(code: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
    let src = code.trimStart()
    if (!src.startsWith('<?php')) src = '<?php\n' + code
    const file = join(this.dir, `eval-${++this.evalSeq}.php`)
    writeFileSync(file, src)
    try {
      const r = await run(
        ['php', '-d', 'display_errors=stderr', '-d', 'log_errors=0', '-d', 'memory_limit=512M', join(this.dir, 'boot.php'), file],
        { env: opts.env, cwd: DOCROOT, timeoutMs: opts.timeoutMs ?? 120_000 },
      )
      if (r.code !== 0 || r.timedOut) {
        throw new Error(
          `wpEval: php exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\n--- stderr\n${r.stderr.trim().split('\n').slice(-30).join('\n')}\n--- stdout\n${r.stdout.trim().split('\n').slice(-30).join('\n')}`,
        )
      }
      return r.stdout
    } finally {
      rmSync(file, { force: true })
    }
  }

  killSync() {
    if (this.stopped) return
    this.stopped = true
    live.delete(this)
    const pids = [
      ...(this.watchdogPid ? processTree(this.watchdogPid) : []),
      ...(this.phpPid ? processTree(this.phpPid) : []),
      ...this.phpWorkers,
      ...(this.dbPid ? [this.dbPid] : []),
    ]
    signal(pids.filter(isAlive), 'SIGKILL')
    this.removeFiles()
  }

  removeFiles() {
    try {
      if (this.configFile && readFileSync(this.configFile, 'utf8').includes(this.dir)) rmSync(this.configFile, { force: true })
    } catch {}
    if (!process.env.IGNY8_WP_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true })
  }

  async stop() {
    if (this.stopped) return
    this.stopped = true
    live.delete(this)
    if (this.watchdogPid) signal(processTree(this.watchdogPid).filter(isAlive), 'SIGKILL')
    const php = async () => {
      if (!this.phpPid) return
      // the workers outlive a killed parent, so each is stopped by its pid (init reaps them)
      await terminate([...new Set([...this.phpWorkers, ...processTree(this.phpPid).slice(1)])], 5000)
      await terminate([this.phpPid], 5000)
    }
    await Promise.all([php(), this.dbPid ? terminate([this.dbPid], 15_000) : undefined])
    this.removeFiles()
  }
}

function writeEtcConfigs(inst: Instance) {
  if (!existsSync(ETC)) throw new Error(`${ETC} does not exist: is the Debian package "wordpress" installed?`)
  const want = dispatcherPhp()
  let current: string | undefined
  try {
    current = readFileSync(DISPATCHER, 'utf8')
  } catch {}
  if (current !== undefined && !current.includes(MARKER)) {
    throw new Error(
      `${DISPATCHER} exists and was not written by this harness; refusing to overwrite it. Move it away to use the test harness.`,
    )
  }
  try {
    if (current !== want) writeAtomic(DISPATCHER, want)
    writeAtomic(
      inst.configFile,
      instanceConfigPhp({ port: inst.port, dir: inst.dir, socket: inst.socket, dbPassword: inst.dbPassword, url: inst.url }),
      0o640,
    )
  } catch (e) {
    throw new Error(`cannot write ${ETC}/config-127.0.0.1*.php (run the tests as root): ${(e as Error).message}`)
  }
}

// ---------------------------------------------------------------------------

export async function startWordPress(opts: { port?: number } = {}): Promise<WordPress> {
  const t0 = Date.now()
  await ensurePackages()
  installExitHook()

  const inst = new Instance()
  live.add(inst)
  const adminPassword = randomToken(20)
  try {
    mkdirs(inst.dir)
    writeFileSync(join(inst.dir, 'mu-plugins', 'igny8-fixture-types.php'), MU_TYPES)
    writeFileSync(join(inst.dir, 'mu-plugins', 'igny8-loopback-guard.php'), MU_GUARD)
    writeFileSync(join(inst.dir, 'router.php'), routerPhp({ dir: inst.dir, token: inst.token }))

    const dbReady = inst.startMariaDB()
    dbReady.catch(() => {})

    // port: given, or a free one (retry if php -S loses a race for it)
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort())
      if (opts.port && !(await portIsFree(port))) throw new Error(`port ${port} on 127.0.0.1 is already in use`)
      inst.port = port
      inst.url = `http://127.0.0.1:${port}`
      inst.configFile = `${ETC}/config-127.0.0.1-port-${port}.php`
      writeFileSync(join(inst.dir, 'mu-plugins', 'igny8-instance.php'), muInstance({ dir: inst.dir, url: inst.url }))
      writeFileSync(join(inst.dir, 'boot.php'), bootPhp({ port }))
      writeEtcConfigs(inst)
      try {
        await inst.startPhpServer()
        break
      } catch (e) {
        if (inst.phpPid) await terminate([...processTree(inst.phpPid)], 2000)
        inst.phpPid = 0
        try {
          if (readFileSync(inst.configFile, 'utf8').includes(inst.dir)) rmSync(inst.configFile, { force: true })
        } catch {}
        if (opts.port || attempt >= 3) throw e
      }
    }
    await dbReady
    inst.startWatchdog()
    if (DEBUG) log(`servers up after ${Date.now() - t0} ms (${inst.url}, ${inst.dir})`)

    const installOut = await inst.php(INSTALL_PHP, {
      env: { IGNY8_WP_INSTALLING: '1', IGNY8_WP_ADMIN_USER: ADMIN_USER, IGNY8_WP_ADMIN_PASSWORD: adminPassword },
    })
    if (!/"user_id":\s*[1-9]/.test(installOut)) throw new Error(`wp_install did not create the admin user: ${installOut.slice(-500)}`)
    const fx = JSON.parse(lastJsonLine(await inst.php(FIXTURES_PHP))) as { appPassword: string; fixtures: Fixtures }
    for (const [k, v] of Object.entries(EXPECTED_FIXTURES)) {
      const got = (fx.fixtures as unknown as Record<string, number>)[k]
      if (got !== v) throw new Error(`fixture ${k}: WordPress counts ${got}, expected ${v}`)
    }
    if (DEBUG) log(`installed + fixtures after ${Date.now() - t0} ms`)

    // ready = the REST API answers an authenticated request through php -S and the router
    const auth = basicAuth(ADMIN_USER, fx.appPassword)
    const deadline = Date.now() + 15_000
    let last = ''
    for (;;) {
      try {
        const res = await fetch(`${inst.url}/wp-json/wp/v2/types?context=edit`, {
          headers: { Authorization: auth },
          signal: AbortSignal.timeout(10_000),
        })
        const body = await res.text()
        if (res.status === 200 && body.includes('"product"')) break
        last = `HTTP ${res.status}: ${body.slice(0, 300)}`
      } catch (e) {
        last = String(e)
      }
      if (Date.now() > deadline) throw new Error(`REST API not ready within 15 s: ${last}`)
      await sleep(100)
    }
    if (DEBUG) log(`ready after ${Date.now() - t0} ms`)

    return {
      url: inst.url,
      adminUser: ADMIN_USER,
      adminPassword,
      appPassword: fx.appPassword,
      fixtures: fx.fixtures,
      wpEval: (php: string) => {
        if (inst.stopped) return Promise.reject(new Error('wpEval: this WordPress was stopped'))
        return inst.php(php)
      },
      stop: () => inst.stop(),
    }
  } catch (e) {
    const logs = inst.logs()
    await inst.stop()
    const err = new Error(`startWordPress failed: ${(e as Error).message}\n${logs}`)
    ;(err as Error & { cause?: unknown }).cause = e
    throw err
  }
}

function mkdirs(dir: string) {
  chmodSync(dir, 0o755)
  for (const sub of ['mu-plugins', 'uploads']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 })
}

function lastJsonLine(out: string): string {
  const start = out.lastIndexOf('{"appPassword"')
  if (start < 0) throw new Error(`fixtures script printed no result: ${out.slice(-500)}`)
  return out.slice(start)
}
