// Hostile input, property-based: every write route gets valid bodies with one part replaced by something
// hostile (wrong types, huge numbers, deep nesting, long and odd unicode strings, `__proto__` keys), whole
// random bodies, odd headers and query strings. It must answer 2xx, or 4xx in the contract's error envelope
// that changed nothing in the database; never 5xx, never internals. FAULT_SEED=<n> replays a failure.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import fc from 'fast-check'
import { startServer, type TestServer } from '../helpers/server'
import { faultSeed } from './helpers'
import { hostileJson, shown, withHostile, type Json } from './hostile'
import { prober, runParams } from './probe'

const RUNS = Number(process.env.FAULT_RUNS ?? 250)
const seed = faultSeed()

let s: TestServer
let user: { token: string; refresh: string; email: string; password: string }
let site: { siteId: number; integrationId: number; key: string; keyId: number }
let path: string
let check: ReturnType<typeof prober>['check']
let statuses: Record<number, number>

beforeAll(async () => {
  s = await startServer()
  ;({ check, statuses } = prober(s))
  user = await s.user()
  site = await s.site(user.token)
  path = `/api/v1/integration/integrations/${site.integrationId}`
  const push = await s.call('POST', `${path}/update-structure/`, { token: site.key, body: structure() })
  if (push.status !== 200) throw new Error(`push failed: ${push.text}`)
}, 30_000)
afterAll(() => {
  console.log(`fuzz (seed ${seed}): answers by status`, statuses)
  return s.stop()
}, 30_000)

