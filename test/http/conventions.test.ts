import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { seedStructure, startServer, type TestServer } from '../helpers/server'

let s: TestServer
let u: Awaited<ReturnType<TestServer['user']>>
let site: Awaited<ReturnType<TestServer['site']>>
beforeAll(async () => {
  s = await startServer()
  u = await s.user()
  site = await s.site(u.token)
})
afterAll(() => s.stop())

describe('API conventions', () => {
  it.each([
    ['GET', '/api/v1/system/sites'],
    ['GET', '/api/v1/system/sites/'],
    ['GET', '/api/v1/auth/me'],
    ['GET', '/api/v1/auth/me/'],
    ['GET', '/api/v1/health'],
    ['GET', '/api/v1/health/'],
  ])('answers %s %s with and without the trailing slash', async (method, path) => {
    expect((await s.call(method, path, { token: u.token })).status).toBe(200)
  })

  it('answers POST routes with and without the trailing slash', async () => {
    for (const p of ['update-structure', 'update-structure/']) {
      const res = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/${p}`, {
        token: site.key,
        body: seedStructure(),
      })
      expect(res.status).toBe(200)
    }
  })

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
    expect(err.headers.get('x-request-id')).toBeTruthy()
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
