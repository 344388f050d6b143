import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('POST /integration/integrations/{id}/sync-content/', () => {
  it('counts created, then unchanged for the same batch, then updated and deleted', async () => {
    const c = await connectedSite(s)
    const batch = { items: [post(1), post(2), post(3)] }
    expect((await c.content(batch)).body.data).toEqual({ created: 3, updated: 0, unchanged: 0, deleted: 0, skipped: [] })
    expect((await c.content(batch)).body.data).toEqual({ created: 0, updated: 0, unchanged: 3, deleted: 0, skipped: [] })
    const next = await c.content({ items: [post(1, { title: 'Renamed' }), post(2)], deleted: [3, 999] })
    expect(next.body.data).toEqual({ created: 0, updated: 1, unchanged: 1, deleted: 1, skipped: [] })
    expect(await c.synced('post_types', 'post')).toBe(2)
  })

  it('stores every field, its term links and SEO, as the listing shows', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(7, { seo: { title: 'SEO T', description: 'SEO D' }, terms: { category: [12, 12, 13] } })] })
    const list = await s.call('GET', `${c.base}/content/`, { token: c.key })
    expect(list.body.count).toBe(1)
    expect(list.body.results[0]).toMatchObject({
      external_id: 7,
      post_type: 'post',
      title: 'Post 7',
      slug: 'post-7',
      status: 'publish',
      url: 'https://blog.example.com/post-7/',
      modified_at: '2025-11-22T10:00:00Z',
      terms: { category: [12, 13] },
      seo: { title: 'SEO T', description: 'SEO D' },
    })
  })

  it('skips disabled, unknown and over-limit types with reasons, and never skips updates for the limit', async () => {
    const c = await connectedSite(s)
    await s.call('PATCH', `${c.base}/content-types/`, { token: c.user.token, body: { post_types: { post: { fetch_limit: 2 } } } })
    const res = await c.content({
      items: [post(1), post(2), post(3), { ...post(4), post_type: 'product' }, { ...post(5), post_type: 'event' }],
    })
    expect(res.body.data.created).toBe(2)
    expect(res.body.data.skipped).toEqual([
      { external_id: 3, reason: 'Post type "post" has reached its fetch limit (2).' },
      { external_id: 4, reason: 'Post type "product" is disabled.' },
      { external_id: 5, reason: 'Post type "event" is not in the site\'s last structure.' },
    ])
    const update = await c.content({ items: [post(1, { title: 'Changed' })] })
    expect(update.body.data).toMatchObject({ updated: 1, skipped: [] })
    // Deleting one frees room in the same batch.
    const swap = await c.content({ items: [post(3)], deleted: [2] })
    expect(swap.body.data).toMatchObject({ created: 1, deleted: 1, skipped: [] })
    expect(await c.synced('post_types', 'post')).toBe(2)
  })

  it('keeps what is stored when a type is disabled or its limit lowered later', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1), post(2), post(3)] })
    await s.call('PATCH', `${c.base}/content-types/`, {
      token: c.user.token,
      body: { post_types: { post: { enabled: false, fetch_limit: 1 } } },
    })
    expect(await c.synced('post_types', 'post')).toBe(3)
    const res = await c.content({ items: [post(4)], deleted: [1] })
    expect(res.body.data).toMatchObject({ created: 0, deleted: 1, skipped: [{ external_id: 4, reason: 'Post type "post" is disabled.' }] })
    expect(await c.synced('post_types', 'post')).toBe(2)
  })

  it('treats a post type named like an Object.prototype member as unknown', async () => {
    const c = await connectedSite(s)
    const res = await c.content({
      items: [
        { ...post(1), post_type: 'constructor' },
        { ...post(2), post_type: 'tostring' },
      ],
    })
    expect(res.body.data.skipped).toEqual([
      { external_id: 1, reason: 'Post type "constructor" is not in the site\'s last structure.' },
      { external_id: 2, reason: 'Post type "tostring" is not in the site\'s last structure.' },
    ])
  })

  it('moves the count when an item changes type', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1)] })
    await c.content({ items: [{ ...post(1), post_type: 'page' }] })
    expect(await c.synced('post_types', 'post')).toBe(0)
    expect(await c.synced('post_types', 'page')).toBe(1)
  })

  it('rejects a 1,001-item batch whole', async () => {
    const c = await connectedSite(s)
    const items = Array.from({ length: 1001 }, (_, i) => post(i + 1))
    const res = await c.content({ items })
    expect(res.status).toBe(400)
    expect(res.body.errors).toHaveProperty('items')
    expect(await c.synced('post_types', 'post')).toBe(0)
  })

  it('rejects a batch with one bad item whole, naming that item', async () => {
    const c = await connectedSite(s)
    const items = [post(1), post(2), post(3), { ...post(4), post_type: 'Not A Slug' }, post(5)]
    const res = await c.content({ items })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['items.3.post_type'])
    expect(await c.synced('post_types', 'post')).toBe(0)
    const dup = await c.content({ items: [post(1), post(1)] })
    expect(Object.keys(dup.body.errors)).toEqual(['items.1.external_id'])
  })

  // PostgreSQL's text cannot hold U+0000, so neither engine stores it: the same 400 on both, naming the field.
  const nul: [Record<string, unknown>, string][] = [
    [{ title: 'a\u0000b' }, 'items.1.title'],
    [{ slug: '\u0000' }, 'items.1.slug'],
    [{ status: 'pub\u0000' }, 'items.1.status'],
    [{ url: 'https://x/\u0000' }, 'items.1.url'],
    [{ seo: { title: null, description: 'd\u0000' } }, 'items.1.seo.description'],
    [{ content: '<p>\u0000</p>' }, 'items.1.content'],
    [{ excerpt: '\u0000' }, 'items.1.excerpt'],
    [{ author: { id: 1, name: 'A\u0000' } }, 'items.1.author.name'],
  ]
  for (const [extra, path] of nul)
    it(`refuses a NUL character in ${path} with 400 naming it, storing nothing`, async () => {
      const c = await connectedSite(s)
      const res = await c.content({ items: [post(1), post(2, extra)] })
      expect(res.status).toBe(400)
      expect(Object.keys(res.body.errors)).toEqual([path])
      expect(await c.synced('post_types', 'post')).toBe(0)
    })

  it('accepts only deletions with no items, and 1,000 items in one batch', async () => {
    const c = await connectedSite(s)
    await s.call('PATCH', `${c.base}/content-types/`, { token: c.user.token, body: { post_types: { post: { fetch_limit: 5000 } } } })
    const big = await c.content({ items: Array.from({ length: 1000 }, (_, i) => post(i + 1)) })
    expect(big.body.data.created).toBe(1000)
    const del = await c.content({ deleted: [1, 2, 3] })
    expect(del.body.data).toEqual({ created: 0, updated: 0, unchanged: 0, deleted: 3, skipped: [] })
    expect(await c.synced('post_types', 'post')).toBe(997)
  })

  it('answers 403 for an inactive site and records nothing', async () => {
    const c = await connectedSite(s)
    await s.call('PATCH', `/api/v1/system/sites/${c.siteId}/`, { token: c.user.token, body: { is_active: false } })
    expect((await c.content({ items: [post(1)] })).status).toBe(403)
    const events = await s.call('GET', `${c.base}/sync-events/`, { token: c.user.token })
    expect(events.body.results.map((e: any) => e.kind)).toEqual(['structure'])
  })
})

