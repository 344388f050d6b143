import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { allRows } from '../../src/db/client'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('POST /system/sites/', () => {
  it('creates the site and its WordPress integration', async () => {
    const u = await s.user()
    const res = await s.call('POST', '/api/v1/system/sites/', { token: u.token, body: { name: 'Shop', url: 'https://shop.example.com' } })
    expect(res.status).toBe(201)
    expect(res.body.data).toMatchObject({ name: 'Shop', url: 'https://shop.example.com', is_active: true })
    expect(res.body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    const list = await s.call('GET', `/api/v1/integration/integrations/?site=${res.body.data.id}&platform=wordpress`, { token: u.token })
    expect(list.body.count).toBe(1)
    expect(list.body.results[0]).toMatchObject({ site: res.body.data.id, platform: 'wordpress', is_active: true, config_json: {} })
  })

  it('answers 400 naming each bad field', async () => {
    const u = await s.user()
    const res = await s.call('POST', '/api/v1/system/sites/', { token: u.token, body: { name: '', url: 'ftp://x' } })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors).sort()).toEqual(['name', 'url'])
  })

  it('answers 403 to an API key', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const res = await s.call('POST', '/api/v1/system/sites/', { token: site.key, body: { name: 'X', url: 'https://x.example' } })
    expect(res.status).toBe(403)
  })
})

describe('GET /system/sites/', () => {
  it('lists own sites, inactive included, in the list envelope with pagination links', async () => {
    const u = await s.user()
    for (const n of ['A', 'B', 'C'])
      await s.call('POST', '/api/v1/system/sites/', { token: u.token, body: { name: n, url: 'https://a.example' } })
    const first = (await s.call('GET', '/api/v1/system/sites/', { token: u.token })).body.results[0]
    await s.call('PATCH', `/api/v1/system/sites/${first.id}/`, { token: u.token, body: { is_active: false } })
    const page1 = await s.call('GET', '/api/v1/system/sites/?page_size=2', { token: u.token })
    expect(page1.body).toMatchObject({ success: true, count: 3, previous: null })
    expect(page1.body.results.map((r: any) => r.name)).toEqual(['A', 'B'])
    expect(page1.body.results[0].is_active).toBe(false)
    expect(page1.body.next).toBe(`${s.base}/api/v1/system/sites/?page_size=2&page=2`)
    const page2 = await s.call('GET', new URL(page1.body.next).pathname + new URL(page1.body.next).search, { token: u.token })
    expect(page2.body.results.map((r: any) => r.name)).toEqual(['C'])
    expect(page2.body.next).toBeNull()
    expect(page2.body.previous).toContain('page=1')
  })

  it('serves page_size over 200 as 200 (DRF max_page_size), and answers 400 below 1', async () => {
    const u = await s.user()
    await s.call('POST', '/api/v1/system/sites/', { token: u.token, body: { name: 'A', url: 'https://a.example.com' } })
    const res = await s.call('GET', '/api/v1/system/sites/?page_size=201', { token: u.token })
    expect(res.status).toBe(200)
    expect(res.body.count).toBe(1)
    const low = await s.call('GET', '/api/v1/system/sites/?page_size=0', { token: u.token })
    expect(low.status).toBe(400)
    expect(low.body.errors).toHaveProperty('page_size')
  })
})

describe('GET|PATCH|DELETE /system/sites/{id}/', () => {
  it('reads, renames and deletes a site (deleting also removes its integration)', async () => {
    const u = await s.user()
    const site = await s.site(u.token, 'Old')
    expect((await s.call('GET', `/api/v1/system/sites/${site.siteId}/`, { token: u.token })).body.data.name).toBe('Old')
    const patched = await s.call('PATCH', `/api/v1/system/sites/${site.siteId}/`, { token: u.token, body: { name: 'New' } })
    expect(patched.body.data.name).toBe('New')
    expect((await s.call('DELETE', `/api/v1/system/sites/${site.siteId}/`, { token: u.token })).status).toBe(200)
    expect((await s.call('GET', `/api/v1/system/sites/${site.siteId}/`, { token: u.token })).status).toBe(404)
    expect((await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/`, { token: u.token })).status).toBe(404)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: site.key })).status).toBe(401)
  })

  it('answers 404 for a site that does not exist', async () => {
    const u = await s.user()
    expect((await s.call('GET', '/api/v1/system/sites/99999/', { token: u.token })).status).toBe(404)
  })
})

describe('/system/sites/{id}/api-keys/', () => {
  it('shows the key once, lists it by prefix, and revoking it makes it fail at once', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const created = await s.call('POST', `/api/v1/system/sites/${site.siteId}/api-keys/`, { token: u.token, body: { name: 'plugin' } })
    expect(created.status).toBe(201)
    expect(created.body.data.key).toStartWith('igny8_sk_')
    expect(created.body.data.key.startsWith(created.body.data.prefix)).toBe(true)
    const list = await s.call('GET', `/api/v1/system/sites/${site.siteId}/api-keys/`, { token: u.token })
    expect(list.body.count).toBe(2)
    expect(JSON.stringify(list.body)).not.toContain(created.body.data.key)
    expect(list.body.results[0]).toEqual({
      id: created.body.data.id,
      prefix: created.body.data.prefix,
      name: 'plugin',
      created_at: expect.any(String),
      last_used_at: null,
    })
    expect((await s.call('GET', '/api/v1/auth/me/', { token: created.body.data.key })).status).toBe(200)
    const del = await s.call('DELETE', `/api/v1/system/sites/${site.siteId}/api-keys/${created.body.data.id}/`, { token: u.token })
    expect(del.status).toBe(200)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: created.body.data.key })).status).toBe(401)
    expect(
      (await s.call('DELETE', `/api/v1/system/sites/${site.siteId}/api-keys/${created.body.data.id}/`, { token: u.token })).status,
    ).toBe(404)
  })

  it('stores only a hash of the key', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const dump = await allRows(s.db, sql`select * from api_keys`)
    expect(JSON.stringify(dump)).not.toContain(site.key)
  })
})
