// The plugin end to end in a real WordPress 6.1 with the real backend on loopback: activate, Connect
// through the settings form in Chromium, structure and content sync, real-time changes, an inactive
// site, a stopped backend, deactivate and uninstall. The tests run in order and share one site.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchBrowser, type Browser } from '../helpers/browser'
import { basicAuth, startWordPress, type WordPress } from '../wordpress/harness'
import { startBackend, type Backend } from './backend'
import {
  connectInBrowser,
  igny8Events,
  igny8Options,
  installPlugin,
  notices,
  PLUGIN_FILE,
  settingsUrl,
  submit,
  until,
  wpLogin,
  type PluginSite,
} from './helpers'

// Real WordPress, a real browser and a shared 2-core machine: every step gets a generous bound.
setDefaultTimeout(90_000)

let wp: WordPress
let site: PluginSite
let srv: Backend
let browser: Browser
let page: Page
let owner: Awaited<ReturnType<Backend['user']>>
let ids: { siteId: number; key: string; integrationId: number }

beforeAll(async () => {
  ;[wp, srv] = await Promise.all([startWordPress(), startBackend()])
  owner = await srv.user()
  // Installed as an admin would: the zip downloaded from the executable's admin pages, unpacked by WordPress itself.
  writeFileSync(join(srv.dir, 'igny8-sync.zip'), await srv.downloadPlugin(owner))
  site = await installPlugin(wp, { zip: join(srv.dir, 'igny8-sync.zip') })
  ids = await srv.site(owner.token, wp.url)
  browser = await launchBrowser()
  page = browser.page
  await wpLogin(page, wp)
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await wp?.stop()
  await srv?.close()
}, 60_000)

const api = () => srv.api
const contentTypes = async () =>
  (await srv.call('GET', `/api/v1/integration/integrations/${ids.integrationId}/content-types/`, { token: owner.token })).body.data
const stored = async (postType: string) =>
  (
    await srv.call('GET', `/api/v1/integration/integrations/${ids.integrationId}/content/?post_type=${postType}&page_size=200`, {
      token: owner.token,
    })
  ).body
const storedTerms = async (taxonomy: string) =>
  (
    await srv.call('GET', `/api/v1/integration/integrations/${ids.integrationId}/terms/?taxonomy=${taxonomy}&page_size=200`, {
      token: owner.token,
    })
  ).body

/** Makes the daily event due and lets WP-Cron run it through wp-cron.php, as a visit would. */
async function runDailyThroughWpCron() {
  await wp.wpEval(
    `wp_clear_scheduled_hook('igny8_sync_site_structure'); wp_schedule_event(time() - 5, 'daily', 'igny8_sync_site_structure');`,
  )
  await until(
    async () => {
      await fetch(`${wp.url}/wp-cron.php`, { signal: AbortSignal.timeout(60_000) })
      const ev = (await igny8Events(wp)).igny8_sync_site_structure?.[0]
      return ev && ev.next > Date.now() / 1000 + 3600
    },
    90_000,
    'wp-cron to run igny8_sync_site_structure',
  )
}

