// Diagnose in a real WordPress: each usual breakage is named with its fix — a proxy that strips the
// Authorization header, a firewall answering HTML, an unreachable server, a TLS failure, a cloned or
// moved site, and WP-Cron disabled.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import type { Page } from 'playwright-core'
import { launchBrowser, type Browser } from '../helpers/browser'
import { startWordPress, type WordPress } from '../wordpress/harness'
import { startBackend, type Backend } from './backend'
import {
  connectInBrowser,
  installPlugin,
  pluginLogs,
  type PluginSite,
  activatePlugin,
  settingsUrl,
  submit,
  until,
  wpLogin,
} from './helpers'
import { startProxy } from './proxy'

// Real WordPress, a real browser and a shared 2-core machine: every step gets a generous bound.
setDefaultTimeout(90_000)

let wp: WordPress
let site: PluginSite
let srv: Backend
let browser: Browser
let page: Page
let proxy: ReturnType<typeof startProxy>
let owner: Awaited<ReturnType<Backend['user']>>
let ids: Awaited<ReturnType<Backend['site']>>

beforeAll(async () => {
  ;[wp, srv] = await Promise.all([startWordPress(), startBackend()])
  site = await installPlugin(wp)
  await activatePlugin(wp)
  owner = await srv.user()
  ids = await srv.site(owner.token, wp.url)
  proxy = startProxy(srv.base)
  browser = await launchBrowser()
  page = browser.page
  await wpLogin(page, wp)
  const shown = await connectInBrowser(page, wp, { base: srv.api, apiKey: ids.key })
  expect(shown[0]?.text).toBe('Successfully connected to IGNY8 API')
}, 300_000)

afterAll(async () => {
  proxy?.stop()
  await browser?.close()
  await wp?.stop()
  await srv?.close()
}, 60_000)

type Check = { id: string; status: string; text: string }
/** Clicks Diagnose and answers the checks shown. */
async function diagnose(): Promise<Check[]> {
  await page.goto(settingsUrl(wp))
  await submit(page, '#igny8-diagnose', 'diagnose')
  return page.$$eval('.igny8-check', (els) =>
    els.map((e) => ({
      id: e.getAttribute('data-check') ?? '',
      status: e.getAttribute('data-status') ?? '',
      text: (e.textContent ?? '').trim(),
    })),
  )
}
const setBase = (url: string) => wp.wpEval(`update_option('igny8_api_base', ${JSON.stringify(url)});`)

describe('Diagnose', () => {
  it('reports every check as fine on a healthy connection', async () => {
    const checks = await diagnose()
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['reach', 'ok'],
      ['auth', 'ok'],
      ['site_url', 'ok'],
      ['cron', 'ok'],
    ])
  })

  it('names a stripped Authorization header, with the fix', async () => {
    await setBase(`${proxy.url}/api/v1`)
    proxy.state.mode = { kind: 'strip-auth' }
    const checks = await diagnose()
    const auth = checks.find((c) => c.id === 'auth_header_stripped')
    expect(auth?.status).toBe('fail')
    expect(auth?.text).toContain('The Authorization header is being stripped')
    expect(auth?.text).toContain('proxy_set_header Authorization')
    expect(proxy.state.seen).toContain('GET /api/v1/auth/me/')
  })

  it('names a firewall that answers HTML instead of JSON', async () => {
    proxy.state.mode = { kind: 'html' }
    const checks = await diagnose()
    expect(checks[0]).toMatchObject({ id: 'firewall', status: 'fail' })
    expect(checks[0]!.text).toContain('text/html')
    expect(checks[0]!.text).toContain('firewall')
  })

  it('names an unreachable server', async () => {
    proxy.state.mode = { kind: 'pass' }
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    const port = closed.port
    closed.stop(true)
    await setBase(`http://127.0.0.1:${port}/api/v1`)
    const checks = await diagnose()
    expect(checks[0]).toMatchObject({ id: 'reach', status: 'fail' })
    expect(checks[0]!.text).toContain('Could not reach the IGNY8 API at 127.0.0.1')
    expect(checks[0]!.text).toContain('IGNY8 server is running')
  })

  it('names a TLS failure', async () => {
    await setBase(`https://127.0.0.1:${new URL(srv.base).port}/api/v1`) // the server speaks plain http
    const checks = await diagnose()
    expect(checks[0]).toMatchObject({ id: 'tls', status: 'fail' })
    expect(checks[0]!.text).toContain('secure (TLS) connection')
  })

  it('names a site URL that no longer matches (a cloned or moved site)', async () => {
    await setBase(srv.api)
    const moved = await srv.call('PATCH', `/api/v1/system/sites/${ids.siteId}/`, {
      token: owner.token,
      body: { url: 'https://live.example.com' },
    })
    expect(moved.status).toBe(200)
    const checks = await diagnose()
    const c = checks.find((x) => x.id === 'site_url')
    expect(c?.status).toBe('fail')
    expect(c?.text).toContain('https://live.example.com')
    expect(c?.text).toContain(wp.url)
    expect(c?.text).toContain('Disconnect')
  })

  it('names a daily job that does not run because WP-Cron is disabled', async () => {
    // Diagnose runs in php -S: appendConfig waits until php -S's opcache serves the new config (it kept the old
    // one for seconds, and Diagnose then saw WP-Cron enabled: 'warn').
    await wp.appendConfig(`if (!defined('DISABLE_WP_CRON')) define('DISABLE_WP_CRON', true);`)
    // A wp-cron.php spawned by an earlier page load may still be queued for one of php -S's workers and
    // would reschedule the daily event when it starts. Holding WP-Cron's own lock for an hour makes any
    // such run return at once (wp-cron.php runs only while the lock is its own); then set the event
    // overdue until it stays so.
    await until(
      async () => {
        await wp.wpEval(
          `set_transient('doing_cron', sprintf('%.22F', microtime(true) + HOUR_IN_SECONDS)); wp_clear_scheduled_hook('igny8_sync_site_structure'); wp_schedule_event(time() - 3 * HOUR_IN_SECONDS, 'daily', 'igny8_sync_site_structure');`,
        )
        await Bun.sleep(2000)
        const next = Number(await wp.wpEval(`echo (int) wp_next_scheduled('igny8_sync_site_structure');`))
        return next > 0 && next < Date.now() / 1000 - 2 * 3600
      },
      60_000,
      'the daily event to stay overdue',
    )
    const checks = await diagnose()
    const c = checks.find((x) => x.id === 'cron')
    expect(c?.status).toBe('fail')
    expect(c?.text).toContain('has not run')
    expect(c?.text).toContain('DISABLE_WP_CRON')
    expect(c?.text).toContain('wp-cron.php')
  })
})

describe('logs', () => {
  it('hold no PHP error, warning or notice from the plugin, and no secret', () => {
    const { errors, php } = pluginLogs(site)
    expect(errors).toBe('')
    expect(php).not.toMatch(/igny8-sync\/.*\.php/)
    for (const secret of [ids.key, owner.password, owner.token]) expect(php).not.toContain(secret)
  })
})