const structure = (): Json => ({
  post_types: { post: { label: 'Posts', count: 3, enabled: true, fetch_limit: 100 }, page: { label: 'Pages', count: 1 } },
  taxonomies: { category: { label: 'Categories', count: 2, enabled: true, fetch_limit: 100 } },
  plugin_connection_enabled: true,
  two_way_sync_enabled: true,
  timestamp: '2025-11-22T10:00:00Z',
  site_url: 'https://blog.example.com',
  wordpress_version: '6.4',
})
const item = (id: number): Json => ({
  external_id: id,
  post_type: 'post',
  title: `Post ${id}`,
  slug: `post-${id}`,
  status: 'publish',
  url: `https://blog.example.com/post-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
  terms: { category: [12] },
  seo: { title: 't', description: 'd' },
  content: '<p>x</p>',
  excerpt: 'e',
  published_at: '2025-11-22T10:00:00Z',
  author: { id: 1, name: 'A' },
})

type Route = { name: string; method: string; url: () => string; token: () => string | undefined; valid: () => Json }
const routes: Route[] = [
  {
    name: 'POST /auth/login/',
    method: 'POST',
    url: () => '/api/v1/auth/login/',
    token: () => undefined,
    valid: () => ({ email: 'nobody@example.com', password: 'x' }),
  },
  {
    name: 'POST /auth/refresh/',
    method: 'POST',
    url: () => '/api/v1/auth/refresh/',
    token: () => undefined,
    valid: () => ({ refresh: 'not-a-token' }),
  },
  {
    name: 'POST /auth/logout/',
    method: 'POST',
    url: () => '/api/v1/auth/logout/',
    token: () => undefined,
    valid: () => ({ refresh: 'not-a-token' }),
  },
  {
    name: 'POST /system/sites/',
    method: 'POST',
    url: () => '/api/v1/system/sites/',
    token: () => user.token,
    valid: () => ({ name: 'Fuzz', url: 'https://fuzz.example.com' }),
  },
  {
    name: 'PATCH /system/sites/{id}/',
    method: 'PATCH',
    url: () => `/api/v1/system/sites/${site.siteId}/`,
    token: () => user.token,
    valid: () => ({ name: 'Blog', url: 'https://blog.example.com', is_active: true }),
  },
  {
    name: 'POST /system/sites/{id}/api-keys/',
    method: 'POST',
    url: () => `/api/v1/system/sites/${site.siteId}/api-keys/`,
    token: () => user.token,
    valid: () => ({ name: 'k' }),
  },
  {
    name: 'PATCH /integration/integrations/{id}/',
    method: 'PATCH',
    url: () => `${path}/`,
    token: () => user.token,
    valid: () => ({ is_active: true, config_json: { custom: 1 } }),
  },
  { name: 'POST update-structure', method: 'POST', url: () => `${path}/update-structure/`, token: () => site.key, valid: structure },
  {
    name: 'PATCH content-types',
    method: 'PATCH',
    url: () => `${path}/content-types/`,
    token: () => user.token,
    valid: () => ({ post_types: { post: { enabled: true, fetch_limit: 100 } }, taxonomies: { category: { enabled: null } } }),
  },
  {
    name: 'POST sync-content',
    method: 'POST',
    url: () => `${path}/sync-content/`,
    token: () => site.key,
    valid: () => ({ items: [item(1), item(2)], deleted: [3] }),
  },
  {
    name: 'POST sync-terms',
    method: 'POST',
    url: () => `${path}/sync-terms/`,
    token: () => site.key,
    valid: () => ({
      terms: [{ external_id: 12, taxonomy: 'category', name: 'News', slug: 'news', parent: 0, description: '' }],
      deleted: [{ taxonomy: 'category', external_id: 13 }],
    }),
  },
  // A documentation-range address: never reached (saving only checks the address), and not loopback.
  {
    name: 'PUT pull-credentials',
    method: 'PUT',
    url: () => `${path}/pull-credentials/`,
    token: () => user.token,
    valid: () => ({ wp_url: 'https://203.0.113.7', username: 'admin', app_password: 'abcd efgh ijkl mnop qrst uvwx' }),
  },
]

describe('deeply nested JSON (found by the fuzzer: 500 "Maximum call stack size exceeded" / "Out of memory")', () => {
  for (const [shape, text] of [
    [
      'objects 20,000 deep under an unknown slug',
      (d: number) => `{"post_types":{"post":{"enabled":true}},"taxonomies":{"":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}}`,
    ],
    ['arrays 50,000 deep as the whole body', (d: number) => '['.repeat(d) + ']'.repeat(d)],
  ] as const)
    it(`answers 400 in the envelope, changing nothing, for ${shape}`, async () => {
      const depth = shape.startsWith('objects') ? 20_000 : 50_000
      for (const [method, url, token] of [
        ['PATCH', `${path}/content-types/`, user.token],
        ['POST', `${path}/sync-content/`, site.key],
        ['POST', '/api/v1/auth/login/', undefined],
      ] as const) {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }
        await check(method, url, headers, text(depth), () => `${method} ${url} ${shape}`)
        const res = await s.call(method, url, { token, raw: text(depth) })
        expect(res.status).toBe(400)
      }
    }, 30_000)
})

const params = (runs: number) => runParams(seed, runs)

describe(`hostile input to every write route (seed ${seed}; FAULT_SEED=${seed} replays)`, () => {
  for (const r of routes) {
    it(`${r.name}: a valid body with one part made hostile gets 2xx, or a 4xx envelope that changed nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(withHostile(r.valid()), async (body) => {
          const token = r.token()
          const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }
          await check(r.method, r.url(), headers, body.text, () => `${r.method} ${r.url()} ${body.text.slice(0, 500)}`)
        }),
        params(RUNS),
      )
    }, 60_000)
  }

  it('every write route: whole random bodies, odd content types, authorization, proxy headers and query strings never get 5xx', async () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 })
    const extra = fc.record(
      {
        'x-request-id': fc.oneof(printable, fc.constant('x'.repeat(4000))),
        'x-forwarded-for': fc.oneof(printable, fc.constantFrom('1.2.3.4, ::1', '::ffff:127.0.0.1', '999.1.1.1', ', , ,', 'unknown')),
        'x-forwarded-proto': fc.constantFrom('https', 'http', 'gopher', ''),
        'x-forwarded-host': fc.oneof(printable, fc.constantFrom('evil.example.com', '[::1]:99999', 'a@b')),
        origin: fc.constantFrom('null', 'http://evil.example.com', 'file://', ''),
        'hx-request': fc.constantFrom('true', 'false', ''),
      },
      { requiredKeys: [] },
    )
    const tokens = () => [undefined, user.token, site.key, 'x', `Bearer ${site.key}`, site.key.slice(0, -1), '\u0000', 'é'.repeat(500)]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(hostileJson, fc.constant(''), fc.constant('{'), fc.string({ unit: 'binary', maxLength: 200 })).map(shown),
        fc.nat(7),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/JSON',
          '',
          'application/json; charset=latin1',
        ),
        fc.constantFrom(
          '',
          '?a=1',
          '?__proto__[x]=1',
          '?page=-1&page_size=1e9',
          '?site=%00',
          '?%ZZ',
          `?${'q='.repeat(3000)}`,
          '?x=\u{1F600}',
        ),
        extra,
        async (r, body, tokenIndex, contentType, query, more) => {
          const token = tokens()[tokenIndex]
          const headers: Record<string, string> = { ...more }
          if (contentType) headers['content-type'] = contentType
          if (token !== undefined) headers.authorization = /^[\x20-\x7e]*$/.test(token) ? `Bearer ${token}` : encodeURIComponent(token)
          const url = r.url() + query.replace(/[^\x21-\x7e]/gu, encodeURIComponent)
          await check(
            r.method,
            url,
            headers,
            body.text,
            () => `${r.method} ${url} ct=${contentType} auth#${tokenIndex} ${JSON.stringify(more)} ${body.text.slice(0, 300)}`,
          )
        },
      ),
      params(RUNS * 2),
    )
  }, 90_000)
})
