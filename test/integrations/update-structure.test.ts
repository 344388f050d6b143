import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import { withTx } from '../../src/db/client'
import { syncEvents } from '../../src/db/schema'
import { seedStructure, startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const push = (id: number, token: string, body: unknown) =>
  s.call('POST', `/api/v1/integration/integrations/${id}/update-structure/`, { token, body })
const config = async (id: number, token: string) =>
  (await s.call('GET', `/api/v1/integration/integrations/${id}/`, { token })).body.data.config_json

describe('POST /integration/integrations/{id}/update-structure/', () => {
  it('answers exactly the seed response and stores the seed shape in config_json', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const res = await push(site.integrationId, site.key, seedStructure())
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      success: true,
      data: {
        message: 'Site structure updated successfully',
        post_types_count: 3,
        taxonomies_count: 3,
        last_structure_fetch: '2025-11-22T10:00:00Z',
      },
    })
    const cfg = await config(site.integrationId, u.token)
    expect(cfg.content_types.post_types.product).toEqual({ label: 'Products', count: 456, enabled: false, fetch_limit: 50 })
    expect(cfg.content_types.last_structure_fetch).toBe('2025-11-22T10:00:00Z')
    expect(cfg.plugin_connection_enabled).toBe(true)
    expect(cfg.two_way_sync_enabled).toBe(true)
  })

  it('fills defaults: label from the slug, enabled true, fetch_limit 100, timestamp now', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const before = Date.now()
    const res = await push(site.integrationId, site.key, { post_types: { event: { count: 4 } } })
    expect(res.status).toBe(200)
    expect(Date.parse(res.body.data.last_structure_fetch)).toBeGreaterThanOrEqual(before - 1000)
    const cfg = await config(site.integrationId, u.token)
    expect(cfg.content_types.post_types.event).toEqual({ label: 'event', count: 4, enabled: true, fetch_limit: 100 })
    expect(cfg.content_types.taxonomies).toEqual({})
  })

  it('echoes the timestamp exactly as sent, and stores site_url and wordpress_version', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const res = await push(site.integrationId, site.key, {
      ...seedStructure(),
      timestamp: '2025-11-22T10:15:30+00:00',
      site_url: 'https://blog.example.com',
      wordpress_version: '6.4',
      unknown_field: 'ignored',
    })
    expect(res.body.data.last_structure_fetch).toBe('2025-11-22T10:15:30+00:00')
    const cfg = await config(site.integrationId, u.token)
    expect(cfg.content_types.site_url).toBe('https://blog.example.com')
    expect(cfg.content_types.wordpress_version).toBe('6.4')
    expect(cfg).not.toHaveProperty('unknown_field')
  })

  it('preserves other config fields and keeps the flags when a push leaves them out', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await s.call('PATCH', `/api/v1/integration/integrations/${site.integrationId}/`, {
      token: u.token,
      body: { config_json: { custom: { a: 1 } } },
    })
    await push(site.integrationId, site.key, { ...seedStructure(), two_way_sync_enabled: false })
    const { two_way_sync_enabled, plugin_connection_enabled, timestamp, ...rest } = seedStructure()
    await push(site.integrationId, site.key, { post_types: rest.post_types })
    const cfg = await config(site.integrationId, u.token)
    expect(cfg.custom).toEqual({ a: 1 })
    expect(cfg.two_way_sync_enabled).toBe(false)
    // taxonomies were not sent the second time: the previous ones stay
    expect(Object.keys(cfg.content_types.taxonomies)).toEqual(['category', 'post_tag', 'product_cat'])
  })

  it('answers 400 naming the path of a wrong type, and 400 when neither section is sent', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const bad = seedStructure() as any
    bad.post_types.page.count = '12'
    const res = await push(site.integrationId, site.key, bad)
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('invalid')
    expect(Object.keys(res.body.errors)).toEqual(['post_types.page.count'])
    const empty = await push(site.integrationId, site.key, { timestamp: '2025-11-22T10:00:00Z' })
    expect(empty.status).toBe(400)
  })

  it('answers 403 for an inactive site or integration', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await s.call('PATCH', `/api/v1/system/sites/${site.siteId}/`, { token: u.token, body: { is_active: false } })
    const res = await push(site.integrationId, site.key, seedStructure())
    expect(res.status).toBe(403)
    expect(res.body.error).toBe('Only active sites can push structure.')
    await s.call('PATCH', `/api/v1/system/sites/${site.siteId}/`, { token: u.token, body: { is_active: true } })
    await s.call('PATCH', `/api/v1/integration/integrations/${site.integrationId}/`, { token: u.token, body: { is_active: false } })
    expect((await push(site.integrationId, site.key, seedStructure())).status).toBe(403)
  })

  it('answers with the user owning the site too', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    expect((await push(site.integrationId, u.token, seedStructure())).status).toBe(200)
  })
})

