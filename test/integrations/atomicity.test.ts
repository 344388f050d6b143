// A rejected structure push changes nothing: config_json stays byte-identical after every 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { integrations } from '../../src/db/schema'
import { seedStructure, startServer, type CallOptions, type TestServer } from '../helpers/server'

let s: TestServer
let owner: { token: string }
let site: { siteId: number; key: string; integrationId: number }
let other: { token: string; key: string }
let before: string

const stored = async () =>
  (await s.db.select({ c: integrations.configJson }).from(integrations).where(eq(integrations.id, site.integrationId)).get())!.c
const path = () => `/api/v1/integration/integrations/${site.integrationId}/update-structure/`
const push = (o: CallOptions) => s.call('POST', path(), { token: site.key, ...o })
/** The seed payload with one change applied. */
const seedWith = (change: (b: any) => void) => {
  const b: any = seedStructure()
  change(b)
  return b
}

/** A valid push that would visibly change config_json if it were stored. */
const changed = () => seedWith((b) => (b.post_types.post.count = 777))

beforeAll(async () => {
  s = await startServer()
  const u = await s.user()
  owner = u
  site = await s.site(u.token)
  const o = await s.user()
  other = { token: o.token, key: (await s.site(o.token, 'Other')).key }
  const integ = `/api/v1/integration/integrations/${site.integrationId}`
  expect((await s.call('PATCH', `${integ}/`, { token: u.token, body: { config_json: { custom: 1 } } })).status).toBe(200)
  expect((await push({ body: seedStructure() })).status).toBe(200)
  expect(
    (await s.call('PATCH', `${integ}/content-types/`, { token: u.token, body: { taxonomies: { post_tag: { enabled: false } } } })).status,
  ).toBe(200)
  before = await stored()
  expect(JSON.parse(before)).toMatchObject({ custom: 1, content_types: { last_structure_fetch: '2025-11-22T10:00:00Z' } })
}, 20_000)
afterAll(() => s.stop(), 30_000)

type Rejection = { when: string; status: number; code: string; field?: string; send: () => CallOptions }
const REJECTIONS: Rejection[] = [
  {
    when: 'post_types.page.count is a string',
    status: 400,
    code: 'invalid',
    field: 'post_types.page.count',
    send: () => ({ body: seedWith((b) => (b.post_types.page.count = '12')) }),
  },
  {
    when: 'a count is negative',
    status: 400,
    code: 'invalid',
    field: 'taxonomies.category.count',
    send: () => ({ body: seedWith((b) => (b.taxonomies.category.count = -1)) }),
  },
  {
    when: 'a count is missing',
    status: 400,
    code: 'invalid',
    field: 'post_types.post.count',
    send: () => ({ body: seedWith((b) => delete b.post_types.post.count) }),
  },
  {
    when: 'enabled is a string',
    status: 400,
    code: 'invalid',
    field: 'post_types.product.enabled',
    send: () => ({ body: seedWith((b) => (b.post_types.product.enabled = 'no')) }),
  },
  {
    when: 'a slug key is not a WordPress slug',
    status: 400,
    code: 'invalid',
    field: 'post_types.Bad Slug!',
    send: () => ({ body: seedWith((b) => (b.post_types['Bad Slug!'] = { count: 1 })) }),
  },
  {
    when: 'a slug key is 33 characters',
    status: 400,
    code: 'invalid',
    field: `taxonomies.${'t'.repeat(33)}`,
    send: () => ({ body: seedWith((b) => (b.taxonomies['t'.repeat(33)] = { count: 1 })) }),
  },
  {
    when: 'a label is 201 characters',
    status: 400,
    code: 'invalid',
    field: 'post_types.post.label',
    send: () => ({ body: seedWith((b) => (b.post_types.post.label = 'x'.repeat(201))) }),
  },
  {
    when: 'a label is empty',
    status: 400,
    code: 'invalid',
    field: 'taxonomies.post_tag.label',
    send: () => ({ body: seedWith((b) => (b.taxonomies.post_tag.label = '')) }),
  },
  {
    when: 'post_types has 501 entries',
    status: 400,
    code: 'invalid',
    field: 'post_types',
    send: () => ({
      body: seedWith((b) => (b.post_types = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`type${i}`, { count: i }])))),
    }),
  },
  {
    when: 'fetch_limit is 1000001',
    status: 400,
    code: 'invalid',
    field: 'taxonomies.category.fetch_limit',
    send: () => ({ body: seedWith((b) => (b.taxonomies.category.fetch_limit = 1_000_001)) }),
  },
  {
    when: 'fetch_limit is fractional',
    status: 400,
    code: 'invalid',
    field: 'post_types.page.fetch_limit',
    send: () => ({ body: seedWith((b) => (b.post_types.page.fetch_limit = 1.5)) }),
  },
  {
    when: 'timestamp is not RFC 3339',
    status: 400,
    code: 'invalid',
    field: 'timestamp',
    send: () => ({ body: seedWith((b) => (b.timestamp = '2025-11-22 10:00:00')) }),
  },
  {
    when: 'timestamp has no offset',
    status: 400,
    code: 'invalid',
    field: 'timestamp',
    send: () => ({ body: seedWith((b) => (b.timestamp = '2025-11-22T10:00:00')) }),
  },
  {
    when: 'two_way_sync_enabled is a string',
    status: 400,
    code: 'invalid',
    field: 'two_way_sync_enabled',
    send: () => ({ body: seedWith((b) => (b.two_way_sync_enabled = 'true')) }),
  },
  {
    when: 'post_types is an array',
    status: 400,
    code: 'invalid',
    field: 'post_types',
    send: () => ({ body: seedWith((b) => (b.post_types = [])) }),
  },
  {
    when: 'neither post_types nor taxonomies is sent',
    status: 400,
    code: 'invalid',
    field: 'non_field_errors',
    send: () => ({ body: { timestamp: '2025-11-23T10:00:00Z' } }),
  },
  { when: 'the JSON is malformed', status: 400, code: 'malformed_json', send: () => ({ raw: JSON.stringify(changed()).slice(0, -1) }) },
  {
    when: 'the body is JSON sent as text/plain',
    status: 415,
    code: 'unsupported_media_type',
    send: () => ({ raw: JSON.stringify(changed()), contentType: 'text/plain' }),
  },
  {
    when: 'the body is over 2 MiB',
    status: 413,
    code: 'payload_too_large',
    send: () => ({ raw: JSON.stringify({ ...changed(), padding: 'x'.repeat(2 * 1024 * 1024) }) }),
  },
  { when: "another user's JWT pushes", status: 404, code: 'not_found', send: () => ({ body: changed(), token: other.token }) },
  { when: "another site's API key pushes", status: 404, code: 'not_found', send: () => ({ body: changed(), token: other.key }) },
]

