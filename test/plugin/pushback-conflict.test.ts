// Push-back conflicts through the real plugin: a real WordPress 6.1 with the plugin connected to the compiled backend
// (dist/igny8, `bun scripts/build.ts` first) on loopback, and a real Chromium on the backend's admin pages.
// 1. WordPress changes a post's excerpt while IGNY8, on the old version, changes its title: the plugin answers
//    `conflict`, the backend merges (no field changed on both sides), re-bases, and the plugin applies it on its
//    next poll; WordPress ends with both edits and the change never showed `conflict`.
// 2. Both sides change the title differently (IGNY8 the excerpt too): the change stops in `conflict`; the admin
//    resolves it in the browser with a custom title; the plugin delivers it; WordPress has that title and IGNY8's
//    excerpt. The WordPress edits drop their real-time echo so that IGNY8 keeps the old version as the base.
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from 'bun:test'
import type { Page } from 'playwright-core'
import { launchBrowser, screenshot, type Browser } from '../helpers/browser'
import { startWordPress, type WordPress } from '../wordpress/harness'
import { startBackend, type Backend } from './backend'
import { installPlugin, pluginLogs, activatePlugin, routeServed, until, type PluginSite } from './helpers'

setDefaultTimeout(90_000)

let wp: WordPress
let site: PluginSite
let srv: Backend
let b: Browser
let page: Page
let owner: Awaited<ReturnType<Backend['user']>>
let ids: Awaited<ReturnType<Backend['site']>>
const consoleErrors: string[] = []

beforeAll(async () => {
  // The nudge URL is on loopback: the backend refuses such targets unless told this WordPress is local.
  ;[wp, srv] = await Promise.all([startWordPress(), startBackend(['--pull-allow-private'])])
  site = await installPlugin(wp)
  await activatePlugin(wp)
  await routeServed(wp)
  owner = await srv.user()
  ids = await srv.site(owner.token, wp.url)
  const r = JSON.parse(await wp.wpEval(`echo json_encode(Igny8_Connection::connect(${php(srv.api)}, '', '', ${php(ids.key)}));`))
  expect(r.messages.map((m: string[]) => m[1])).toContain('Successfully connected to IGNY8 API')
  expect((await wp.wpEval(`echo json_encode(Igny8_Content_Sync::run());`)).trim()).toBe('true')
  b = await launchBrowser()
  page = b.page
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
  page.on('pageerror', (e) => consoleErrors.push(e.message))
}, 300_000)

afterAll(async () => {
  await b?.close()
  await wp?.stop()
  await srv?.close()
}, 60_000)

function php(s: unknown) {
  return JSON.stringify(s)
}
const integ = () => `/api/v1/integration/integrations/${ids.integrationId}`
const asUser = (method: string, path: string, body?: unknown) => srv.call(method, integ() + path, { token: owner.token, body })
const wpPost = async (id: number): Promise<{ title: string; excerpt: string; modified_gmt: string }> =>
  JSON.parse(
    await wp.wpEval(
      `$p = get_post(${id}); echo json_encode(['title' => $p->post_title, 'excerpt' => $p->post_excerpt, 'modified_gmt' => $p->post_modified_gmt]);`,
    ),
  )
const change = async (cid: number) => (await asUser('GET', `/changes/${cid}/`)).body.data
const inState = (cid: number, state: string, what: string) =>
  until(async () => ((await change(cid)).state === state ? change(cid) : null), 60_000, what)
/** The change's own sync events (newest first): what the admin was shown of it. */
const changeEvents = async (cid: number) =>
  ((await asUser('GET', '/sync-events/?page_size=200')).body.results as any[]).filter(
    (e) => e.kind === 'pushback' && e.counts?.change === cid,
  )
const conflictAnswers = (cid: number) =>
  pluginLogs(site)
    .php.split('\n')
    .filter((l) => l.includes(`IGNY8: Push-back change ${cid}: conflict`))

/** Edits the post in WordPress in a new second (so post_modified_gmt moves), dropping the real-time echo to IGNY8. */
async function editInWordPress(id: number, fields: Record<string, string>) {
  await Bun.sleep(1100)
  const args = Object.entries(fields)
    .map(([k, v]) => `${php(k)} => ${php(v)}`)
    .join(', ')
  await wp.wpEval(`wp_update_post(['ID' => ${id}, ${args}]); delete_option('igny8_queue'); wp_clear_scheduled_hook('igny8_process_queue');`)
}

