import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { assetUrls } from '../../src/admin/assets'
import { adminSession, type Session } from '../admin/client'
import { seedStructure, startServer, type TestServer } from '../helpers/server'

let s: TestServer
let u: Awaited<ReturnType<TestServer['user']>>
let site: Awaited<ReturnType<TestServer['site']>>
beforeAll(async () => {
  s = await startServer()
  u = await s.user()
  site = await s.site(u.token)
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('API conventions', () => {
  it('answers 415 for a body that is not JSON', async () => {
    const res = await s.call('POST', '/api/v1/auth/login/', { raw: 'email=a&password=b', contentType: 'application/x-www-form-urlencoded' })
    expect(res.status).toBe(415)
    expect(res.body).toEqual({ success: false, error: expect.any(String), code: 'unsupported_media_type' })
  })

  it('answers 401 to an anonymous body before looking at it: type, size or syntax', async () => {
    const path = `/api/v1/integration/integrations/${site.integrationId}/update-structure/`
    // Over this route's 2 MiB limit: an authenticated client would get 413.
    const huge = `{"post_types": [${'1,'.repeat(1536 * 1024)}1]}`
    for (const o of [{ raw: huge }, { raw: 'x=1', contentType: 'text/plain' }, { raw: '{"items": [' }]) {
      const anonymous = await s.call('POST', path, o)
      expect(anonymous.status).toBe(401)
      expect(anonymous.body.code).toBe('not_authenticated')
      expect((await s.call('POST', path, { ...o, token: 'igny8_sk_wrong' })).status).toBe(401)
    }
    // Control: the same body with a valid key is read, and is too large.
    expect((await s.call('POST', path, { raw: huge, token: site.key })).status).toBe(413)
    // The public routes still read their bodies.
    expect((await s.call('POST', '/api/v1/auth/login/', { raw: '{"email": ' })).status).toBe(400)
  })

  it('answers 400 for malformed JSON', async () => {
    const res = await s.call('POST', '/api/v1/auth/login/', { raw: '{"email": ' })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('malformed_json')
  })

  it('answers 413 in the envelope for a body over the route limit', async () => {
    const big = JSON.stringify({ post_types: { post: { label: 'x'.repeat(3 * 1024 * 1024), count: 1 } } })
    const res = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
      token: site.key,
      raw: big,
    })
    expect(res.status).toBe(413)
    expect(res.body.code).toBe('payload_too_large')
  })

  it('answers 413 for a chunked body with no Content-Length once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024))
    let sent = 0
    const stream = new ReadableStream({
      pull(controller) {
        if (sent++ === 0) controller.enqueue(new TextEncoder().encode('{"post_types":"'))
        else if (sent < 5) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await fetch(`${s.base}/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${site.key}`, 'content-type': 'application/json' },
      body: stream,
      // @ts-expect-error Bun/undici streaming upload flag
      duplex: 'half',
    })
    expect(res.status).toBe(413)
  })

  it('puts X-Request-Id on success and error answers, and keeps a sane incoming one', async () => {
    const okRes = await s.call('GET', '/api/v1/health/')
    expect(okRes.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const err = await s.call('GET', '/api/v1/nothing-here/')
    expect(err.status).toBe(404)
    expect(err.body).toEqual({ success: false, error: 'Not found.', code: 'not_found' })
    expect(err.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const mine = await s.call('GET', '/api/v1/health/', { headers: { 'x-request-id': 'proxy-abc.123' } })
    expect(mine.headers.get('x-request-id')).toBe('proxy-abc.123')
    const forged = await s.call('GET', '/api/v1/health/', { headers: { 'x-request-id': 'bad id {with} spaces \"quotes\"' } })
    expect(forged.headers.get('x-request-id')).not.toContain('bad')
  })

  it('sends the security headers', async () => {
    const res = await s.call('GET', '/api/v1/health/')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })
})

describe('GET /api/v1/openapi.json', () => {
  it('documents the plugin routes with their JSON request schemas', async () => {
    const res = await s.call('GET', '/api/v1/openapi.json')
    expect(res.status).toBe(200)
    const op = res.body.paths['/api/v1/integration/integrations/{id}/update-structure'].post
    const schema = op.requestBody.content['application/json'].schema
    expect(Object.keys(schema.properties)).toContain('post_types')
    expect(res.body.paths).toHaveProperty('/api/v1/auth/login')
    // Only the API contract: the admin pages are HTML and stay out of it.
    expect(Object.keys(res.body.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true)
    expect(res.body.paths['/api/v1/integration/integrations/{id}/sync-content'].post.tags).toEqual(['Content sync'])
  })

  it('serves a docs page whose scripts come from this server', async () => {
    const page = await s.call('GET', '/api/v1/docs')
    expect(page.status).toBe(200)
    expect(page.text).not.toMatch(/https?:\/\//)
    const bundle = await s.call('GET', '/api/v1/docs/assets/swagger-ui-bundle.js')
    expect(bundle.status).toBe(200)
    expect(bundle.text.length).toBeGreaterThan(100_000)
  })
})

// Every route the running app has, every method, with and without its trailing slash: the same answer
// either way, and never the router's 404. The list comes from the app itself, so a new route is covered
// the day it is added; a route with a path parameter this table cannot fill makes the test fail, not skip.
describe('trailing slashes', () => {
  type Route = { method: string; path: string }
  const routes = () => {
    const seen = new Map<string, Route>()
    for (const r of (s.app as unknown as { routes: Route[] }).routes) {
      const path = r.path.length > 1 ? r.path.replace(/\/+$/, '') : r.path
      seen.set(`${r.method} ${path}`, { method: r.method, path })
    }
    return [...seen.values()]
  }
  const isApi = (r: Route) => r.path.startsWith('/api/')
  const STATIC = Object.values(assetUrls)[0]!

  /** A fresh site with its integration and an API key, so a DELETE or PATCH through one form cannot change what the other sees. */
  async function fixture() {
    const site = await s.site(u.token)
    // With a structure pushed, the per-type admin pages and forms have a type to show.
    const push = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
      token: site.key,
      body: seedStructure(),
    })
    if (push.status !== 200) throw new Error(`structure push failed: ${push.text}`)
    // A stored post and a change of it, for the routes of one item (:external_id) and one change (:cid).
    const base = `/api/v1/integration/integrations/${site.integrationId}`
    const item = { external_id: 1, post_type: 'post', title: 'T', slug: 't', status: 'publish', url: '', modified_at: null }
    await s.call('POST', `${base}/sync-content/`, { token: site.key, body: { items: [item] } })
    const change = await s.call('PATCH', `${base}/content/1/`, { token: u.token, body: { title: 'Edited' } })
    if (change.status !== 202) throw new Error(`edit failed: ${change.text}`)
    return { ...site, userId: u.id, externalId: 1, changeId: change.body.data.id as number }
  }
  type Fixture = Awaited<ReturnType<typeof fixture>>

  /** The concrete path for a route template, every parameter filled with something that exists. */
  function fill(path: string, f: Fixture): string {
    return path.replace(/:(\w+)/g, (_, name: string, offset: number) => {
      const before = path.slice(0, offset).split('/').filter(Boolean).at(-1)
      const values: Record<string, unknown> = {
        file: STATIC.split('/').at(-1),
        keyId: f.keyId,
        kind: 'post_types',
        external_id: f.externalId,
        cid: f.changeId,
        slug: before === 'taxonomies' ? 'category' : 'post',
        id: before === 'sites' ? f.siteId : before === 'integrations' ? f.integrationId : before === 'users' ? f.userId : undefined,
      }
      if (values[name] === undefined) throw new Error(`no value for :${name} in ${path}: add one to this test`)
      return String(values[name])
    })
  }

  type Sent = { status: number; location: string | null; routerMiss: boolean }
  /** One request, redirects not followed; `routerMiss` when the answer is what an unknown path gets. */
  async function send(method: string, path: string, o: { token?: string; session?: Session; body?: string; type?: string }): Promise<Sent> {
    const headers: Record<string, string> = {}
    if (o.token) headers.authorization = `Bearer ${o.token}`
    if (o.session) Object.assign(headers, { cookie: o.session.cookie, 'x-csrf-token': o.session.csrf, 'hx-request': 'true' })
    if (o.body !== undefined) headers['content-type'] = o.type ?? 'application/json'
    const res = await fetch(s.base + path, { method, headers, body: o.body, redirect: 'manual' })
    const text = await res.text()
    return { status: res.status, location: res.headers.get('location'), routerMiss: res.status === 404 && text === unknownPathAnswer(path) }
  }
  // What the app answers for a path no route has, API (JSON) or admin (HTML) side.
  const misses: Record<'api' | 'admin', string> = { api: '', admin: '' }
  beforeAll(async () => {
    misses.api = (await s.call('GET', '/api/v1/no-such-route')).text
    misses.admin = (await s.call('GET', '/no-such-page')).text
  })
  const unknownPathAnswer = (path: string) => (path.startsWith('/api/') ? misses.api : misses.admin)

  // A content-hashed file the server links to itself: a slash after a file name is another URL (relative
  // links would resolve under it), so only the exact name is served. Everything else takes both forms.
  const FILES = new Set(['GET /static/:file'])
  /** A redirect target with ids and the echoed trailing slash (e.g. in ?next=) taken out. */
  const sameTarget = (location: string | null) => location?.replace(/(%2F|\/)(?=$|&)/g, '').replace(/\d+/g, '#') ?? null

  /** Sends one route through both forms (each with its own fixture) and answers what differs, as lines. */
  async function compare(route: Route, o: { token?: string; session?: Session; body?: string; type?: string }, fresh: boolean) {
    const bareFixture = await fixture()
    const slashFixture = fresh ? await fixture() : bareFixture
    const bare = fill(route.path, bareFixture)
    const withSlash = route.path === '/' ? '/' : `${fill(route.path, slashFixture)}/`
    const a = await send(route.method, bare, o)
    const b = await send(route.method, withSlash, o)
    const problems: string[] = []
    if (a.routerMiss) problems.push(`${route.method} ${bare} → router 404`)
    if (b.routerMiss) problems.push(`${route.method} ${withSlash} → router 404`)
    if (FILES.has(`${route.method} ${route.path}`)) {
      if (a.status !== 200) problems.push(`${route.method} ${bare} → ${a.status}`)
      return { problems, bare: a }
    }
    if (a.status !== b.status || sameTarget(a.location) !== sameTarget(b.location))
      problems.push(
        `${route.method} ${route.path}: ${a.status} ${a.location ?? ''} without the slash, ${b.status} ${b.location ?? ''} with it`,
      )
    return { problems, bare: a }
  }

  it('finds the routes the contract names in the running app, and every operation of the openapi document', async () => {
    expect(misses.api).toBe(JSON.stringify({ success: false, error: 'Not found.', code: 'not_found' }))
    // The detector itself: an unknown path, with or without the slash, is the router's miss.
    for (const path of ['/api/v1/no-such-route/', '/no-such-page/', '/sites/1/no-such-tab'])
      expect((await send('GET', path, {})).routerMiss).toBe(true)
    const listed = new Set(routes().map((r) => `${r.method} ${r.path}`))
    for (const must of [
      'POST /api/v1/integration/integrations/:id/update-structure',
      'PUT /api/v1/integration/integrations/:id/pull-credentials',
      'PATCH /api/v1/system/sites/:id',
      'DELETE /api/v1/system/sites/:id/api-keys/:keyId',
      'GET /sites/:id',
    ])
      expect(listed).toContain(must)
    const doc = (await s.call('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1').replace(/\/+$/, '')}`),
    )
    expect(documented.length).toBeGreaterThan(20)
    expect(documented.filter((d) => !listed.has(d))).toEqual([])
  })

  it('answers every route and method the same with and without the slash to an anonymous caller', async () => {
    const problems: string[] = []
    for (const route of routes()) {
      // Anonymous requests change nothing: API routes refuse them (401) or reject an empty body (400);
      // admin pages send them to the login page.
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : isApi(route) ? '{}' : ''
      const type = isApi(route) ? undefined : 'application/x-www-form-urlencoded'
      problems.push(...(await compare(route, { body, type }, false)).problems)
    }
    expect(problems).toEqual([])
  }, 60_000)

  it('answers every API route and method the same with and without the slash to the owner, never 404 or 5xx', async () => {
    const problems: string[] = []
    for (const route of routes().filter(isApi)) {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}'
      const r = await compare(route, { token: u.token, body }, true)
      problems.push(...r.problems)
      if (r.bare.status === 404 || r.bare.status >= 500) problems.push(`${route.method} ${route.path} → ${r.bare.status}`)
    }
    expect(problems).toEqual([])
  }, 120_000)

  // The first-run setup page exists only until the first account does; here it is gone (404) in both forms.
  const SETUP = new Set(['GET /setup', 'POST /setup'])
  it('answers every admin page and form the same with and without the slash to a signed-in admin, never 404 or 5xx', async () => {
    const admin = await adminSession(s)
    const problems: string[] = []
    for (const route of routes().filter((r) => !isApi(r))) {
      if (route.path === '/logout') continue // would end the session the other requests use
      const o = { session: admin.session, body: route.method === 'GET' ? undefined : '', type: 'application/x-www-form-urlencoded' }
      const r = await compare(route, o, true)
      problems.push(...r.problems)
      if ((r.bare.status === 404 && !SETUP.has(`${route.method} ${route.path}`)) || r.bare.status >= 500)
        problems.push(`${route.method} ${route.path} → ${r.bare.status}`)
    }
    expect(problems).toEqual([])
  }, 120_000)
})
