// The admin in a real browser: first-run setup, login, adding a site, the plugin pushing its
// structure, content-type overrides saved through htmx, escaping of plugin labels, logout.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Page, Request } from 'playwright-core'
import { setupToken } from '../../src/admin/setup'
import { launchBrowser, screenshot, type Browser } from '../helpers/browser'
import { seedStructure, startServer, type TestServer } from '../helpers/server'

const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' }
const XSS = '<img src=x onerror=alert(1)>'
const PHONE = { width: 390, height: 844 }

let s: TestServer
let b: Browser
let page: Page
const dialogs: string[] = []
const consoleErrors: string[] = []

beforeAll(async () => {
  s = await startServer()
  b = await launchBrowser()
  page = b.page
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  // CSP violations (an inline script or style slipping in) surface as console errors.
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
  page.on('pageerror', (e) => consoleErrors.push(e.message))
}, 120_000)
afterAll(async () => {
  await b?.close()
  await s?.stop()
}, 60_000)

/** Screenshots at desktop width, and at phone width when asked. */
async function shoot(name: string, phone = false) {
  await screenshot(page, `${name}-desktop`)
  if (!phone) return
  await page.setViewportSize(PHONE)
  await screenshot(page, `${name}-phone`)
  await page.setViewportSize({ width: 1280, height: 900 })
}

const card = (kind: string, slug: string) => page.locator(`#ct-${kind}-${slug}`)
const push = (integrationId: number, key: string, body: unknown) =>
  s.call('POST', `/api/v1/integration/integrations/${integrationId}/update-structure/`, { token: key, body })