describe('the IGNY8 plugin in a real WordPress', () => {
  it('schedules the daily igny8_sync_site_structure event on activation', async () => {
    const out = await wp.wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php';
      $r = activate_plugin(${JSON.stringify(PLUGIN_FILE)}); echo is_wp_error($r) ? $r->get_error_message() : 'ok';`)
    expect(out.trim()).toBe('ok')
    const ev = (await igny8Events(wp)).igny8_sync_site_structure
    expect(ev).toHaveLength(1)
    expect(ev![0]!.schedule).toBe('daily')
  })

  it('shows the settings page under Settings → IGNY8 API, not connected', async () => {
    const res = await page.goto(settingsUrl(wp))
    expect(res?.status()).toBe(200)
    expect(await page.textContent('h1')).toContain('IGNY8 API')
    expect((await page.textContent('#igny8-status-connected'))?.trim()).toBe('Not connected')
    for (const sel of ['#igny8-connect', '#igny8-sync-now', '#igny8-diagnose', '#igny8-disconnect'])
      expect(await page.$(sel)).not.toBeNull()
  })

  it('refuses a Connect without a valid nonce', async () => {
    const res = await page.request.post(`${wp.url}/wp-admin/admin-post.php`, {
      form: { action: 'igny8_connect', igny8_api_base: api(), igny8_api_key: ids.key, _wpnonce: 'forged' },
      maxRedirects: 0,
    })
    expect(res.status()).toBe(403)
    expect((await igny8Options(wp)).igny8_connected).toBeUndefined()
  })

  it('refuses Connect to a logged-in user without manage_options, before looking at the nonce', async () => {
    await wp.wpEval(
      `wp_insert_user(['user_login' => 'editor1', 'user_pass' => 'editor-pass-123', 'user_email' => 'editor1@example.com', 'role' => 'editor']);`,
    )
    const login = await fetch(`${wp.url}/wp-login.php`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
      body: new URLSearchParams({ log: 'editor1', pwd: 'editor-pass-123', testcookie: '1', redirect_to: `${wp.url}/wp-admin/` }),
    })
    expect(login.status).toBe(302)
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const res = await fetch(`${wp.url}/wp-admin/admin-post.php`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ action: 'igny8_connect', igny8_api_base: api(), igny8_api_key: ids.key }),
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('You are not allowed to manage the IGNY8 connection.')
    const page403 = await fetch(settingsUrl(wp), { headers: { cookie } })
    expect(page403.status).toBe(403) // WordPress itself: the page needs manage_options
    expect((await igny8Options(wp)).igny8_connected).toBeUndefined()
  })

  it('connects through the settings form and pushes the real structure', async () => {
    const shown = await connectInBrowser(page, wp, { base: api(), email: owner.email, password: owner.password, apiKey: ids.key })
    expect(shown.map((n) => n.text)).toEqual(['Successfully connected to IGNY8 API', 'Site structure synced successfully'])
    expect((await page.textContent('#igny8-status-connected'))?.trim()).toBe('Connected')
    expect((await page.textContent('#igny8-status-site'))?.trim()).toBe(String(ids.siteId))
    expect((await page.textContent('#igny8-status-integration'))?.trim()).toBe(String(ids.integrationId))

    const opts = await igny8Options(wp)
    expect(opts.igny8_structure_synced).toBe('1')
    expect(Math.abs(Number(opts.igny8_last_structure_sync) - Date.now() / 1000)).toBeLessThan(120)
    expect(opts.igny8_api_key).toBe(ids.key)
    expect(opts.igny8_site_id).toBe(String(ids.siteId))
    // the password is never stored, anywhere in the options table
    const anywhere = await wp.wpEval(
      `global $wpdb; echo (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->options} WHERE option_value LIKE %s", '%' . $wpdb->esc_like(${JSON.stringify(owner.password)}) . '%'));`,
    )
    expect(anywhere.trim()).toBe('0')

    const ct = await contentTypes()
    const f = wp.fixtures
    expect(Object.keys(ct.post_types).sort()).toEqual(['page', 'post', 'product'])
    expect(Object.keys(ct.taxonomies).sort()).toEqual(['category', 'post_tag', 'product_cat'])
    expect(ct.post_types.post).toMatchObject({ label: 'Posts', count: f.posts, enabled: true, fetch_limit: 100 })
    expect(ct.post_types.page.count).toBe(f.pages)
    expect(ct.post_types.product).toMatchObject({ label: 'Products', count: f.products })
    expect(ct.taxonomies.category.count).toBe(f.categories)
    expect(ct.taxonomies.post_tag.count).toBe(f.tags)
    expect(ct.taxonomies.product_cat).toMatchObject({ label: 'Product Categories', count: f.productCats })

    const integ = (await srv.call('GET', `/api/v1/integration/integrations/${ids.integrationId}/`, { token: owner.token })).body.data
    const version = (await wp.wpEval(`echo get_bloginfo('version');`)).trim()
    expect(integ.config_json.content_types.site_url).toBe(wp.url)
    expect(integ.config_json.content_types.wordpress_version).toBe(version)
  })

  it('saves per-type settings from the form and pushes them', async () => {
    await page.goto(settingsUrl(wp))
    await page.uncheck('input[name="igny8_types[post_types][page][enabled]"]')
    await page.uncheck('input[name="igny8_types[taxonomies][product_cat][enabled]"]')
    await page.fill('input[name="igny8_types[post_types][product][fetch_limit]"]', '3')
    await submit(page, '#igny8-save-types', 'save_types')
    expect((await notices(page)).map((n) => n.text)).toEqual(['Content type settings saved.'])
    const ct = await contentTypes()
    expect(ct.post_types.page.enabled).toBe(false)
    expect(ct.taxonomies.product_cat.enabled).toBe(false)
    expect(ct.post_types.product.fetch_limit).toBe(3)
  })

  it('runs structure then content from the daily hook under WP-Cron: enabled types up to their limit', async () => {
    await runDailyThroughWpCron()
    const f = wp.fixtures
    const posts = await stored('post')
    expect(posts.count).toBe(f.posts)
    expect((await stored('page')).count).toBe(0)
    const products = await stored('product')
    expect(products.count).toBe(3)
    // the newest three products (fixture-product-5..7 are the latest)
    const newest = (
      await wp.wpEval(
        `echo json_encode(get_posts(['post_type' => 'product', 'post_status' => 'publish', 'numberposts' => 3, 'orderby' => ['date' => 'DESC', 'ID' => 'DESC'], 'fields' => 'ids']));`,
      )
    ).trim()
    expect(products.results.map((r: any) => r.external_id).sort()).toEqual(JSON.parse(newest).sort())
    expect((await storedTerms('category')).count).toBe(f.categories)
    expect((await storedTerms('post_tag')).count).toBe(f.tags)
    expect((await storedTerms('product_cat')).count).toBe(0)
    const post = posts.results.find((r: any) => r.slug === 'fixture-post-1')
    expect(post).toMatchObject({ post_type: 'post', status: 'publish' })
    expect(post.url).toStartWith(wp.url)
    const opts = await igny8Options(wp)
    expect(Number(opts.igny8_last_content_sync)).toBeGreaterThan(Date.now() / 1000 - 120)
    expect(opts.igny8_content_cursor).toBeUndefined()
    const ct = await contentTypes()
    expect(ct.post_types.post.synced_count).toBe(f.posts)
    expect(ct.taxonomies.category.synced_count).toBe(f.categories)
  }, 120_000)

  it('Sync now pushes structure and content at once', async () => {
    await page.goto(settingsUrl(wp))
    await submit(page, '#igny8-sync-now', 'sync_now')
    const shown = await notices(page)
    expect(shown[0]).toEqual({ type: 'success', text: 'Site structure synced successfully' })
    expect(shown[1]!.text).toMatch(/^Content synced\. 0 created, 0 updated, \d+ unchanged, \d+ skipped\.$/)
    expect(await page.textContent('#igny8-status-content')).not.toContain('never')
  })

  it('sends a post published through the REST API within 15 s, and its deletion', async () => {
    const auth = basicAuth(wp.adminUser, wp.appPassword)
    const created = await fetch(`${wp.url}/wp-json/wp/v2/posts`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Live & new', content: '<!-- wp:paragraph --><p>Hello</p><!-- /wp:paragraph -->', status: 'publish' }),
    })
    expect(created.status).toBe(201)
    const id = (await created.json()).id as number
    const t0 = Date.now()
    const item = await until(
      async () => (await stored('post')).results.find((r: any) => r.external_id === id),
      15_000,
      'the new post in IGNY8',
    )
    expect(Date.now() - t0).toBeLessThan(15_000)
    expect(item.title).toBe('Live & new')

    // a term created in WordPress arrives too
    const cat = await fetch(`${wp.url}/wp-json/wp/v2/categories`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Live Category' }),
    })
    expect(cat.status).toBe(201)
    const catId = (await cat.json()).id as number
    await until(async () => (await storedTerms('category')).results.some((r: any) => r.external_id === catId), 15_000, 'the new category')

    // a trashed post leaves; so does a deleted one
    const trashed = wp.fixtures.ids.posts[0]!
    expect((await fetch(`${wp.url}/wp-json/wp/v2/posts/${trashed}`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(
      200,
    )
    await until(
      async () => !(await stored('post')).results.some((r: any) => r.external_id === trashed),
      15_000,
      'the trashed post to leave',
    )
    const del = await fetch(`${wp.url}/wp-json/wp/v2/posts/${id}?force=true`, { method: 'DELETE', headers: { authorization: auth } })
    expect(del.status).toBe(200)
    await until(
      async () => !(await stored('post')).results.some((r: any) => r.external_id === id),
      15_000,
      'the deleted post to leave IGNY8',
    )
    expect((await stored('post')).count).toBe(wp.fixtures.posts - 1)
    const q = await wp.wpEval(`$q = get_option('igny8_queue'); echo count($q['items'] ?? []);`)
    expect(q.trim()).toBe('0')
  }, 60_000)

  it('keeps the connection when the site is inactive: "Connected but structure sync will be retried"', async () => {
    const off = await srv.call('PATCH', `/api/v1/system/sites/${ids.siteId}/`, { token: owner.token, body: { is_active: false } })
    expect(off.status).toBe(200)
    const shown = await connectInBrowser(page, wp, { base: api(), apiKey: '' }) // the saved key is kept
    expect(shown[0]!.text).toBe('Successfully connected to IGNY8 API')
    expect(shown[1]).toEqual({ type: 'warning', text: 'Connected but structure sync will be retried' })
    expect(shown[2]!.text).toContain('Only active sites can push structure')
    expect((await page.textContent('#igny8-status-connected'))?.trim()).toBe('Connected')
    expect((await igny8Options(wp)).igny8_connected).toBe('1')
    expect((await srv.call('PATCH', `/api/v1/system/sites/${ids.siteId}/`, { token: owner.token, body: { is_active: true } })).status).toBe(
      200,
    )
  })

  it('with the backend stopped, Connect says so plainly and WordPress still answers 200', async () => {
    await srv.stop()
    const shown = await connectInBrowser(page, wp, { base: api(), apiKey: '' })
    expect(shown).toHaveLength(1)
    expect(shown[0]!.type).toBe('error')
    expect(shown[0]!.text).toContain('Could not reach the IGNY8 API at 127.0.0.1')
    expect((await page.goto(settingsUrl(wp)))?.status()).toBe(200)
    expect((await page.goto(`${wp.url}/wp-admin/`))?.status()).toBe(200)
    expect((await fetch(`${wp.url}/`)).status).toBe(200)
  })

  it('disconnects even while the backend is down, forgetting key and ids', async () => {
    await page.goto(settingsUrl(wp))
    await submit(page, '#igny8-disconnect', 'disconnect')
    expect(await notices(page)).toEqual([{ type: 'success', text: 'Disconnected from IGNY8.' }])
    expect((await page.textContent('#igny8-status-connected'))?.trim()).toBe('Not connected')
    const o = await igny8Options(wp)
    expect(o.igny8_api_key).toBeUndefined()
    expect(o.igny8_site_id).toBeUndefined()
    expect(o.igny8_api_base).toBe(srv.api) // kept, for the next Connect
  })

  it('clears its cron events on deactivation', async () => {
    await wp.wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins(${JSON.stringify(PLUGIN_FILE)});`)
    expect(await igny8Events(wp)).toEqual({})
  })

  it('leaves no igny8 option or event after uninstall', async () => {
    const before = await igny8Options(wp)
    expect(Object.keys(before).length).toBeGreaterThan(3)
    await wp.wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; uninstall_plugin(${JSON.stringify(PLUGIN_FILE)});`)
    expect(await igny8Options(wp)).toEqual({})
    expect(await igny8Events(wp)).toEqual({})
  })

  it('raised no PHP error, warning or notice in its files, and logged no secret', () => {
    let errors = ''
    try {
      errors = readFileSync(site.errorsLog, 'utf8')
    } catch {}
    expect(errors).toBe('')
    const log = readFileSync(site.phpLog, 'utf8')
    expect(log).not.toMatch(/igny8-sync\/.*\.php/)
    const lines = log.split('\n').filter((l) => l.includes('IGNY8:'))
    expect(lines.length).toBeGreaterThan(5)
    for (const secret of [ids.key, owner.password, owner.token]) expect(log).not.toContain(secret)
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\./)
  })
})
