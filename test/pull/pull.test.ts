// Pull mode against a REAL WordPress (test/wordpress/harness.ts): credentials, structure, content, errors, the daily job.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { runDailyJob } from '../../src/cron/service'
import { integrations } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { startWordPress, type WordPress } from '../wordpress/harness'

let wp: WordPress
let s: TestServer
const seen: string[] = [] // every response body, to prove the password never comes back

beforeAll(async () => {
  wp = await startWordPress()
  s = await startServer({ 'pull-allow-private': 'true' })
}, 180_000)
afterAll(async () => {
  await s?.stop()
  await wp?.stop()
}, 60_000)

const base = (id: number) => `/api/v1/integration/integrations/${id}`
async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await s.call(method, path, { token, body })
  seen.push(res.text)
  return res
}
/** A user with a site whose integration has pull credentials for the test WordPress. */
async function pulledSite(password = wp.appPassword, include_content?: boolean) {
  const u = await s.user()
  const site = await s.site(u.token)
  const put = await call('PUT', `${base(site.integrationId)}/pull-credentials/`, u.token, {
    wp_url: wp.url,
    username: wp.adminUser,
    app_password: password,
    include_content,
  })
  expect(put.status).toBe(200)
  return { ...site, token: u.token }
}
const contentTypes = async (id: number, token: string) => (await call('GET', `${base(id)}/content-types/`, token)).body.data

describe('PUT|GET|DELETE /integration/integrations/{id}/pull-credentials/', () => {
  it('saves, shows without the password, and removes', async () => {
    const site = await pulledSite()
    const got = await call('GET', `${base(site.integrationId)}/pull-credentials/`, site.token)
    expect(got.body.data).toEqual({ wp_url: wp.url, username: 'admin', configured: true, include_content: false })
    const del = await call('DELETE', `${base(site.integrationId)}/pull-credentials`, site.token)
    expect(del.status).toBe(200)
    expect((await call('GET', `${base(site.integrationId)}/pull-credentials/`, site.token)).body.data.configured).toBe(false)
  })

  it('answers 403 to a site API key and 404 for another tenant', async () => {
    const site = await pulledSite()
    const creds = { wp_url: wp.url, username: 'admin', app_password: wp.appPassword }
    expect((await s.call('PUT', `${base(site.integrationId)}/pull-credentials/`, { token: site.key, body: creds })).status).toBe(403)
    expect((await s.call('POST', `${base(site.integrationId)}/pull/`, { token: site.key, body: {} })).status).toBe(403)
    const other = await s.user()
    expect((await s.call('GET', `${base(site.integrationId)}/pull-credentials/`, { token: other.token })).status).toBe(404)
    expect((await s.call('POST', `${base(site.integrationId)}/pull/`, { token: other.token, body: {} })).status).toBe(404)
  })
})

