// POST /sites/{id}/content-types/{kind}/{slug}: a card saves Enabled / Limit as admin overrides
// (htmx gets the card back, a plain form is redirected), and plugin labels are escaped.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { adminSession, htmxPost, post, send } from './client'

let s: TestServer
let me: Awaited<ReturnType<typeof adminSession>>
let site: Awaited<ReturnType<TestServer['site']>>
const cardPath = (kind: string, slug: string) => `/sites/${site.siteId}/content-types/${kind}/${slug}`
const readTypes = async () =>
  (await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/content-types/`, { token: me.token })).body.data
const push = (body: unknown) =>
  s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, { token: site.key, body })

beforeAll(async () => {
  s = await startServer()
  me = await adminSession(s, { admin: false })
  site = await s.site(me.token)
  await push(seedStructure())
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('a content-type card', () => {
  it('answers an htmx save with just the card, overridden, and Vary: HX-Request', async () => {
    const res = await htmxPost(s, me.session, cardPath('taxonomies', 'post_tag'), { fetch_limit: '40' })
    expect(res.status).toBe(200)
    expect(res.headers.get('vary')).toContain('HX-Request')
    // An unticked checkbox is absent from the form, so this save also turns Enabled off.
    expect(res.text).toMatch(/^\s*<form\s+class="type-card is-disabled"\s+id="ct-taxonomies-post_tag"/)
    expect(res.text).not.toContain('<html')
    expect(res.text).toContain('Override')
    expect((await readTypes()).taxonomies.post_tag).toMatchObject({ enabled: false, fetch_limit: 40 })
  })

  it('overrides only what changed: the same limit with Enabled ticked keeps the limit from the plugin', async () => {
    await htmxPost(s, me.session, cardPath('post_types', 'page'), { enabled: '1', fetch_limit: '100' })
    const types = await readTypes()
    expect(types.post_types.page).toMatchObject({ enabled: true, fetch_limit: 100, overridden: false })
  })

  it('redirects a plain form post back to the card', async () => {
    const res = await post(s, me.session, cardPath('post_types', 'product'), { enabled: '1', fetch_limit: '50' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/sites/${site.siteId}/content-types?m=saved#ct-post_types-product`)
    expect((await readTypes()).post_types.product).toMatchObject({ enabled: true, fetch_limit: 50 })
  })

  it('answers 422 with the card and its error for a bad limit, storing nothing', async () => {
    const res = await htmxPost(s, me.session, cardPath('post_types', 'post'), { enabled: '1', fetch_limit: '-3' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('At least 0.')
    expect((await readTypes()).post_types.post).toMatchObject({ fetch_limit: 100, overridden: false })
    const plain = await post(s, me.session, cardPath('post_types', 'post'), { fetch_limit: 'lots' })
    expect(plain.status).toBe(422)
    expect(plain.text).toContain('<html')
  })

  it('keeps overrides across plugin pushes until "Use plugin values" resets them', async () => {
    await push(seedStructure())
    expect((await readTypes()).taxonomies.post_tag).toMatchObject({ enabled: false, fetch_limit: 40 })
    await htmxPost(s, me.session, cardPath('taxonomies', 'post_tag'), { reset: '1', fetch_limit: '40' })
    expect((await readTypes()).taxonomies.post_tag).toMatchObject({ enabled: true, fetch_limit: 100, overridden: false })
  })

  it('is a 404 for a type the last structure does not have', async () => {
    for (const slug of ['nope', 'constructor']) {
      const res = await htmxPost(s, me.session, cardPath('post_types', slug), { fetch_limit: '1' })
      expect(res.status).toBe(404)
    }
  })
})

describe('GET /sites/{id}/content-types', () => {
  it('escapes labels the plugin sent', async () => {
    const hostile = seedStructure()
    hostile.post_types.post.label = '<script>alert("x")</script>'
    hostile.taxonomies.category.label = '" onmouseover="alert(1)'
    await push(hostile)
    const res = await send(s, 'GET', `/sites/${site.siteId}/content-types`, { session: me.session })
    expect(res.text).not.toContain('<script>alert')
    expect(res.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(res.text).not.toContain('" onmouseover="')
  })

  it('shows how to connect the plugin before any structure arrives', async () => {
    const fresh = await s.site(me.token, 'Fresh')
    const res = await send(s, 'GET', `/sites/${fresh.siteId}/content-types`, { session: me.session })
    expect(res.text).toContain('No structure received yet')
    expect(res.text).toContain(`${s.base}/api/v1`)
  })

  it('shows in the footer when content was last synced, from the sync log', async () => {
    const before = await send(s, 'GET', `/sites/${site.siteId}/content-types`, { session: me.session })
    expect(before.text).toContain('No posts or terms synced yet.')
    await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/sync-content/`, {
      token: site.key,
      body: { items: [{ external_id: 1, post_type: 'post', title: 'Hello' }] },
    })
    const after = await send(s, 'GET', `/sites/${site.siteId}/content-types`, { session: me.session })
    expect(after.text).toContain('Content last synced:')
    expect(after.text).toContain('Content batch: 1 created, 0 updated, 0 unchanged, 0 deleted, 0 skipped')
    expect(after.text).toContain(`href="/sites/${site.siteId}/sync-log"`)
  })
})
