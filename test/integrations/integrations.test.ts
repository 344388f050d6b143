import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('/integration/integrations/', () => {
  it('filters by site and platform', async () => {
    const u = await s.user()
    const a = await s.site(u.token, 'A')
    await s.site(u.token, 'B')
    const res = await s.call('GET', `/api/v1/integration/integrations/?site=${a.siteId}&platform=wordpress`, { token: u.token })
    expect(res.body.count).toBe(1)
    expect(res.body.results[0].id).toBe(a.integrationId)
    const none = await s.call('GET', `/api/v1/integration/integrations/?site=${a.siteId}&platform=shopify`, { token: u.token })
    expect(none.body).toEqual({ success: true, count: 0, next: null, previous: null, results: [] })
  })

  it('answers 409 for a second integration of one platform, and creates another platform', async () => {
    const u = await s.user()
    const a = await s.site(u.token)
    const dup = await s.call('POST', '/api/v1/integration/integrations/', {
      token: u.token,
      body: { site: a.siteId, platform: 'wordpress' },
    })
    expect(dup.status).toBe(409)
    const other = await s.call('POST', '/api/v1/integration/integrations/', {
      token: u.token,
      body: { site: a.siteId, platform: 'shopify', config_json: { x: 1 } },
    })
    expect(other.status).toBe(201)
    expect(other.body.data).toMatchObject({ site: a.siteId, platform: 'shopify', is_active: true, config_json: { x: 1 } })
  })

  it('patches is_active and merges config_json keys (null removes one), then deletes', async () => {
    const u = await s.user()
    const a = await s.site(u.token)
    const p = `/api/v1/integration/integrations/${a.integrationId}/`
    await s.call('PATCH', p, { token: u.token, body: { config_json: { a: 1, b: 2 } } })
    const res = await s.call('PATCH', p, { token: u.token, body: { is_active: false, config_json: { b: null, c: 3 } } })
    expect(res.body.data).toMatchObject({ is_active: false, config_json: { a: 1, c: 3 } })
    expect((await s.call('DELETE', p, { token: u.token })).status).toBe(200)
    expect((await s.call('GET', p, { token: u.token })).status).toBe(404)
  })

  it('lets an API key read its own integration but not create or delete', async () => {
    const u = await s.user()
    const a = await s.site(u.token)
    expect((await s.call('GET', `/api/v1/integration/integrations/${a.integrationId}/`, { token: a.key })).status).toBe(200)
    expect((await s.call('DELETE', `/api/v1/integration/integrations/${a.integrationId}/`, { token: a.key })).status).toBe(403)
    expect(
      (await s.call('POST', '/api/v1/integration/integrations/', { token: a.key, body: { site: a.siteId, platform: 'x' } })).status,
    ).toBe(403)
  })
})
