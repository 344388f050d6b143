// Contract "Content bodies": sync-content carries content, excerpt, published_at and author; absent keeps, null/"" clears.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { firstRow } from '../../src/db/client'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const BLOCKS =
  '<!-- wp:paragraph {"align":"center"} -->\n<p class="has-text-align-center">Héllo &amp; “world” <strong>€</strong></p>\n<!-- /wp:paragraph -->'
const bodies = {
  content: BLOCKS,
  excerpt: 'A short <em>excerpt</em>',
  published_at: '2025-11-20T08:30:00+01:00',
  author: { id: 3, name: 'Ada Lovelace' },
}
type Site = Awaited<ReturnType<typeof connectedSite>>
const item = async (c: Site, id: number) => (await s.call('GET', `${c.base}/content/${id}/`, { token: c.key })).body.data
const bodyRows = async (c: Site) =>
  (await firstRow<{ n: number }>(
    s.db,
    sql`select count(*) as n from content_bodies b join content c on c.id = b.content_id where c.integration_id = ${c.integrationId}`,
  ))!.n

describe('sync-content with bodies', () => {
  it('stores content byte for byte, the excerpt, published_at and author, and the one-item read answers them', async () => {
    const c = await connectedSite(s)
    expect((await c.content({ items: [post(1, bodies)] })).body.data).toMatchObject({ created: 1 })
    expect(await item(c, 1)).toMatchObject({ external_id: 1, ...bodies })
    expect(await bodyRows(c)).toBe(1)
  })

  it('answers unchanged for the same batch again, and for a batch that omits the body fields', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, bodies), post(2, bodies)] })
    expect((await c.content({ items: [post(1, bodies), post(2, bodies)] })).body.data).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 2,
    })
    expect((await c.content({ items: [post(1), post(2)] })).body.data).toMatchObject({ updated: 0, unchanged: 2 })
    expect(await item(c, 1)).toMatchObject(bodies)
  })

  it('keeps absent fields when something else changes', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, bodies)] })
    expect((await c.content({ items: [post(1, { title: 'Renamed' })] })).body.data).toMatchObject({ updated: 1 })
    expect(await item(c, 1)).toMatchObject({ title: 'Renamed', ...bodies })
    // Only the excerpt sent: the others stay.
    expect((await c.content({ items: [post(1, { title: 'Renamed', excerpt: 'New' })] })).body.data).toMatchObject({ updated: 1 })
    expect(await item(c, 1)).toMatchObject({ ...bodies, excerpt: 'New' })
  })

  it('updates a changed body, and then recognises it as unchanged', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, bodies)] })
    const next = { ...bodies, content: BLOCKS + '\n<!-- wp:separator /-->' }
    expect((await c.content({ items: [post(1, next)] })).body.data).toMatchObject({ updated: 1 })
    expect((await item(c, 1)).content).toBe(next.content)
    expect((await c.content({ items: [post(1, next)] })).body.data).toMatchObject({ unchanged: 1 })
  })

  for (const empty of [null, '']) {
    it(`clears every body field sent as ${JSON.stringify(empty)}`, async () => {
      const c = await connectedSite(s)
      await c.content({ items: [post(1, bodies)] })
      const cleared = { content: empty, excerpt: empty, published_at: empty, author: null }
      expect((await c.content({ items: [post(1, cleared)] })).body.data).toMatchObject({ updated: 1 })
      expect(await item(c, 1)).toMatchObject({ content: null, excerpt: null, published_at: null, author: null })
      expect(await bodyRows(c)).toBe(0)
      expect((await c.content({ items: [post(1, cleared)] })).body.data).toMatchObject({ unchanged: 1 })
      expect((await c.content({ items: [post(1)] })).body.data).toMatchObject({ unchanged: 1 })
    })
  }

  it('removes the body with its item', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, bodies), post(2, bodies)] })
    expect((await c.content({ deleted: [1] })).body.data).toMatchObject({ deleted: 1 })
    expect(await bodyRows(c)).toBe(1)
  })

  it('never carries content in the listing', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, bodies)] })
    const list = await s.call('GET', `${c.base}/content/`, { token: c.key })
    expect(list.body.results).toHaveLength(1)
    expect(list.body.results[0]).not.toHaveProperty('content')
  })

  const bad: [string, Record<string, unknown>, string][] = [
    ['content over 2,000,000 chars', { content: 'x'.repeat(2_000_001) }, 'items.1.content'],
    ['an excerpt over 10,000 chars', { excerpt: 'x'.repeat(10_001) }, 'items.1.excerpt'],
    ['content that is not a string', { content: 42 }, 'items.1.content'],
    ['published_at that is not RFC 3339', { published_at: '20/11/2025' }, 'items.1.published_at'],
    ['an author without an integer id', { author: { id: 'x', name: 'A' } }, 'items.1.author.id'],
    ['an author without a name', { author: { id: 3 } }, 'items.1.author.name'],
  ]
  for (const [what, extra, path] of bad)
    it(`refuses ${what} with 400 naming ${path}, storing nothing`, async () => {
      const c = await connectedSite(s)
      const res = await c.content({ items: [post(1, bodies), post(2, extra)] })
      expect(res.status).toBe(400)
      expect(Object.keys(res.body.errors)).toEqual([path])
      expect((await s.call('GET', `${c.base}/content/`, { token: c.key })).body.count).toBe(0)
    })

  it('takes a batch above 16 MB (the body limit is 32 MB) and refuses one above 32 MB with 413', async () => {
    const c = await connectedSite(s)
    const big = (n: number) => ({ items: Array.from({ length: n }, (_, i) => post(i + 1, { content: 'b'.repeat(1_900_000) + i })) })
    const ok = await c.content(big(10)) // ≈ 19 MB
    expect(ok.status).toBe(200)
    expect(ok.body.data).toMatchObject({ created: 10 })
    expect((await item(c, 10)).content).toBe('b'.repeat(1_900_000) + 9)
    const tooBig = await c.content(big(18)) // ≈ 34 MB
    expect(tooBig.status).toBe(413)
    expect(tooBig.body.success).toBe(false)
    expect(await c.synced('post_types', 'post')).toBe(10)
  }, 60_000)
})