// Structure pushes to one integration that arrive together are stored together (src/db/coalesce.ts), and each is
// still answered as if it had been stored alone: its own timestamp, its own event, its own 404 or 403.
const structureEvents = async (id: number) =>
  await s.db
    .select({ summary: syncEvents.summary })
    .from(syncEvents)
    .where(and(eq(syncEvents.integrationId, id), eq(syncEvents.kind, 'structure')))
    .all()

/**
 * Sends the requests while the integration is held by another transaction (on SQLite the one connection, on
 * PostgreSQL the integration's lock), so that they queue up and are stored as one batch once it ends.
 */
async function together<T>(integrationId: number, send: () => Promise<T>[]): Promise<T[]> {
  let release!: () => void
  const held = withTx(s.db, () => new Promise<void>((r) => (release = r)), { lock: `integration:${integrationId}` })
  const answers = Promise.all(send())
  await Bun.sleep(300)
  release()
  await held
  return await answers
}

/** Push number i: its own timestamp and post count, and i page types (so its event's summary names it). */
const pushNumber = (i: number) => ({
  ...seedStructure(),
  timestamp: new Date(Date.UTC(2025, 10, 22, 10, 0, i)).toISOString(),
  post_types: {
    post: { label: 'Posts', count: 1000 + i },
    ...Object.fromEntries(Array.from({ length: i }, (_, k) => [`type_${k}`, { count: k }])),
  },
})

describe('structure pushes to one integration, at once', () => {
  it('answers each with its own push, records an event for each, and stores one of them whole', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const before = (await structureEvents(site.integrationId)).length
    const answers = await together(site.integrationId, () =>
      Array.from({ length: 30 }, (_, i) => push(site.integrationId, site.key, pushNumber(i))),
    )
    answers.forEach((res, i) => {
      expect(res.status).toBe(200)
      expect(res.body.data.last_structure_fetch).toBe(pushNumber(i).timestamp)
      expect(res.body.data.post_types_count).toBe(i + 1)
    })
    const summaries = (await structureEvents(site.integrationId)).slice(before).map((e) => e.summary)
    expect(summaries.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `Structure received: ${i + 1} post types, 3 taxonomies`).sort())
    // The stored config is one push's, whole: its count, its types and its timestamp belong together.
    const stored = (await config(site.integrationId, u.token)).content_types
    const i = stored.post_types.post.count - 1000
    expect(Object.keys(stored.post_types)).toHaveLength(i + 1)
    expect(stored.last_structure_fetch).toBe(pushNumber(i).timestamp)
  })

  it('refuses another tenant’s pushes among them with 404, and stores the rest', async () => {
    // The owner pushes as a user too, so that both kinds of request reach the batch alike (an API key's lookup
    // would wait for the held transaction on SQLite, a JWT does not).
    const owner = await s.user()
    const site = await s.site(owner.token)
    const stranger = await s.user()
    const answers = await together(site.integrationId, () =>
      Array.from({ length: 12 }, (_, i) => push(site.integrationId, i % 3 === 1 ? stranger.token : owner.token, pushNumber(i))),
    )
    answers.forEach((res, i) => expect([i, res.status]).toEqual([i, i % 3 === 1 ? 404 : 200]))
    expect(await structureEvents(site.integrationId)).toHaveLength(8)
  })

  it('refuses every push to an inactive site with 403 and changes nothing', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    expect((await push(site.integrationId, site.key, pushNumber(3))).status).toBe(200)
    const before = await config(site.integrationId, u.token)
    const events = (await structureEvents(site.integrationId)).length
    await s.call('PATCH', `/api/v1/system/sites/${site.siteId}/`, { token: u.token, body: { is_active: false } })
    const answers = await together(site.integrationId, () =>
      Array.from({ length: 10 }, (_, i) => push(site.integrationId, site.key, pushNumber(i))),
    )
    for (const res of answers) expect([res.status, res.body.code]).toEqual([403, 'inactive'])
    expect(await config(site.integrationId, u.token)).toEqual(before)
    expect(await structureEvents(site.integrationId)).toHaveLength(events)
  })
})
