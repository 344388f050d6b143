// Synced items and terms in a real browser: from a content-type card to its items, the search box and
// status filter swapping only the results (no reload, URL kept in step), pages, the terms tree, and the
// sites list in pages. Screenshots at desktop and phone widths go to test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Page } from 'playwright-core'
import { launchBrowser, screenshot, type Browser } from '../helpers/browser'
import { seedStructure, startServer, type TestServer } from '../helpers/server'

const PHONE = { width: 390, height: 844 }

let s: TestServer
let b: Browser
let page: Page
let site: Awaited<ReturnType<TestServer['site']>>
const consoleErrors: string[] = []
const dialogs: string[] = []

const post = (id: number, title: string, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  post_type: 'post',
  title,
  slug: title.toLowerCase().replace(/\W+/g, '-'),
  status: 'publish',
  url: `https://blog.example.com/${id}/`,
  modified_at: `2025-11-${String(10 + (id % 18)).padStart(2, '0')}T09:${String(id % 60).padStart(2, '0')}:00Z`,
  ...extra,
})
const TITLES = ['Getting started with WordPress', 'Alpha release notes', 'How we sync content', 'Why SEO titles matter', 'Draft: pricing']

beforeAll(async () => {
  s = await startServer()
  b = await launchBrowser()
  page = b.page
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  const me = await s.user({ email: 'ada@example.com' })
  site = await s.site(me.token, 'Demo Blog')
  const api = `/api/v1/integration/integrations/${site.integrationId}`
  await s.call('POST', `${api}/update-structure/`, { token: site.key, body: seedStructure() })
  const items = [
    ...TITLES.map((t, i) => post(i + 1, t, i === 4 ? { status: 'draft' } : {})),
    post(6, '<img src=x onerror=alert(1)>', { url: 'javascript:alert(1)', status: 'pending' }),
    ...Array.from({ length: 58 }, (_, i) => post(100 + i, `Weekly digest #${i + 1}`, { post_type: 'page' })),
  ]
  expect((await s.call('POST', `${api}/sync-content/`, { token: site.key, body: { items } })).status).toBe(200)
  const cat = (id: number, name: string, parent = 0) => ({ external_id: id, taxonomy: 'category', name, slug: name.toLowerCase(), parent })
  const tree = [
    cat(1, 'Hardware'),
    cat(2, 'Laptops', 1),
    cat(3, 'Ultrabooks', 2),
    cat(4, 'Desktops', 1),
    cat(5, 'Software'),
    cat(6, 'Apps', 5),
  ]
  expect((await s.call('POST', `${api}/sync-terms/`, { token: site.key, body: { terms: tree } })).status).toBe(200)
  await page.goto(s.base + '/login')
  await page.fill('#f-email', me.email)
  await page.fill('#f-password', me.password)
  await Promise.all([page.waitForURL('**/sites'), page.click('button[type=submit]')])
}, 120_000)
afterAll(async () => {
  await b?.close()
  await s?.stop()
}, 60_000)

async function shoot(name: string) {
  await screenshot(page, `${name}-desktop`)
  await page.setViewportSize(PHONE)
  await screenshot(page, `${name}-phone`)
  await page.setViewportSize({ width: 1280, height: 900 })
}
const rows = () => page.locator('#results tbody tr')

