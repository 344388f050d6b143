import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /integration/integrations/{id}/sync-events/', () => {
  it('lists every accepted push and batch newest first, also when nothing changed', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1)] })
    const t0 = performance.now()
    await c.content({ items: [post(1)] })
    const wall = performance.now() - t0
    await c.terms({ terms: [{ external_id: 5, taxonomy: 'category', name: 'A' }] })
    await c.content({ items: [{ ...post(2), post_type: 'Bad Slug' }] }) // rejected: not recorded
    const res = await s.call('GET', `${c.base}/sync-events/`, { token: c.key })
    expect(res.body.count).toBe(4)
    expect(res.body.results.map((e: any) => [e.kind, e.source, e.status])).toEqual([
      ['terms', 'plugin', 'ok'],
      ['content', 'plugin', 'ok'],
      ['content', 'plugin', 'ok'],
      ['structure', 'plugin', 'ok'],
    ])
    const unchanged = res.body.results[1]
    expect(unchanged).toMatchObject({ integration: c.integrationId, counts: { created: 0, unchanged: 1 }, error: null })
    expect(unchanged.summary).toContain('1 unchanged')
    // Whole milliseconds, and no longer than the request took as the test saw it (+1 for clock ticks).
    expect(Number.isInteger(unchanged.duration_ms)).toBe(true)
    expect(unchanged.duration_ms).toBeWithin(0, Math.ceil(wall) + 2)
    expect(Date.parse(unchanged.started_at)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('measures a batch that takes measurable time: more than 0 ms, no more than the request took', async () => {
    const c = await connectedSite(s)
    // 100 posts (the seed's fetch_limit) with 20 kB bodies each: milliseconds of work, not microseconds.
    const items = Array.from({ length: 100 }, (_, i) => post(i + 1, { content: `<p>${'x'.repeat(20_000)} ${i}</p>` }))
    const t0 = performance.now()
    expect((await c.content({ items })).status).toBe(200)
    const wall = performance.now() - t0
    const event = (await s.call('GET', `${c.base}/sync-events/`, { token: c.key })).body.results[0]
    expect(event.counts.created).toBe(100)
    expect(Number.isInteger(event.duration_ms)).toBe(true)
    expect(event.duration_ms).toBeWithin(1, Math.ceil(wall) + 2)
  })

  it('is 404 for another tenant and records nothing for refused requests', async () => {
    const a = await connectedSite(s)
    const b = await connectedSite(s)
    expect((await s.call('GET', `${a.base}/sync-events/`, { token: b.key })).status).toBe(404)
    expect((await a.content({ items: [post(1)] }, b.key)).status).toBe(404)
    expect((await a.content({ items: [post(1)] }, 'igny8_sk_wrong')).status).toBe(401)
    expect((await s.call('GET', `${a.base}/sync-events/`, { token: a.key })).body.count).toBe(1)
  })
})

describe('GET /sync-events/', () => {
  it('lists every event for admins and is 403 for others', async () => {
    const c = await connectedSite(s)
    const admin = await s.user({ admin: true })
    const res = await s.call('GET', '/api/v1/sync-events/', { token: admin.token })
    expect(res.status).toBe(200)
    expect(res.body.results.some((e: any) => e.integration === c.integrationId)).toBe(true)
    expect((await s.call('GET', '/api/v1/sync-events/', { token: c.user.token })).status).toBe(403)
    expect((await s.call('GET', '/api/v1/sync-events/', { token: c.key })).status).toBe(403)
  })
})
