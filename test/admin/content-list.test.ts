// GET /sites/{id}/content-types/post_types/{slug} (synced items: search, status filter, pages, htmx
// fragment) and GET /sites/{id}/content-types/taxonomies/{slug} (terms as a tree), over plain HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Glob } from 'bun'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { adminSession, send } from './client'
import { post } from '../content/helpers'

let s: TestServer
let me: Awaited<ReturnType<typeof adminSession>>
let site: Awaited<ReturnType<TestServer['site']>>
const items = (slug: string, query = '') => `/sites/${site.siteId}/content-types/post_types/${slug}${query}`
const terms = (slug: string, query = '') => `/sites/${site.siteId}/content-types/taxonomies/${slug}${query}`
const get = (path: string, headers: Record<string, string> = {}) => send(s, 'GET', path, { session: me.session, headers })
const sync = (kind: 'content' | 'terms', body: unknown) =>
  s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/sync-${kind}/`, { token: site.key, body })
const item = (id: number, extra: Record<string, unknown> = {}) => post(id, { terms: {}, ...extra })
const rows = (html: string) => html.split('<tbody>')[1]?.split('</tbody>')[0]?.split('<tr').length! - 1

beforeAll(async () => {
  s = await startServer()
  me = await adminSession(s, { admin: false })
  site = await s.site(me.token)
  await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/update-structure/`, {
    token: site.key,
    body: seedStructure(),
  })
  const posts = [
    item(1, { title: 'Alpha launch notes', modified_at: '2025-11-23T08:30:00Z' }),
    item(2, { title: 'Beta draft', status: 'draft', url: '' }),
    item(3, { title: 'Click me', url: 'javascript:alert(document.cookie)' }),
    item(4, { title: '<script>alert(1)</script>', slug: 'xss' }),
  ]
  const pages = Array.from({ length: 60 }, (_, i) =>
    item(100 + i, { post_type: 'page', title: `Page ${i + 1}`, modified_at: `2025-10-01T00:${String(59 - i).padStart(2, '0')}:00Z` }),
  )
  expect((await sync('content', { items: [...posts, ...pages] })).status).toBe(200)
  const cat = (id: number, name: string, parent = 0) => ({ external_id: id, taxonomy: 'category', name, slug: name.toLowerCase(), parent })
  expect((await sync('terms', { terms: [cat(11, 'Laptops', 10), cat(10, 'Hardware'), cat(20, 'Apps')] })).status).toBe(200)
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /sites/{id}/content-types/post_types/{slug}', () => {
  it('lists the items with title, status, modified time in UTC and a link to the live page', async () => {
    const res = await get(items('post'))
    expect(res.status).toBe(200)
    expect(res.text).toContain('Alpha launch notes')
    expect(res.text).toContain('2025-11-23 08:30:00 UTC')
    expect(res.text).toContain('Published')
    expect(res.text).toContain('Draft')
    expect(res.text).toMatch(/<a href="https:\/\/blog\.example\.com\/post-1\/" target="_blank" rel="noopener noreferrer"\s*>/)
    // Newest modified first.
    expect(res.text.indexOf('Alpha launch notes')).toBeLessThan(res.text.indexOf('Beta draft'))
    expect(rows(res.text)).toBe(4)
  })

  it('shows a URL that is not http(s) as text, never as a link', async () => {
    const res = await get(items('post'))
    expect(res.text).toContain('javascript:alert(document.cookie)')
    expect(res.text).not.toMatch(/href="\s*javascript:/i)
  })

  it('escapes item titles', async () => {
    const res = await get(items('post'))
    expect(res.text).not.toContain('<script>alert(1)')
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('filters by search text and by status, as a plain GET form', async () => {
    const search = await get(items('post', '?search=alpha'))
    expect(rows(search.text)).toBe(1)
    expect(search.text).toContain('Alpha launch notes')
    expect(search.text).toContain('value="alpha"')
    const drafts = await get(items('post', '?status=draft'))
    expect(rows(drafts.text)).toBe(1)
    expect(drafts.text).toContain('Beta draft')
    expect(drafts.text).toMatch(/<option value="draft" selected>Draft \(1\)<\/option>/)
    const none = await get(items('post', '?search=nothing-like-this'))
    expect(none.text).toContain('No matching items')
    expect(none.text).toContain('Clear search and filter')
  })

  it('answers the search box (HX-Request) with the results fragment alone, varying on HX-Request', async () => {
    const res = await get(items('post', '?search=beta&status='), { 'hx-request': 'true' })
    expect(res.status).toBe(200)
    expect(res.headers.get('vary')).toContain('HX-Request')
    expect(res.text).toMatch(/^<div id="results"/)
    expect(res.text).not.toContain('<html')
    expect(res.text).not.toContain('<form')
    expect(rows(res.text)).toBe(1)
    expect(res.text).toContain('Beta draft')
    // htmx restoring history asks with HX-Request too, and needs the whole page.
    const restore = await get(items('post'), { 'hx-request': 'true', 'hx-history-restore-request': 'true' })
    expect(restore.text).toContain('<html')
  })

  it('pages through 50 items at a time with previous and next links that keep the filter', async () => {
    const first = await get(items('page'))
    expect(rows(first.text)).toBe(50)
    expect(first.text).toContain('1–50 of 60')
    expect(first.text).toContain(`href="${items('page', '?page=2')}" rel="next"`)
    expect(first.text).not.toContain('rel="prev"')
    const second = await get(items('page', '?page=2'))
    expect(rows(second.text)).toBe(10)
    expect(second.text).toContain('51–60 of 60')
    expect(second.text).toContain(`href="${items('page')}" rel="prev"`)
    expect(second.text).toContain('Page 60')
    // A page past the end shows the last one; a nonsense page number shows the first.
    expect((await get(items('page', '?page=99'))).text).toContain('51–60 of 60')
    expect((await get(items('page', '?page=abc'))).text).toContain('1–50 of 60')
    const filtered = await get(items('page', '?search=Page&page=1'))
    expect(filtered.text).toContain(`href="${items('page', '?search=Page&amp;page=2')}" rel="next"`)
  })

  it('shows an empty state for a type with nothing synced', async () => {
    const res = await get(items('product'))
    expect(res.status).toBe(200)
    expect(res.text).toContain('Nothing synced yet')
  })

  it('is a 404 page for another tenant, for an unknown post type and for a taxonomy slug', async () => {
    const other = await adminSession(s, { admin: false })
    const theirs = await send(s, 'GET', items('post'), { session: other.session })
    expect(theirs.status).toBe(404)
    expect(theirs.text).not.toContain('Alpha launch notes')
    for (const slug of ['nope', 'constructor', 'category']) {
      const res = await get(items(slug))
      expect(res.status).toBe(404)
      expect(res.text).toContain('Post type not found.')
    }
  })
})

describe('GET /sites/{id}/content-types/taxonomies/{slug}', () => {
  it('shows the terms as a tree: each parent before its children, children indented', async () => {
    const res = await get(terms('category'))
    expect(res.status).toBe(200)
    const order = ['Apps', 'Hardware', 'Laptops'].map((name) => res.text.indexOf(`>${name}<`))
    expect(order.every((i) => i > 0)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(res.text).toMatch(/class="term depth-1" data-depth="1">[\s\S]*?Laptops/)
    expect(res.text).toContain('1–3 of 3')
    expect((await get(terms('post_tag'))).text).toContain('Nothing synced yet')
    expect((await get(terms('genre'))).status).toBe(404)
  })
})

describe('GET /sites/{id}/content-types', () => {
  it('links each card with synced rows to them, and no others', async () => {
    const res = await get(`/sites/${site.siteId}/content-types`)
    expect(res.text).toContain(`href="${items('post')}">View synced items`)
    expect(res.text).toContain(`href="${terms('category')}">View synced terms`)
    expect(res.text).not.toContain(`href="${items('product')}"`)
  })
})

describe('where the content pages read from', () => {
  // The admin renders; the features own the queries (and the tenancy checks) the JSON API uses too:
  // src/content for content, src/sites, src/users, and src/auth/sessions for the admin's own sessions.
  it('is the feature services: no file under src/admin queries the database', () => {
    const root = join(import.meta.dir, '../../src/admin')
    const querying = [...new Glob('**/*.ts').scanSync(root)].filter((file) =>
      /from '(drizzle-orm|[./]+db\/schema)'/.test(readFileSync(join(root, file), 'utf8')),
    )
    expect(querying).toEqual([])
  })
})