describe('push-back conflicts through the plugin', () => {
  it('merges a non-overlapping concurrent edit: WordPress keeps its excerpt and gets the title, never in conflict', async () => {
    const id = wp.fixtures.ids.posts[0]!
    const stored = (await asUser('GET', `/content/${id}/`)).body.data
    expect(stored.external_id).toBe(id)
    await editInWordPress(id, { post_excerpt: 'Excerpt written in WordPress' })
    const moved = await wpPost(id)
    expect(`${moved.modified_gmt.replace(' ', 'T')}+00:00`).not.toBe(stored.modified_at)
    // IGNY8 still has the old version: its edit is based on it
    expect((await asUser('GET', `/content/${id}/`)).body.data.modified_at).toBe(stored.modified_at)

    const t0 = Date.now()
    const res = await asUser('PATCH', `/content/${id}/`, { title: 'Title from IGNY8, merged', base_modified_at: stored.modified_at })
    expect(res.status).toBe(202)
    const cid = res.body.data.id as number
    const applied = await inState(cid, 'applied', 'the merged change applied')
    // nudged twice (the edit, then the re-based change): no waiting for the 5-minute poll or a page load
    expect(Date.now() - t0).toBeLessThan(15_000)
    expect(applied).toMatchObject({ delivery: 'plugin', conflict: null, fields: { title: 'Title from IGNY8, merged' } })
    expect(await wpPost(id)).toMatchObject({ title: 'Title from IGNY8, merged', excerpt: 'Excerpt written in WordPress' })
    // the plugin did answer conflict to the first delivery, and applied the re-based change afterwards
    expect(conflictAnswers(cid)).toHaveLength(1)
    const events = await changeEvents(cid)
    expect(events.map((e) => e.counts.state)).toEqual(['applied', 'pending'])
    expect(events.every((e) => e.status === 'ok')).toBe(true)
    expect(events[1].summary).toContain('merged with WordPress')
    // IGNY8 now holds WordPress's excerpt too
    expect((await asUser('GET', `/content/${id}/`)).body.data).toMatchObject({
      title: 'Title from IGNY8, merged',
      excerpt: 'Excerpt written in WordPress',
    })
  })

  it('stops an overlapping edit in conflict; resolved in the browser, the plugin delivers the chosen values', async () => {
    const id = wp.fixtures.ids.posts[1]!
    const stored = (await asUser('GET', `/content/${id}/`)).body.data
    await editInWordPress(id, { post_title: 'Title from WordPress' })
    const res = await asUser('PATCH', `/content/${id}/`, {
      title: 'Title from IGNY8',
      excerpt: 'Excerpt from IGNY8',
      base_modified_at: stored.modified_at,
    })
    expect(res.status).toBe(202)
    const cid = res.body.data.id as number
    const c = await inState(cid, 'conflict', 'the change in conflict')
    expect(c.conflict.fields.title).toEqual({ base: stored.title, igny8: 'Title from IGNY8', wordpress: 'Title from WordPress' })
    expect(c.conflict.fields.excerpt).toBeUndefined()
    expect(conflictAnswers(cid)).toHaveLength(1)
    expect(await wpPost(id)).toMatchObject({ title: 'Title from WordPress', excerpt: stored.excerpt ?? '' })

    // The admin signs in with the backend's login form and finds the change on the Changes tab.
    await page.goto(`${srv.base}/login`, { timeout: 30_000 })
    await page.fill('#f-email', owner.email)
    await page.fill('#f-password', owner.password)
    await Promise.all([page.waitForURL('**/sites', { timeout: 30_000 }), page.click('button[type=submit]')])
    await page.goto(`${srv.base}/sites/${ids.siteId}`, { timeout: 30_000 })
    await Promise.all([
      page.waitForURL(`**/sites/${ids.siteId}/changes`, { timeout: 30_000 }),
      page.click('nav.tabs >> text=Changes', { timeout: 30_000 }),
    ])
    const row = page.locator('table.changes tbody tr', { hasText: `#${cid}` })
    expect(await row.innerText({ timeout: 30_000 })).toContain('Conflict')
    await Promise.all([page.waitForURL(`**/changes/${cid}`, { timeout: 30_000 }), row.locator(`text=#${cid}`).click({ timeout: 30_000 })])
    const title = page.locator('fieldset[data-field="title"]')
    expect(await title.locator('.side-base').innerText({ timeout: 30_000 })).toContain(stored.title)
    expect(await title.locator('.side-igny8').innerText()).toContain('Title from IGNY8')
    expect(await title.locator('.side-wordpress').innerText()).toContain('Title from WordPress')
    await screenshot(page, 'plugin-pushback-conflict')

    await title.locator('input[value="custom"]').check()
    await title.locator('textarea').fill('Title merged by the admin')
    // any other conflicting field keeps IGNY8's value
    for (const f of await page.locator('fieldset.conflict-field').all())
      if ((await f.getAttribute('data-field')) !== 'title') await f.locator('input[value="igny8"]').check()
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/changes/${cid}/resolve`) && r.status() === 200, { timeout: 30_000 }),
      page.click('button:has-text("Resolve")'),
    ])
    await page.locator('#change .alert-ok').waitFor({ timeout: 30_000 })

    const applied = await inState(cid, 'applied', 'the resolved change applied by the plugin')
    expect(applied).toMatchObject({ delivery: 'plugin', conflict: null })
    expect(await wpPost(id)).toMatchObject({ title: 'Title merged by the admin', excerpt: 'Excerpt from IGNY8' })
    expect((await changeEvents(cid)).map((e) => e.counts.state)).toEqual(['applied', 'conflict'])
    expect(consoleErrors).toEqual([])
  })

  it('raised no PHP error, warning or notice in the plugin files', () => {
    expect(pluginLogs(site).errors).toBe('')
  })
})