describe('GET /integration/integrations/{id}/content/', () => {
  it('filters by post_type, status and search (LIKE wildcards are literal, ASCII case folded)', async () => {
    const c = await connectedSite(s)
    await c.content({
      items: [
        post(1, { title: 'Hello world' }),
        post(2, { title: '100% pure', status: 'draft' }),
        { ...post(3), post_type: 'page', title: 'About' },
        { ...post(4), post_type: 'page', title: 'Été à Paris', slug: 'ete-a-paris' },
      ],
    })
    const q = async (qs: string) =>
      (await s.call('GET', `${c.base}/content/?${qs}`, { token: c.key })).body.results.map((r: any) => r.external_id).sort()
    expect(await q('post_type=post')).toEqual([1, 2])
    expect(await q('status=draft')).toEqual([2])
    expect(await q('search=hello')).toEqual([1])
    expect(await q('search=%25')).toEqual([2])
    expect(await q('search=_')).toEqual([])
    // Only ASCII letters match across case (SQLite's LIKE; ILIKE over COLLATE "C" on PostgreSQL).
    expect(await q('search=PARIS')).toEqual([4])
    expect(await q('search=ETE-A')).toEqual([4])
    expect(await q(`search=${encodeURIComponent('Été')}`)).toEqual([4])
    expect(await q(`search=${encodeURIComponent('été')}`)).toEqual([])
    const counted = await s.call('GET', `${c.base}/content/?search=PARIS`, { token: c.key })
    expect(counted.body.count).toBe(1)
    for (const field of ['search', 'status']) {
      const bad = await s.call('GET', `${c.base}/content/?${field}=a%00`, { token: c.key })
      expect(bad.status).toBe(400)
      expect(Object.keys(bad.body.errors)).toEqual([field])
    }
  })
})