describe('POST /integration/integrations/{id}/update-structure/', () => {
  for (const r of REJECTIONS) {
    it(`answers ${r.status}${r.field ? ` naming ${r.field}` : ''} and stores nothing when ${r.when}`, async () => {
      const res = await push(r.send())
      expect(res.status).toBe(r.status)
      if (r.field) {
        expect(res.body).toEqual({ success: false, error: expect.any(String), code: r.code, errors: { [r.field]: [expect.any(String)] } })
      } else {
        expect(res.body).toEqual({ success: false, error: expect.any(String), code: r.code })
      }
      expect(await stored()).toBe(before)
    })
  }

  it('answers 413 and stores nothing when a chunked body without Content-Length grows over 2 MiB', async () => {
    const text = JSON.stringify({ ...changed(), padding: 'x'.repeat(2 * 1024 * 1024) })
    const chunks = [text.slice(0, 1024 * 1024), text.slice(1024 * 1024)]
    const body = new ReadableStream({
      pull(c) {
        const next = chunks.shift()
        if (next === undefined) c.close()
        else c.enqueue(new TextEncoder().encode(next))
      },
    })
    const res = await fetch(s.base + path(), {
      method: 'POST',
      headers: { authorization: `Bearer ${site.key}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ success: false, error: expect.any(String), code: 'payload_too_large' })
    expect(await stored()).toBe(before)
  })

  it('answers 403 and stores nothing while the site is inactive', async () => {
    const sitePath = `/api/v1/system/sites/${site.siteId}/`
    expect((await s.call('PATCH', sitePath, { token: owner.token, body: { is_active: false } })).status).toBe(200)
    const res = await push({ body: changed() })
    expect((await s.call('PATCH', sitePath, { token: owner.token, body: { is_active: true } })).status).toBe(200)
    expect(res.status).toBe(403)
    expect(res.body).toEqual({ success: false, error: 'Only active sites can push structure.', code: 'inactive' })
    expect(await stored()).toBe(before)
  })

  it('answers 403 and stores nothing while the integration is inactive', async () => {
    const integ = `/api/v1/integration/integrations/${site.integrationId}/`
    expect((await s.call('PATCH', integ, { token: owner.token, body: { is_active: false } })).status).toBe(200)
    const res = await push({ body: changed() })
    expect((await s.call('PATCH', integ, { token: owner.token, body: { is_active: true } })).status).toBe(200)
    expect(res.status).toBe(403)
    expect(res.body.code).toBe('inactive')
    expect(await stored()).toBe(before)
  })

  it('still stores the next valid push, overrides and other fields kept (so the checks above could see a write)', async () => {
    const res = await push({ body: seedWith((b) => ((b.post_types.post.count = 124), (b.timestamp = '2025-11-23T10:00:00+02:00'))) })
    expect(res.status).toBe(200)
    const after = JSON.parse(await stored())
    expect(after).toEqual({
      ...JSON.parse(before),
      content_types: {
        ...JSON.parse(before).content_types,
        post_types: {
          ...JSON.parse(before).content_types.post_types,
          post: { label: 'Posts', count: 124, enabled: true, fetch_limit: 100 },
        },
        last_structure_fetch: '2025-11-23T10:00:00+02:00',
        // The server's own receive time (what staleness follows), renewed by every push.
        received_at: expect.any(String),
      },
    })
    expect(Date.parse(after.content_types.received_at)).toBeGreaterThan(Date.parse(JSON.parse(before).content_types.received_at))
    expect(after.content_type_overrides.taxonomies).toEqual({ post_tag: { enabled: false } })
    expect(after.custom).toBe(1)
  })

  // `__proto__` matches the slug pattern, but it is refused rather than stored: zod's record drops
  // the key silently, and assigning it on a plain object (overrides[slug] = …) sets the object's
  // prototype instead of storing an entry. WordPress's own slugs never need it, so the one honest
  // answer is 400 naming it, with nothing stored.
  it('refuses a __proto__ slug with 400 naming it, storing nothing (never 200 while dropping it)', async () => {
    const prior = await stored()
    const res = await push({
      raw: '{"post_types": {"__proto__": {"count": 1}, "post": {"count": 2}}, "timestamp": "2025-11-24T10:00:00Z"}',
    })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('invalid')
    expect(Object.keys(res.body.errors)).toEqual(['post_types.__proto__'])
    expect(await stored()).toBe(prior)
  })
})
