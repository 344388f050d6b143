// Parallel structure pushes to one integration: last write wins whole, nothing merged, other config fields kept.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { integrations } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'

const N = 50
let s: TestServer
let owner: { token: string }
let site: { key: string; integrationId: number }

beforeAll(async () => {
  s = await startServer()
  owner = await s.user()
  site = await s.site(owner.token)
  const res = await s.call('PATCH', `/api/v1/integration/integrations/${site.integrationId}/`, {
    token: owner.token,
    body: { config_json: { custom: 1 } },
  })
  expect(res.status).toBe(200)
}, 20_000)
afterAll(() => s.stop())

const stored = () =>
  JSON.parse(s.db.select({ c: integrations.configJson }).from(integrations).where(eq(integrations.id, site.integrationId)).get()!.c)
const timestampOf = (i: number) => `2025-11-22T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`

/** Push number i: its own counts, flags, timestamp and one slug no other push has. */
const pushBody = (i: number) => ({
  post_types: {
    post: { label: `Posts ${i}`, count: i, enabled: i % 2 === 0, fetch_limit: 100 + i },
    [`only_${i}`]: { count: 1000 + i },
  },
  taxonomies: { category: { label: 'Categories', count: 2000 + i } },
  plugin_connection_enabled: i % 2 === 0,
  two_way_sync_enabled: i % 3 === 0,
  timestamp: timestampOf(i),
})

/** What config_json must hold when push i was the last to land (given the fields that were there before). */
const storedShape = (i: number, others: Record<string, unknown>) => ({
  ...others,
  content_types: {
    post_types: {
      post: { label: `Posts ${i}`, count: i, enabled: i % 2 === 0, fetch_limit: 100 + i },
      [`only_${i}`]: { label: `only_${i}`, count: 1000 + i, enabled: true, fetch_limit: 100 },
    },
    taxonomies: { category: { label: 'Categories', count: 2000 + i, enabled: true, fetch_limit: 100 } },
    last_structure_fetch: timestampOf(i),
  },
  plugin_connection_enabled: i % 2 === 0,
  two_way_sync_enabled: i % 3 === 0,
})

const pushPath = () => `/api/v1/integration/integrations/${site.integrationId}/update-structure/`

describe('POST /integration/integrations/{id}/update-structure/ under concurrency', () => {
  it(`answers 200 to each of ${N} parallel pushes and keeps exactly one of them whole`, async () => {
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) => s.call('POST', pushPath(), { token: site.key, body: pushBody(i) })),
    )
    responses.forEach((res, i) => {
      expect(res.status).toBe(200)
      expect(res.body).toEqual({
        success: true,
        data: {
          message: 'Site structure updated successfully',
          post_types_count: 2,
          taxonomies_count: 1,
          last_structure_fetch: timestampOf(i),
        },
      })
    })
    const config = stored()
    const winner = Array.from({ length: N }, (_, i) => i).find((i) => timestampOf(i) === config.content_types?.last_structure_fetch)
    expect(winner).toBeNumber()
    expect(config).toStrictEqual(storedShape(winner!, { custom: 1 }))
  }, 20_000)

  it('answers the same config_json over HTTP as is stored', async () => {
    const res = await s.call('GET', `/api/v1/integration/integrations/${site.integrationId}/`, { token: owner.token })
    expect(res.status).toBe(200)
    expect(res.body.data.config_json).toStrictEqual(stored())
  })

  it('loses no admin write when config_json PATCHes race with pushes', async () => {
    const integ = `/api/v1/integration/integrations/${site.integrationId}/`
    const requests = Array.from({ length: N }, (_, i) =>
      i % 2 === 0
        ? s.call('POST', pushPath(), { token: site.key, body: pushBody(i) })
        : s.call('PATCH', integ, { token: owner.token, body: { config_json: { [`admin_${i}`]: i } } }),
    )
    const responses = await Promise.all(requests)
    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(200))
    const config = stored()
    const adminFields = Object.fromEntries(Array.from({ length: N / 2 }, (_, j) => [`admin_${2 * j + 1}`, 2 * j + 1]))
    const winner = Array.from({ length: N }, (_, i) => i).find(
      (i) => i % 2 === 0 && timestampOf(i) === config.content_types?.last_structure_fetch,
    )
    expect(winner).toBeNumber()
    expect(config).toStrictEqual(storedShape(winner!, { custom: 1, ...adminFields }))
  }, 20_000)
})
