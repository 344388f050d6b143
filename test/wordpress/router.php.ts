// router.php for php -S: uploads, Debian's wp-content, static files, and index.php for everything else.
import { join } from 'node:path'
import { DEBIAN_CONTENT, DOCROOT, MARKER } from './constants'
import { phpString } from './util'

/** The router of one instance: `dir` holds its uploads, `token` answers /__igny8_harness_ping. */
export function routerPhp(o: { dir: string; token: string }): string {
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
