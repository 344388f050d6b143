// Installs the IGNY8 plugin into a harness WordPress (its own plugins dir), logs into wp-admin in a real
// browser, and reads WordPress state back, for the plugin's end-to-end tests.
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { basicAuth, type WordPress } from '../wordpress/harness'

export const PLUGIN_SRC = join(import.meta.dir, '..', '..', 'wordpress-plugin', 'igny8-sync')
export const PLUGIN_FILE = 'igny8-sync/igny8-sync.php'

export type PluginSite = {
  /** the instance's temp dir (IGNY8_TEST_DIR) */
  dir: string
  /** where the copy of the plugin lives (inside the instance's own WP_PLUGIN_DIR) */
  pluginDir: string
  /** PHP errors of any level raised in the plugin's files (written by a must-use plugin) */
  errorsLog: string
  /** the PHP error log of php -S, where the plugin's `IGNY8:` lines go */
  phpLog: string
}

const phpStr = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

/**
 * Gives the instance its own WP_PLUGIN_DIR (Debian's wp-content is shared by every instance) holding a
 * copy of the plugin, turns on the plugin's debug log (IGNY8_DEBUG), and adds a must-use plugin that
 * records every PHP error — notices and deprecations included — raised in the plugin's files.
 * Done by appending to this instance's per-port config, which the harness writes and removes.
 */
export async function installPlugin(wp: WordPress, o: { zip?: string } = {}): Promise<PluginSite> {
  const dir = (await wp.wpEval('echo IGNY8_TEST_DIR;')).trim()
  const port = new URL(wp.url).port
  const config = `/etc/wordpress/config-127.0.0.1-port-${port}.php`
  if (!existsSync(config) || !readFileSync(config, 'utf8').includes(dir)) throw new Error(`no harness config for ${wp.url}`)
  const plugins = join(dir, 'plugins')
  const pluginDir = join(plugins, 'igny8-sync')
  mkdirSync(plugins, { recursive: true, mode: 0o755 })
  const errorsLog = join(dir, 'igny8-plugin-errors.log')
  await wp.appendConfig(`/* added by test/plugin/helpers.ts */\ndefine('WP_PLUGIN_DIR', ${phpStr(plugins)});\ndefine('IGNY8_DEBUG', true);`)
  if (o.zip) {
    // WordPress's own unpacking (as Plugins → Add New → Upload does), into this instance's plugins dir
    const out = await wp.wpEval(`require_once ABSPATH . 'wp-admin/includes/file.php';
      WP_Filesystem(false, WP_PLUGIN_DIR);
      $r = unzip_file(${phpStr(o.zip)}, WP_PLUGIN_DIR);
      echo is_wp_error($r) ? $r->get_error_message() : 'ok';`)
    if (out.trim() !== 'ok') throw new Error(`unzip_file failed: ${out}`)
  } else {
    cpSync(PLUGIN_SRC, pluginDir, { recursive: true })
  }
  const mu = `<?php
/* Plugin Name: IGNY8 plugin test: records PHP errors raised in the plugin's files */
set_error_handler(function ($no, $str, $file, $line) {
    if (strpos((string) $file, ${phpStr(pluginDir)}) === 0) {
        file_put_contents(${phpStr(errorsLog)}, "[$no] $str in $file:$line\\n", FILE_APPEND);
    }
    return false;
});
register_shutdown_function(function () {
    $e = error_get_last();
    if ($e && strpos((string) $e['file'], ${phpStr(pluginDir)}) === 0) {
        file_put_contents(${phpStr(errorsLog)}, "[fatal {$e['type']}] {$e['message']} in {$e['file']}:{$e['line']}\\n", FILE_APPEND);
    }
});
`
  await Bun.write(join(dir, 'mu-plugins', 'igny8-plugin-errors.php'), mu)
  return { dir, pluginDir, errorsLog, phpLog: join(dir, 'php-errors.log') }
}

/** Logs the admin into wp-admin. */
export async function wpLogin(page: Page, wp: WordPress) {
  await page.goto(`${wp.url}/wp-login.php`)
  await page.fill('#user_login', wp.adminUser)
  await page.fill('#user_pass', wp.adminPassword)
  await Promise.all([page.waitForURL(/wp-admin/), page.click('#wp-submit')])
}