describe('synced items in a browser', () => {
  it('opens a post type from its card and lists the items, hostile data as text', async () => {
    await page.goto(`${s.base}/sites/${site.siteId}/content-types`)
    await shoot('content-types-synced')
    await Promise.all([page.waitForURL('**/content-types/post_types/post'), page.click('#ct-post_types-post >> text=View synced items')])
    expect(await rows().count()).toBe(6)
    expect(await page.getByText('<img src=x onerror=alert(1)>', { exact: true }).isVisible()).toBe(true)
    expect(await page.locator('main img').count()).toBe(0)
    expect(await page.locator('#results a[href^="javascript"]').count()).toBe(0)
    expect(await page.locator('#results a[target=_blank]').first().getAttribute('rel')).toBe('noopener noreferrer')
    await shoot('content-items')
  }, 30_000)

  it('filters rows as the admin types, without a reload, and keeps the search in the URL', async () => {
    await page.evaluate(() => ((window as any).__noReload = true))
    const isSearch = (url: string) => url.includes('/content-types/post_types/post?')
    // Held a moment in the browser so the in-flight state (spinner, dimmed rows) can be seen.
    await page.route('**/content-types/post_types/post?*', async (route) => {
      await new Promise((r) => setTimeout(r, 700))
      await route.continue()
    })
    const [res] = await Promise.all([
      page.waitForResponse((r) => isSearch(r.url()) && r.request().headers()['hx-request'] === 'true'),
      (async () => {
        await page.locator('#f-search').pressSequentially('alpha', { delay: 40 })
        await page.locator('.filters.htmx-request .spinner').waitFor({ state: 'visible' })
        await screenshot(page, 'content-items-searching-desktop')
      })(),
    ])
    await page.unroute('**/content-types/post_types/post?*')
    expect(res.status()).toBe(200)
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1)
    expect(await rows().first().innerText()).toContain('Alpha release notes')
    expect(new URL(page.url()).searchParams.get('search')).toBe('alpha')
    expect(await page.locator('#f-search').evaluate((el) => el === document.activeElement)).toBe(true)

    await page.fill('#f-search', '')
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 6)
    await page.selectOption('#f-status', 'draft')
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1)
    expect(await rows().first().innerText()).toContain('Draft: pricing')
    await page.fill('#f-search', 'no such words')
    await page.locator('#results >> text=No matching items').waitFor()
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true)
    await screenshot(page, 'content-items-empty-search-desktop')
  }, 30_000)

  it('pages through a long list', async () => {
    await page.goto(`${s.base}/sites/${site.siteId}/content-types/post_types/page`)
    expect(await rows().count()).toBe(50)
    expect(await page.locator('.pager-range').innerText()).toBe('1–50 of 58')
    await shoot('content-items-paged')
    await Promise.all([page.waitForURL('**?page=2'), page.click('.pager >> text=Next →')])
    expect(await rows().count()).toBe(8)
    expect(await page.locator('.pager-range').innerText()).toBe('51–58 of 58')
  }, 30_000)

  it('shows a taxonomy as an indented tree', async () => {
    await page.goto(`${s.base}/sites/${site.siteId}/content-types`)
    await Promise.all([page.waitForURL('**/taxonomies/category'), page.click('#ct-taxonomies-category >> text=View synced terms')])
    const names = await page.locator('.terms tbody td:first-child').allInnerTexts()
    expect(names.map((n) => n.replace('└', '').trim())).toEqual(['Hardware', 'Desktops', 'Laptops', 'Ultrabooks', 'Software', 'Apps'])
    const indent = (name: string) => page.locator('.term > .strong', { hasText: name }).evaluate((el) => el.getBoundingClientRect().left)
    expect(await indent('Ultrabooks')).toBeGreaterThan(await indent('Laptops'))
    await shoot('content-terms')
  }, 30_000)

  it('pages the sites list, with counts over all sites', async () => {
    const owner = await s.user()
    for (let i = 1; i <= 52; i++) await s.site(owner.token, `Site ${String(i).padStart(2, '0')}`)
    await b.context.clearCookies()
    await page.goto(s.base + '/login')
    await page.fill('#f-email', owner.email)
    await page.fill('#f-password', owner.password)
    await Promise.all([page.waitForURL('**/sites'), page.click('button[type=submit]')])
    expect(await page.locator('.stat-total .stat-value').innerText()).toBe('52')
    expect(await page.locator('table tbody tr').count()).toBe(50)
    await Promise.all([page.waitForURL('**/sites?page=2'), page.click('.pager >> text=Next →')])
    expect(await page.locator('table tbody tr').count()).toBe(2)
    expect(await page.locator('.stat-total .stat-value').innerText()).toBe('52')
    await shoot('sites-paged')
    expect(dialogs).toEqual([])
    expect(consoleErrors).toEqual([])
  }, 60_000)
})
