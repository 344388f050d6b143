// Site → Pull from WordPress in a real browser against a REAL WordPress (test/wordpress/harness.ts): credentials
// saved through the form, Test connection, Sync now with its progress and result, the counts on the Content types
// tab, a wrong password, and the daily job. Screenshots go to test-output/screenshots/pull-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Page, Request } from 'playwright-core'
import { launchBrowser, screenshot, type Browser } from '../helpers/browser'
import { startServer, type TestServer } from '../helpers/server'
import { startWordPress, type WordPress } from '../wordpress/harness'
import { fakeWordPress } from '../pull/fake-wordpress'

const PHONE = { width: 390, height: 844 }
const WRONG = 'AAAA bbbb CCCC dddd EEEE ffff'

let wp: WordPress
let s: TestServer
let b: Browser
let page: Page
let siteId = 0
let adminToken = ''
const consoleErrors: string[] = []
const html: string[] = [] // every page and fragment the browser received, to prove the password never comes back

beforeAll(async () => {
  wp = await startWordPress()
  s = await startServer({ 'pull-allow-private': 'true' })
  b = await launchBrowser()
  page = b.page
  page.on('dialog', (d) => void d.accept()) // hx-confirm on "Replace credentials"
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  page.on('response', async (r) => {
    if ((r.headers()['content-type'] ?? '').startsWith('text/html')) html.push(await r.text().catch(() => ''))
  })
}, 180_000)
afterAll(async () => {
  await b?.close()
  await s?.stop()
  await wp?.stop()
}, 60_000)

/** A screenshot; Playwright hides the caret by leaving style="" on inputs, which htmx would copy onto swapped-in
 * elements with the same id (its CSS-transition step), and the CSP then reports an inline style. Not ours: wiped. */
async function snap(name: string) {
  await screenshot(page, name)
  await page.evaluate(() => document.querySelectorAll('[style=""]').forEach((e) => e.removeAttribute('style')))
}
async function shoot(name: string) {
  await snap(`${name}-desktop`)
  await page.setViewportSize(PHONE)
  await snap(`${name}-phone`)
  await page.setViewportSize({ width: 1280, height: 900 })
}
const isPost = (path: string) => (r: Request) => r.method() === 'POST' && new URL(r.url()).pathname === path
const syncButton = () => page.locator('#pull-sync button[type=submit]')

