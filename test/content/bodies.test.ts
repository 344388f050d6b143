import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const events = async (c: Awaited<ReturnType<typeof connectedSite>>) =>
  (await s.call('GET', `${c.base}/sync-events/`, { token: c.key })).body.count as number

describe('a batch POST without a batch', () => {
  for (const route of ['sync-content', 'sync-terms'] as const) {
    it(`answers 400 on ${route} for no body at all, an empty body and {}, recording nothing`, async () => {
      const c = await connectedSite(s)
      const before = await events(c)
      const bare = await fetch(`${s.base}${c.base}/${route}/`, { method: 'POST', headers: { authorization: `Bearer ${c.key}` } })
      expect(bare.status).toBe(400)
      expect((await bare.json()).success).toBe(false)
      const empty = await s.call('POST', `${c.base}/${route}/`, { token: c.key, raw: '' })
      expect(empty.status).toBe(400)
      const braces = await s.call('POST', `${c.base}/${route}/`, { token: c.key, body: {} })
      expect(braces.status).toBe(400)
      expect(braces.body.code).toBe('invalid')
      expect(await events(c)).toBe(before)
    })
  }

  it('still accepts an explicit empty list, and deletions alone', async () => {
    const c = await connectedSite(s)
    expect((await c.content({ items: [] })).status).toBe(200)
    expect((await c.content({ deleted: [5] })).status).toBe(200)
    expect((await c.terms({ terms: [] })).status).toBe(200)
    expect((await c.terms({ deleted: [{ taxonomy: 'category', external_id: 5 }] })).status).toBe(200)
  })
})

describe('page_size on every list route', () => {
  it('serves a page_size above 200 as 200, and answers 400 below 1 or not a number', async () => {
    const c = await connectedSite(s)
    const limit = { post_types: { post: { fetch_limit: 1000 } } }
    expect((await s.call('PATCH', `${c.base}/content-types/`, { token: c.user.token, body: limit })).status).toBe(200)
    await c.content({ items: Array.from({ length: 201 }, (_, i) => post(i + 1)) })
    const admin = await s.user({ admin: true })
    const lists: [string, string][] = [
      [`${c.base}/content/`, c.key],
      [`${c.base}/terms/`, c.key],
      [`${c.base}/sync-events/`, c.key],
      [`/api/v1/integration/integrations/`, c.user.token],
      [`/api/v1/system/sites/`, c.user.token],
      [`/api/v1/system/sites/${c.siteId}/api-keys/`, c.user.token],
      [`/api/v1/sync-events/`, admin.token],
    ]
    for (const [path, token] of lists) {
      const big = await s.call('GET', `${path}?page_size=1000`, { token })
      expect([path, big.status]).toEqual([path, 200])
      if (big.body.next) expect(new URL(big.body.next).searchParams.get('page_size')).toBe('200')
      for (const bad of ['0', '-1', 'abc', '']) {
        const res = await s.call('GET', `${path}?page_size=${bad}`, { token })
        expect([path, bad, res.status]).toEqual([path, bad, 400])
        expect(res.body.errors).toHaveProperty(['page_size'])
      }
    }
    const content = await s.call('GET', `${c.base}/content/?page_size=500`, { token: c.key })
    expect(content.body.results.length).toBe(200)
    expect(content.body.count).toBe(201)
  })
})