/** Activates the installed plugin as WordPress's own activation does; fails with WordPress's reason otherwise. */
export async function activatePlugin(wp: WordPress) {
  const answer = await wp.wpEval(
    `require_once ABSPATH . 'wp-admin/includes/plugin.php'; $r = activate_plugin(${JSON.stringify(PLUGIN_FILE)}); echo is_wp_error($r) ? $r->get_error_message() : 'ok';`,
  )
  if (answer.trim() !== 'ok') throw new Error(`the plugin did not activate: ${answer}`)
}

export const settingsUrl = (wp: WordPress) => `${wp.url}/wp-admin/options-general.php?page=igny8-sync`

/** Fills and submits the Connect form; answers the notices shown afterwards. */
export async function connectInBrowser(
  page: Page,
  wp: WordPress,
  f: { base: string; email?: string; password?: string; apiKey?: string },
): Promise<{ type: string; text: string }[]> {
  await page.goto(settingsUrl(wp))
  // Say what the page was instead, should the form be missing (a login page, a "not allowed", a PHP error).
  await page.waitForSelector('#igny8_api_base', { timeout: 30_000 }).catch(async (e: Error) => {
    const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '')
    throw new Error(`no Connect form at ${page.url()}: ${text.replace(/\s+/g, ' ').slice(0, 400)} (${e.message.split('\n')[0]})`)
  })
  await page.fill('#igny8_api_base', f.base)
  await page.fill('#igny8_email', f.email ?? '')
  await page.fill('#igny8_password', f.password ?? '')
  await page.fill('#igny8_api_key', f.apiKey ?? '')
  await submit(page, '#igny8-connect', 'connect')
  return notices(page)
}

/**
 * Clicks a submit button of the settings page and waits for the page it redirects back to (the
 * redirect carries `done=<action>`; the page must have been opened without it).
 */
export async function submit(page: Page, button: string, action: string) {
  if (page.url().includes('done=')) throw new Error('submit(): open the settings page afresh first')
  await Promise.all([page.waitForURL(new RegExp(`[?&]done=${action}`), { timeout: 60_000, waitUntil: 'load' }), page.click(button)])
}

export async function notices(page: Page) {
  return page.$$eval('.igny8-notice', (els) =>
    els.map((e) => ({ type: e.getAttribute('data-type') ?? '', text: (e.textContent ?? '').trim() })),
  )
}

/** Every option whose name starts with igny8_ (or is an igny8 transient), name → value. */
export async function igny8Options(wp: WordPress): Promise<Record<string, string>> {
  const out = await wp.wpEval(`global $wpdb;
    $rows = $wpdb->get_results("SELECT option_name, option_value FROM {$wpdb->options} WHERE option_name LIKE 'igny8\\\\_%' OR option_name LIKE '\\\\_transient\\\\_%igny8\\\\_%'", ARRAY_A);
    $o = []; foreach ($rows as $r) { $o[$r['option_name']] = $r['option_value']; }
    echo json_encode((object) $o);`)
  return JSON.parse(out)
}

/** The scheduled events of the plugin: hook → { next, schedule } (schedule false for single events). */
export async function igny8Events(wp: WordPress): Promise<Record<string, { next: number; schedule: string | false }[]>> {
  const out = await wp.wpEval(`$o = [];
    foreach ((array) _get_cron_array() as $ts => $hooks) { foreach ((array) $hooks as $hook => $evs) {
      if (strpos($hook, 'igny8_') !== 0) continue;
      foreach ($evs as $e) { $o[$hook][] = ['next' => (int) $ts, 'schedule' => $e['schedule']]; } } }
    echo json_encode((object) $o);`)
  return JSON.parse(out)
}

/** Polls until `fn` answers a truthy value, or fails after `ms` with the last value. */
export async function until<T>(fn: () => Promise<T>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms
  let last: T
  for (;;) {
    last = await fn()
    if (last) return last
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`)
    await Bun.sleep(250)
  }
}

/** PHP errors of any level raised in the plugin's files, and the PHP error log of php -S. */
export function pluginLogs(site: PluginSite): { errors: string; php: string } {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8')
    } catch {
      return ''
    }
  }
  return { errors: read(site.errorsLog), php: read(site.phpLog) }
}

/** Waits until php -S serves the plugin's REST namespace (after its activation). */
export async function routeServed(wp: WordPress, namespace = 'igny8/v1') {
  await until(
    async () => {
      const index = await fetch(`${wp.url}/wp-json/`).then((r) => r.json() as Promise<{ namespaces?: string[] }>)
      return index.namespaces?.includes(namespace)
    },
    15_000,
    `WordPress to serve the ${namespace} REST namespace`,
  )
}