describe('Pull from WordPress in a browser', () => {
  it('logs in and opens the new tab of a site', async () => {
    const admin = await s.user({ admin: true })
    adminToken = admin.token
    siteId = (await s.site(admin.token, 'Fixture Blog')).siteId
    await page.goto(`${s.base}/login`)
    await page.fill('#f-email', admin.email)
    await page.fill('#f-password', admin.password)
    await Promise.all([page.waitForURL('**/sites'), page.click('button[type=submit]')])
    await page.goto(`${s.base}/sites/${siteId}/connection`)
    await Promise.all([page.waitForURL(`**/sites/${siteId}/pull`), page.click('text=Pull from WordPress')])
    expect(await page.locator('.tab.active').innerText()).toBe('Pull from WordPress')
    expect(await syncButton().isDisabled()).toBe(true)
    await shoot('pull-empty')
  }, 60_000)

  it('tests typed credentials before saving: a wrong password is a clear error, the right one works', async () => {
    await page.fill('#f-wp_url', wp.url)
    await page.fill('#f-username', wp.adminUser)
    await page.fill('#f-app_password', WRONG)
    const csrf = JSON.parse((await page.getAttribute('body', 'hx-headers:inherited'))!)['X-CSRF-Token']
    const [req] = await Promise.all([page.waitForRequest(isPost(`/sites/${siteId}/pull/test`)), page.click('text=Test connection')])
    expect(req.headers()['x-csrf-token']).toBe(csrf)
    await page.locator('#pull-test-result .alert-error').waitFor()
    expect(await page.locator('#pull-test-result').innerText()).toMatch(
      /Connection failed\. .*rejected the username or Application Password/,
    )
    await snap('pull-test-failed-desktop')

    await page.fill('#f-app_password', wp.appPassword)
    await page.click('text=Test connection')
    await page.locator('#pull-test-result .alert-ok').waitFor()
    expect(await page.locator('#pull-test-result').innerText()).toContain('Connection works.')
  }, 30_000)

  it('saves the credentials: the card shows who is configured, never the password, and Sync now is enabled', async () => {
    await page.check('input[name=include_content]')
    await page.click('text=Save credentials')
    await page.locator('#pull-credentials .badge-ok').waitFor()
    expect((await page.locator('.pull-configured').innerText()).replace(/\s+/g, ' ')).toBe(
      `Configured ✓ for user ${wp.adminUser} at ${wp.url}`,
    )
    expect(await page.locator('#pull-credentials .inline-ok').innerText()).toBe('Credentials saved.')
    expect(await page.locator('#f-app_password').inputValue()).toBe('')
    expect(await syncButton().isEnabled()).toBe(true) // the Sync card came out of band
    expect(await page.locator('#pull-sync input[name=content]').isChecked()).toBe(true)
    await page.reload()
    expect(await page.content()).not.toContain(wp.appPassword)
    await shoot('pull-configured')
  }, 30_000)

  it('syncs now: progress while it runs (button disabled), then the ok result, the header badge and the log link', async () => {
    // Hold the request a moment in the browser so the in-flight state can be seen (a local pull takes ~1 s).
    await page.route(`**/sites/${siteId}/pull`, async (route) => {
      await new Promise((r) => setTimeout(r, 1500))
      await route.continue()
    })
    await syncButton().click()
    await page.locator('#pull-progress').waitFor({ state: 'visible' })
    expect(await page.locator('#pull-progress').innerText()).toContain(
      'Pulling structure and content from WordPress… this can take a minute',
    )
    expect(await syncButton().isDisabled()).toBe(true)
    await snap('pull-running-desktop')
    const [spin, line] = [
      await page.locator('#pull-progress .pull-spinner').boundingBox(),
      await page.locator('#pull-progress').boundingBox(),
    ]
    // The spinner sits in the progress line (its centre: a rotating box is larger than the element).
    const [cx, cy] = [spin!.x + spin!.width / 2, spin!.y + spin!.height / 2]
    expect(cx > line!.x && cx < line!.x + 40 && cy > line!.y && cy < line!.y + line!.height).toBe(true)
    await page.locator('#pull-result [data-status=ok]').waitFor({ timeout: 60_000 })
    await page.unroute(`**/sites/${siteId}/pull`)
    expect(await page.locator('#pull-progress').isVisible()).toBe(false)
    expect(await syncButton().isEnabled()).toBe(true)
    const result = await page.locator('#pull-result').innerText()
    expect(result).toContain('Pulled 3 post types and 3 taxonomies from')
    expect(result).toContain('items:')
    expect(await page.locator('#site-status').innerText()).toBe('Connected')
    expect(await page.locator('#pull-result a').getAttribute('href')).toBe(`/sites/${siteId}/sync-log`)
    await shoot('pull-done')
  }, 90_000)

  it('a pull that takes longer than a moment: the card polls its status and shows the result when it ends', async () => {
    // A slow WordPress (WordPress-shaped, on loopback): listing its post types takes 4 s.
    const slow = fakeWordPress({ posts: 2 })
    slow.state.slow = (path) => (path === '/wp/v2/types' ? 4000 : 0)
    try {
      const other = await s.site(adminToken, 'Slow Blog')
      const creds = { wp_url: slow.url, username: 'admin', app_password: 'pw' }
      const put = await s.call('PUT', `/api/v1/integration/integrations/${other.integrationId}/pull-credentials/`, {
        token: adminToken,
        body: creds,
      })
      expect(put.status).toBe(200)
      await page.goto(`${s.base}/sites/${other.siteId}/pull`)
      const polled = page.waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === `/sites/${other.siteId}/pull/status`)
      await syncButton().click()
      await page.locator('#pull-result .pull-running').waitFor({ state: 'visible', timeout: 10_000 })
      expect(await page.locator('#pull-result .pull-running').innerText()).toContain('Pulling from WordPress')
      await polled
      await page.locator('#pull-result [data-status=ok]').waitFor({ timeout: 30_000 })
      expect(await page.locator('#pull-result .pull-running').count()).toBe(0)
      expect(await page.locator('#site-status').innerText()).toBe('Connected')
    } finally {
      slow.stop()
      await page.goto(`${s.base}/sites/${siteId}/pull`)
    }
  }, 60_000)

  it('shows WordPress’s own counts on the Content types tab', async () => {
    await page.click('.tab >> text=Content types')
    await page.waitForURL(`**/sites/${siteId}/content-types`)
    for (const [kind, types] of [
      ['post_types', wp.fixtures.postTypes],
      ['taxonomies', wp.fixtures.taxonomies],
    ] as const) {
      expect(await page.locator(`.type-card[id^="ct-${kind}-"]`).count()).toBe(Object.keys(types).length)
      for (const t of Object.values(types)) {
        const card = page.locator(`#ct-${kind}-${t.slug}`)
        expect(await card.locator('h3').innerText()).toBe(t.label)
        expect(await card.locator('.type-counts').innerText()).toContain(`${t.count} total`)
      }
    }
    await shoot('pull-content-types')
  }, 30_000)

  it('a wrong saved password makes Test connection and Sync now say so clearly', async () => {
    await page.goto(`${s.base}/sites/${siteId}/pull`)
    await page.click('summary:has-text("Replace credentials")')
    await page.fill('#f-app_password', WRONG)
    await page.click('button:has-text("Replace credentials")')
    await page.locator('#pull-credentials .inline-ok').waitFor()
    await page.locator('#pull-credentials >> text=Test connection').first().click()
    await page.locator('#pull-test-result .alert-error').waitFor()
    expect(await page.locator('#pull-test-result').innerText()).toContain('rejected the username or Application Password')
    await syncButton().click()
    await page.locator('#pull-result [data-status=error]').waitFor({ timeout: 60_000 })
    const result = await page.locator('#pull-result').innerText()
    expect(result).toContain('failed')
    expect(result).toContain('rejected the username or Application Password')
    await shoot('pull-wrong-password')
  }, 90_000)

  it('runs the daily job for an administrator and shows what it did', async () => {
    await page.locator('#daily-job >> text=Run daily job now').click()
    await page.locator('#daily-job >> text=Daily job finished').waitFor({ timeout: 120_000 })
    expect(await page.locator('#daily-job').innerText()).toMatch(/Last run\s+just now/)
    await shoot('pull-daily-job')
    expect(html.some((h) => h.includes(wp.appPassword))).toBe(false)
    // Expected errors only: the browser logs nothing for our own 4xx here; anything else (CSP, script) fails.
    expect(consoleErrors).toEqual([])
  }, 150_000)
})
