// Static files are embedded and served under hashed URLs with a long cache; pages carry the global
// security headers and never inline script or style.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { assetUrls } from '../../src/admin/assets'
import { startServer, type TestServer } from '../helpers/server'
import { adminSession, send } from './client'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /static/…', () => {
  it.each(Object.entries(assetUrls))('serves %s with an immutable year-long cache', async (name, url) => {
    expect(url).toMatch(/^\/static\/[\w.-]+\.[0-9a-f]{12}\.(css|js)$/)
    const res = await send(s, 'GET', url)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-type')).toStartWith(name.endsWith('.css') ? 'text/css' : 'text/javascript')
  })

  it('vendors htmx 4.0.1, pinned', async () => {
    const res = await send(s, 'GET', assetUrls['htmx-4.0.1.js'])
    expect(res.text).toContain(`this.version="4.0.1"`)
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  it('answers 404 for a stale or unknown hash', async () => {
    expect((await send(s, 'GET', '/static/admin.000000000000.css')).status).toBe(404)
  })
})

describe('admin pages', () => {
  it('carry the CSP and framing headers, link hashed assets, and inline no script or style', async () => {
    const { session } = await adminSession(s)
    for (const path of ['/login', '/sites', '/account']) {
      const res = await send(s, 'GET', path, path === '/login' ? {} : { session })
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('vary')).toContain('HX-Request')
      expect(res.text).toContain(assetUrls['admin.css'])
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)/)
      expect(res.text).not.toMatch(/\sstyle=|<style/)
      expect(res.text).not.toMatch(/\shx-on|\son[a-z]+=/)
    }
  })
})
