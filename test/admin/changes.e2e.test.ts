// Push-back in a real browser: edit a post's title in its form → a pending change on the Changes tab; the plugin
// answers "conflict" → the conflict page shows base, IGNY8 and WordPress → choose per field → Resolve (htmx, no
// reload) → the change is pending again with the chosen values; then Cancel behind its confirm dialog.
// Screenshots (desktop and phone) go to test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { Page } from 'playwright-core'
import { editableSite, post as item, type EditableSite } from '../changes/helpers'
import { launchBrowser, screenshot, type Browser } from '../helpers/browser'
import { startServer, type TestServer } from '../helpers/server'

const PHONE = { width: 390, height: 844 }
const LATER = '2025-11-23T09:00:00Z'
const EXCERPT = 'A short summary of the launch: what changed, who it is for, and how to try the new sync in five minutes.'

let s: TestServer
let b: Browser
let page: Page
let c: EditableSite
const consoleErrors: string[] = []
const dialogs: string[] = []
let changeId = 0

beforeAll(async () => {
  s = await startServer()
  b = await launchBrowser()
  page = b.page
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.accept()
  })
  c = await editableSite(s)
  const body = '<!-- wp:paragraph -->\n<p>Welcome to the <strong>launch</strong>.</p>\n<!-- /wp:paragraph -->'
  expect((await c.plugin.sync([item(1, { title: 'Launch notes', excerpt: EXCERPT, content: body })])).status).toBe(200)
  await page.goto(s.base + '/login')
  await page.fill('#f-email', c.user.email)
  await page.fill('#f-password', c.user.password)
  await Promise.all([page.waitForURL('**/sites'), page.click('button[type=submit]')])
}, 120_000)
afterAll(async () => {
  await b?.close()
  await s?.stop()
}, 60_000)

async function shoot(name: string) {
  await screenshot(page, `${name}-desktop`)
  await page.setViewportSize(PHONE)
  // Nothing may widen the page past the phone's width (the tab strip scrolls inside itself).
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
  await screenshot(page, `${name}-phone`)
  await page.setViewportSize({ width: 1280, height: 900 })
}

describe('push-back in a browser', () => {
  it('opens a post from the synced items and edits its title and excerpt: a pending change appears on the Changes tab', async () => {
    await page.goto(`${s.base}/sites/${c.siteId}/content-types/post_types/post`)
    await Promise.all([page.waitForURL(`**/sites/${c.siteId}/content/1`), page.click('#results >> text=Launch notes')])
    expect(await page.locator('pre.body-preview').innerText()).toContain('<p>Welcome to the <strong>launch</strong>.</p>')
    expect(await page.locator('main strong').count()).toBe(0)
    await shoot('post')
    await page.fill('#f-title', 'Launch notes, edited in IGNY8')
    await page.fill('#f-excerpt', EXCERPT.replace('five minutes', 'two minutes'))
    await Promise.all([page.waitForURL('**/content/1?m=saved'), page.click('text=Save change')])
    expect(await page.locator('.alert-ok').innerText()).toContain('Change saved')
    await Promise.all([page.waitForURL(`**/sites/${c.siteId}/changes`), page.click('nav.tabs >> text=Changes (1)')])
    const row = page.locator('table.changes tbody tr')
    expect(await row.count()).toBe(1)
    expect(await row.innerText()).toContain('Pending')
    expect(await row.innerText()).toContain('Launch notes')
    expect(await row.innerText()).toContain('title, excerpt')
    await shoot('changes-tab')
    changeId = (await c.userApi.list()).body.results[0].id
  }, 60_000)

  it('shows a conflict with base, IGNY8 and WordPress, resolves it per field by htmx, and the change is pending again', async () => {
    expect((await c.plugin.pending()).body.count).toBe(1)
    const wp = item(1, {
      title: 'Launch notes (WordPress)',
      excerpt: EXCERPT.replace('who it is for', 'who should read it'),
      modified_at: LATER,
    })
    expect((await c.plugin.result(changeId, { status: 'conflict', item: wp })).body.data.state).toBe('conflict')

    await page.goto(`${s.base}/sites/${c.siteId}/changes?state=conflict`)
    await Promise.all([page.waitForURL(`**/changes/${changeId}`), page.click(`text=#${changeId}`)])
    const title = page.locator('fieldset[data-field="title"]')
    expect(await title.locator('.side-base').innerText()).toContain('Launch notes')
    expect(await title.locator('.side-igny8').innerText()).toContain('Launch notes, edited in IGNY8')
    expect(await title.locator('.side-wordpress').innerText()).toContain('Launch notes (WordPress)')
    const excerpt = page.locator('fieldset[data-field="excerpt"]')
    expect(await excerpt.locator('.side-igny8 ins').innerText()).toBe('two')
    expect(await excerpt.locator('.side-wordpress ins').first().innerText()).toContain('should')
    await shoot('conflict')

    await page.evaluate(() => ((window as any).__noReload = true))
    await title.locator('input[value="wordpress"]').check()
    await excerpt.locator('input[value="custom"]').check()
    await excerpt.locator('textarea').fill('Chosen in the browser.')
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/changes/${changeId}/resolve`) && r.status() === 200),
      page.click('button:has-text("Resolve")'),
    ])
    await page.locator('#change .alert-ok').waitFor()
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true)
    expect(await page.locator('#change h2').innerText()).toContain('Pending')
    await shoot('conflict-resolved')
    const after = (await c.userApi.get(changeId)).body.data
    expect(after).toMatchObject({
      state: 'pending',
      fields: { excerpt: 'Chosen in the browser.' },
      base_modified_at: LATER,
      conflict: null,
    })
    expect(after.fields.title).toBeUndefined()
  }, 60_000)

  it('cancels the change after the confirm dialog', async () => {
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/changes/${changeId}`) && r.request().method() === 'DELETE'),
      page.click('button:has-text("Cancel change")'),
    ])
    await page.locator('#change .alert-ok').getByText('Change cancelled.').waitFor()
    expect(dialogs.at(-1)).toContain(`Cancel change #${changeId}?`)
    expect((await c.userApi.get(changeId)).body.data.state).toBe('cancelled')
  }, 30_000)

  it('writes a new post from the synced items page: the create change is shown', async () => {
    await page.goto(`${s.base}/sites/${c.siteId}/content-types/post_types/post`)
    await Promise.all([page.waitForURL('**/post_types/post/new'), page.click('text=New Posts')])
    await page.fill('#f-title', 'Written in IGNY8')
    await page.fill('#f-content', '<!-- wp:paragraph -->\n<p>Hello</p>\n<!-- /wp:paragraph -->')
    await page.locator('input[name="terms_category"][value="13"]').check()
    await shoot('post-new')
    await Promise.all([page.waitForURL(/\/changes\/\d+$/), page.click('button:has-text("Create post")')])
    expect(await page.locator('#change').innerText()).toContain('New post: Written in IGNY8')
    const [ch] = (await c.userApi.list()).body.results
    expect(ch).toMatchObject({
      kind: 'create',
      state: 'pending',
      fields: { title: 'Written in IGNY8', status: 'draft', terms: { category: [13] } },
    })
    await shoot('post-new-change')
    expect(consoleErrors).toEqual([])
  }, 30_000)
})