describe('POST /integration/integrations/{id}/pull/', () => {
  it('stores the structure exactly as WordPress counts it', async () => {
    const site = await pulledSite()
    const res = await call('POST', `${base(site.integrationId)}/pull/`, site.token, {})
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      kind: 'pull',
      source: 'admin',
      status: 'ok',
      error: null,
      counts: { post_types: 3, taxonomies: 3 },
    })
    const ct = await contentTypes(site.integrationId, site.token)
    for (const t of Object.values(wp.fixtures.postTypes))
      expect(ct.post_types[t.slug]).toMatchObject({ label: t.label, count: t.count, synced_count: 0 })
    for (const t of Object.values(wp.fixtures.taxonomies)) expect(ct.taxonomies[t.slug]).toMatchObject({ label: t.label, count: t.count })
    expect(Object.keys(ct.post_types).sort()).toEqual(['page', 'post', 'product'])
    expect(Object.keys(ct.taxonomies).sort()).toEqual(['category', 'post_tag', 'product_cat'])
    expect(ct.stale).toBe(false)
    // Metadata a plugin would send: the site URL (REST index) and the version (the feed's generator).
    const version = (await wp.wpEval(`echo get_bloginfo('version');`)).trim()
    expect(ct.wordpress_version).toBe(version)
    expect(ct.site_url).toBe(wp.url)
    const events = (await call('GET', `${base(site.integrationId)}/sync-events/`, site.token)).body.results
    expect(events.map((e: any) => `${e.kind}:${e.source}`)).toEqual(['pull:admin', 'structure:pull'])
  })

  it('pulls content within fetch limits, with term parents and item terms', async () => {
    const site = await pulledSite()
    await call('POST', `${base(site.integrationId)}/pull/`, site.token, {})
    const patch = await call('PATCH', `${base(site.integrationId)}/content-types/`, site.token, {
      post_types: { post: { fetch_limit: 5 } },
    })
    expect(patch.status).toBe(200)
    const res = await call('POST', `${base(site.integrationId)}/pull/`, site.token, { content: true })
    expect(res.body.data.status).toBe('ok')
    expect(res.body.data.counts).toMatchObject({ items_created: 5 + wp.fixtures.pages + wp.fixtures.products, terms_created: 16 })
    const ct = await contentTypes(site.integrationId, site.token)
    expect(ct.post_types.post).toMatchObject({ synced_count: 5, fetch_limit: 5, count: wp.fixtures.posts })
    expect(ct.post_types.page.synced_count).toBe(wp.fixtures.pages)
    expect(ct.post_types.product.synced_count).toBe(wp.fixtures.products)
    expect(ct.taxonomies.category.synced_count).toBe(wp.fixtures.categories)
    expect(ct.taxonomies.post_tag.synced_count).toBe(wp.fixtures.tags)
    expect(ct.taxonomies.product_cat.synced_count).toBe(wp.fixtures.productCats)

    const ids = wp.fixtures.ids
    const cats = (await call('GET', `${base(site.integrationId)}/terms/?taxonomy=category&page_size=200`, site.token)).body.results
    expect(cats.find((t: any) => t.external_id === ids.categories.ai)).toMatchObject({ name: 'AI', parent: ids.categories.technology })
    const shirts = (await call('GET', `${base(site.integrationId)}/terms/?taxonomy=product_cat`, site.token)).body.results
    expect(shirts.find((t: any) => t.name === 'Shirts').parent).toBe(ids.productCats.clothing)

    const posts = (await call('GET', `${base(site.integrationId)}/content/?post_type=post`, site.token)).body.results
    // The five newest: fixture posts 8..12.
    expect(posts.map((p: any) => p.slug).sort()).toEqual([8, 9, 10, 11, 12].map((i) => `fixture-post-${i}`).sort())
    const post12 = posts.find((p: any) => p.slug === 'fixture-post-12')
    expect(post12).toMatchObject({ title: 'Fixture Post 12', status: 'publish', modified_at: expect.stringMatching(/Z$/) })
    expect(post12.url).toStartWith(wp.url)
    expect(post12.terms.category).toEqual([ids.categories.uncategorized])
    expect(post12.terms.post_tag.length).toBe(2)

    // A second pull changes nothing.
    const again = await call('POST', `${base(site.integrationId)}/pull/`, site.token, { content: true })
    expect(again.body.data.counts).toMatchObject({ items_created: 0, items_updated: 0, terms_created: 0, terms_updated: 0 })
  })

  it('records a 401-type error for a wrong Application Password and still answers 200', async () => {
    const site = await pulledSite('abcd efgh ijkl mnop qrst uvwx')
    const res = await call('POST', `${base(site.integrationId)}/pull/`, site.token, { content: true })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ kind: 'pull', status: 'error' })
    expect(res.body.data.error).toContain('rejected the username or Application Password')
    expect(res.body.data.error).toContain('401')
    expect(res.body.data.error).not.toMatch(/\n\s+at /)
    expect((await contentTypes(site.integrationId, site.token)).last_structure_fetch).toBeNull()
  })

  it('answers 409 while a pull of the same integration is running', async () => {
    const site = await pulledSite()
    const [a, b] = await Promise.all([
      call('POST', `${base(site.integrationId)}/pull/`, site.token, { content: true }),
      call('POST', `${base(site.integrationId)}/pull/`, site.token, {}),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 409])
  })
})

describe('POST /integration/integrations/{id}/pull-credentials/test/', () => {
  it('proves the saved credentials, and reports wrong ones clearly', async () => {
    const site = await pulledSite()
    const good = await call('POST', `${base(site.integrationId)}/pull-credentials/test/`, site.token, {})
    expect(good.body.data).toMatchObject({ ok: true, route_style: 'wp-json' })
    const bad = await call('POST', `${base(site.integrationId)}/pull-credentials/test/`, site.token, {
      wp_url: wp.url,
      username: 'admin',
      app_password: 'wrong wrong wrong',
    })
    expect(bad.status).toBe(200)
    expect(bad.body.data).toMatchObject({ ok: false, code: 'unauthorized' })
  })
})