describe('admin pages in a browser', () => {
  let key = ''
  let siteId = 0
  let integrationId = 0

  it('creates the first administrator with the setup token, then logs in', async () => {
    await page.goto(s.base + '/')
    expect(new URL(page.url()).pathname).toBe('/setup')
    await shoot('setup', true)
    await page.fill('#f-token', (await setupToken(s.ctx))!)
    await page.fill('#f-name', ADMIN.name)
    await page.fill('#f-email', ADMIN.email)
    await page.fill('#f-password', ADMIN.password)
    await page.fill('#f-confirm', ADMIN.password)
    await Promise.all([page.waitForURL('**/login?m=setup-done'), page.click('button[type=submit]')])
    await expect(page.getByText('Administrator account created').isVisible()).resolves.toBe(true)
    await shoot('login', true)
    await page.fill('#f-email', ADMIN.email)
    await page.fill('#f-password', ADMIN.password)
    await Promise.all([page.waitForURL('**/sites'), page.click('button[type=submit]')])
    expect(await page.evaluate(() => (window as any).htmx?.version)).toBe('4.0.1')
    await shoot('sites-empty', true)
  }, 60_000)

  it('adds a site and shows its API key once with the plugin settings', async () => {
    await page.fill('#f-name', 'Demo Blog')
    await page.fill('#f-url', 'https://blog.example.com')
    await page.click('text=Create site and API key')
    await page.waitForSelector('#new-key')
    key = (await page.textContent('#set-key'))!.trim()
    expect(key).toStartWith('igny8_sk_')
    expect((await page.textContent('#set-api-base'))!.trim()).toBe(`${s.base}/api/v1`)
    expect((await page.textContent('#set-email'))!.trim()).toBe(ADMIN.email)
    await shoot('site-created', true)
    const me = await s.call('GET', '/api/v1/system/sites/', { token: key })
    siteId = me.body.results[0].id
    const list = await s.call('GET', `/api/v1/integration/integrations/?site=${siteId}&platform=wordpress`, { token: key })
    integrationId = list.body.results[0].id
  }, 30_000)

  it('shows the six content-type cards with their totals after the plugin pushes', async () => {
    await page.goto(`${s.base}/sites/${siteId}/content-types`)
    await expect(page.getByText('No structure received yet').isVisible()).resolves.toBe(true)
    await shoot('content-types-empty')
    expect((await push(integrationId, key, seedStructure())).status).toBe(200)
    await page.reload()
    expect(await page.locator('.type-card').count()).toBe(6)
    const seed = seedStructure()
    for (const kind of ['post_types', 'taxonomies'] as const) {
      for (const [slug, t] of Object.entries(seed[kind])) {
        expect(await card(kind, slug).locator('.type-counts > span').first().innerText()).toBe(`${t.count} total · 0 synced`)
        expect(await card(kind, slug).locator('h3').innerText()).toBe(t.label)
      }
    }
    expect(await page.locator('.structure-foot').innerText()).toContain('Structure last fetched: 2025-11-22 10:00:00 UTC')
    await shoot('content-types', true)
  }, 30_000)

  it('saves Enabled and Limit through htmx without a reload, sending the CSRF header', async () => {
    await page.evaluate(() => ((window as any).__noReload = true))
    const csrf = JSON.parse((await page.getAttribute('body', 'hx-headers:inherited'))!)['X-CSRF-Token']
    const isSave = (r: Request) => r.method() === 'POST' && r.url().endsWith('/content-types/post_types/post')

    const [toggle] = await Promise.all([
      page.waitForRequest(isSave),
      page.waitForResponse((r) => isSave(r.request())),
      card('post_types', 'post').locator('.switch').click(),
    ])
    expect(toggle.headers()['x-csrf-token']).toBe(csrf)
    expect(toggle.headers()['hx-request']).toBe('true')
    await card('post_types', 'post').locator('.inline-ok').waitFor()
    expect(await card('post_types', 'post').locator('input[name=enabled]').isChecked()).toBe(false)

    const limit = card('post_types', 'post').locator('input[name=fetch_limit]')
    await limit.fill('25')
    const [save] = await Promise.all([page.waitForRequest(isSave), page.waitForResponse((r) => isSave(r.request())), limit.press('Tab')])
    expect(save.headers()['x-csrf-token']).toBe(csrf)
    await page.waitForFunction(
      () => (document.querySelector('#ct-post_types-post input[name=fetch_limit]') as HTMLInputElement)?.value === '25',
    )
    await card('post_types', 'post').locator('.badge-info').waitFor()
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true)
    await shoot('content-types-overridden')
  }, 30_000)

  it('shows a refused htmx request (bad CSRF token) in the toast, leaving the card in place', async () => {
    const good = (await page.getAttribute('body', 'hx-headers:inherited'))!
    await page.evaluate(() => document.body.setAttribute('hx-headers:inherited', '{"X-CSRF-Token":"forged"}'))
    const isSave = (r: Request) => r.method() === 'POST' && r.url().endsWith('/content-types/taxonomies/category')
    const [res] = await Promise.all([
      page.waitForResponse((r) => isSave(r.request())),
      card('taxonomies', 'category').locator('.switch').click(),
    ])
    expect(res.status()).toBe(403)
    await page.locator('#toast #error-message').waitFor()
    expect(await page.locator('#toast').innerText()).toContain('Reload the page and try again.')
    expect(await card('taxonomies', 'category').count()).toBe(1)
    expect(await card('taxonomies', 'category').locator('input[name=enabled]').isChecked()).toBe(true) // put back: not stored
    await screenshot(page, 'toast-desktop')
    await page.evaluate((v) => document.body.setAttribute('hx-headers:inherited', v), good)
    const json = await s.call('GET', `/api/v1/integration/integrations/${integrationId}/content-types/`, { token: key })
    expect(json.body.data.taxonomies.category.enabled).toBe(true)
  }, 30_000)

  it('shows a too-large htmx post (413) in the toast, leaving the card in place', async () => {
    // A form that grew past the admin's 64 KB body limit (a pasted blob, a hostile extension).
    await page.evaluate(() => {
      const pad = Object.assign(document.createElement('input'), { type: 'hidden', name: 'pad', value: 'a'.repeat(70 * 1024) })
      document.getElementById('ct-taxonomies-category')!.append(pad) // the card is the form
    })
    const isSave = (r: Request) => r.method() === 'POST' && r.url().endsWith('/content-types/taxonomies/category')
    const [res] = await Promise.all([
      page.waitForResponse((r) => isSave(r.request())),
      card('taxonomies', 'category').locator('.switch').click(),
    ])
    expect(res.status()).toBe(413)
    await page.locator('#toast #error-message').waitFor()
    expect(await page.locator('#toast').innerText()).toContain('larger than this route accepts')
    expect(await card('taxonomies', 'category').count()).toBe(1)
    expect(await page.locator('main #error-message').count()).toBe(0)
    const json = await s.call('GET', `/api/v1/integration/integrations/${integrationId}/content-types/`, { token: key })
    expect(json.body.data.taxonomies.category.enabled).toBe(true)
    await page.reload()
  }, 30_000)

  it('keeps the overrides when the plugin pushes again', async () => {
    expect((await push(integrationId, key, seedStructure())).status).toBe(200)
    await page.reload()
    expect(await card('post_types', 'post').locator('input[name=enabled]').isChecked()).toBe(false)
    expect(await card('post_types', 'post').locator('input[name=fetch_limit]').inputValue()).toBe('25')
    const json = await s.call('GET', `/api/v1/integration/integrations/${integrationId}/content-types/`, { token: key })
    expect(json.status).toBe(200)
    expect(json.body.data.post_types.post).toMatchObject({ enabled: false, fetch_limit: 25, count: 123 })
  }, 30_000)

  it('shows a hostile label from the plugin as text and runs nothing', async () => {
    const hostile = seedStructure()
    hostile.post_types.page.label = XSS
    expect((await push(integrationId, key, hostile)).status).toBe(200)
    await page.reload()
    await page.waitForTimeout(300) // time for an injected onerror to fire, were there one
    expect(await page.getByText(XSS, { exact: true }).isVisible()).toBe(true)
    expect(await page.locator('main img').count()).toBe(0)
    expect(dialogs).toEqual([])
  }, 30_000)

  it('adds a user through the users page', async () => {
    await page.goto(s.base + '/users')
    await page.click('text=Add user')
    await page.fill('#f-email', 'editor@example.com')
    await page.fill('#f-name', 'Eddie Editor')
    await page.fill('#f-password', 'initial password')
    await Promise.all([page.waitForURL('**/users?m=user-created'), page.click('text=Create user')])
    expect(await page.locator('#user-2').innerText()).toContain('editor@example.com')
  }, 30_000)

  it('renders the other pages cleanly at desktop and phone widths', async () => {
    for (const [name, path] of [
      ['sites', '/sites'],
      ['connection', `/sites/${siteId}/connection`],
      ['sync-log', `/sites/${siteId}/sync-log`],
      ['users', '/users'],
      ['account', '/account'],
    ] as const) {
      await page.goto(s.base + path)
      await shoot(name, true)
    }
    // One event per accepted structure push, newest first.
    await page.goto(`${s.base}/sites/${siteId}/sync-log`)
    expect(await page.locator('.log tbody tr').count()).toBe(3)
  }, 60_000)

  it('logs out, after which the pages need a login again', async () => {
    await Promise.all([page.waitForURL('**/login?m=logged-out'), page.click('text=Log out')])
    await page.goto(`${s.base}/sites`)
    expect(new URL(page.url()).pathname).toBe('/login')
    expect(dialogs).toEqual([])
    // The expected errors are the forged-token request's 403 and the oversized post's 413; anything else
    // (a CSP violation, a script error) fails.
    expect(consoleErrors.filter((e) => !/status of (403|413)/.test(e))).toEqual([])
  }, 30_000)
})