describe('runDailyJob', () => {
  it('pulls every integration with credentials and records which ones turned stale', async () => {
    const pulled = await pulledSite(wp.appPassword, true) // include_content: the job pulls content too
    const u = await s.user()
    const old = await s.site(u.token, 'Old')
    const structure = { post_types: { post: { label: 'Posts', count: 1 } }, timestamp: new Date(Date.now() - 30 * 3600_000).toISOString() }
    expect((await s.call('POST', `${base(old.integrationId)}/update-structure/`, { token: old.key, body: structure })).status).toBe(200)
    // Staleness follows the server's receive time: date the push as received 30 h ago.
    const where = eq(integrations.id, old.integrationId)
    const config = JSON.parse((await s.db.select({ json: integrations.configJson }).from(integrations).where(where).get())!.json)
    config.content_types.received_at = structure.timestamp
    await s.db
      .update(integrations)
      .set({ configJson: JSON.stringify(config) })
      .where(where)
      .run()

    const result = await runDailyJob(s.ctx)
    expect(result.ran).toBe(true)
    if (!result.ran) return
    expect(result.event).toMatchObject({ kind: 'cron', source: 'cron', integrationId: null })
    const counts = JSON.parse(result.event.countsJson)
    expect(counts.newly_stale).toContain(old.integrationId)
    expect(counts.pulls_ok).toBeGreaterThanOrEqual(1)
    expect(counts.pulls_failed).toBeGreaterThanOrEqual(1) // the wrong-password site above
    const ct = await contentTypes(pulled.integrationId, pulled.token)
    expect(ct.post_types.post).toMatchObject({ count: wp.fixtures.posts, synced_count: wp.fixtures.posts })
    const events = (await call('GET', `${base(pulled.integrationId)}/sync-events/`, pulled.token)).body.results
    expect(events[0]).toMatchObject({ kind: 'pull', source: 'cron', status: 'ok', counts: { content: true } })

    // Already recorded as stale: the next run does not report it again.
    const next = await runDailyJob(s.ctx)
    expect(next.ran && JSON.parse(next.event.countsJson).newly_stale).toEqual([])
  }, 60_000)
})

describe('without pretty permalinks', () => {
  it('falls back to ?rest_route= and stores raw titles', async () => {
    await wp.wpEval(`global $wp_rewrite; $wp_rewrite->set_permalink_structure(''); $wp_rewrite->flush_rules(false);`)
    await wp.wpEval(`echo wp_insert_post(['post_title' => 'Tom & Jerry\\'s "Quotes" <3', 'post_status' => 'publish']);`)
    const site = await pulledSite()
    const test = await call('POST', `${base(site.integrationId)}/pull-credentials/test/`, site.token, {})
    expect(test.body.data).toMatchObject({ ok: true, route_style: 'rest_route' })
    const res = await call('POST', `${base(site.integrationId)}/pull/`, site.token, { content: true })
    expect(res.body.data.status).toBe('ok')
    const posts = (await call('GET', `${base(site.integrationId)}/content/?post_type=post&page_size=200`, site.token)).body.results
    // The raw title (context=edit), as the plugin sends it: no wptexturize curly quotes, no entities.
    expect(posts.map((p: any) => p.title)).toContain(`Tom & Jerry's "Quotes" <3`)
  })
})

describe('the Application Password', () => {
  it('never appears in a response or in plain text on disk', () => {
    expect(seen.length).toBeGreaterThan(10)
    for (const text of seen) expect(text).not.toContain(wp.appPassword)
    // The database, its WAL, and the daily job's backups.
    for (const name of readdirSync(s.dir, { recursive: true, encoding: 'utf8' })) {
      if (statSync(join(s.dir, name)).isDirectory()) continue
      const bytes = readFileSync(join(s.dir, name))
      expect(bytes.includes(wp.appPassword)).toBe(false)
      expect(bytes.includes(Buffer.from(wp.appPassword).toString('base64'))).toBe(false)
    }
  })
})
