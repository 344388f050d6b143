// GET /integration/integrations/{id}/content/{external_id}/: one item with every stored field and its open change.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'
import { sql } from 'drizzle-orm'
import { firstRow, runSql } from '../../src/db/client'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

type Site = Awaited<ReturnType<typeof connectedSite>>
const read = (c: Site, id: number | string, token = c.key, slash = '/') => s.call('GET', `${c.base}/content/${id}${slash}`, { token })
/** A push-back change row as the changes service stores it (state set directly: this route only reads it). */
const change = async (c: Site, externalId: number, state: string) =>
  (await firstRow<{ id: number }>(
    s.db,
    sql`insert into content_changes (integration_id, kind, external_id, post_type, fields_json, state)
        values (${c.integrationId}, 'update', ${externalId}, 'post', '{}', ${state}) returning id`,
  ))!.id

describe('GET /integration/integrations/{id}/content/{external_id}/', () => {
  it('answers every stored field to the site API key and to its user, with and without the trailing slash', async () => {
    const c = await connectedSite(s)
    const body = '<!-- wp:heading -->\n<h2>Hi</h2>\n<!-- /wp:heading -->'
    const full = post(5, {
      seo: { title: 'S', description: 'D' },
      content: body,
      excerpt: 'Ex',
      published_at: '2025-11-01T12:00:00Z',
      author: { id: 2, name: 'Grace' },
    })
    await c.content({ items: [full] })
    for (const [token, slash] of [
      [c.key, '/'],
      [c.user.token, ''],
    ] as const) {
      const res = await read(c, 5, token, slash)
      expect(res.status).toBe(200)
      expect(res.body.success).toBe(true)
      const { created_at, updated_at, ...rest } = res.body.data
      expect(typeof created_at).toBe('string')
      expect(typeof updated_at).toBe('string')
      expect(rest).toEqual({
        external_id: 5,
        post_type: 'post',
        title: 'Post 5',
        slug: 'post-5',
        status: 'publish',
        url: 'https://blog.example.com/post-5/',
        modified_at: '2025-11-22T10:00:00Z',
        terms: { category: [12], post_tag: [40, 41] },
        seo: { title: 'S', description: 'D' },
        content: body,
        excerpt: 'Ex',
        published_at: '2025-11-01T12:00:00Z',
        author: { id: 2, name: 'Grace' },
        pending_change: null,
      })
    }
  })

  it('echoes the term ids exactly as sent: taxonomies in the order sent, ids in the order sent', async () => {
    const c = await connectedSite(s)
    const terms = { post_tag: [41, 40], category: [12], product_cat: [] }
    await c.content({ items: [post(7, { terms })] })
    const wire = `"terms":${JSON.stringify(terms)}`
    expect((await read(c, 7)).text).toContain(wire)
    expect((await s.call('GET', `${c.base}/content/`, { token: c.key })).text).toContain(wire)
  })

  it('answers null for body fields never sent', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(6)] })
    expect((await read(c, 6)).body.data).toMatchObject({
      content: null,
      excerpt: null,
      published_at: null,
      author: null,
      pending_change: null,
    })
  })

  it('names the open change of that post: pending, delivering or conflict, never a finished one or another post’s', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1), post(2)] })
    await change(c, 2, 'pending')
    for (const state of ['applied', 'failed', 'cancelled']) {
      await change(c, 1, state)
      expect((await read(c, 1)).body.data.pending_change).toBeNull()
    }
    for (const state of ['pending', 'delivering', 'conflict']) {
      await runSql(s.db, sql`update content_changes set state = 'cancelled' where integration_id = ${c.integrationId} and external_id = 1`)
      const id = await change(c, 1, state)
      expect((await read(c, 1)).body.data.pending_change).toBe(id)
    }
  })

  it('answers 404 for an unknown item and for another tenant’s, 400 for a non-numeric id, 401 without credentials', async () => {
    const c = await connectedSite(s)
    const other = await connectedSite(s)
    await c.content({ items: [post(1)] })
    const unknown = await read(c, 999)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ success: false, code: 'not_found' })
    // Another tenant's user and another site's key see nothing, and cannot tell it exists.
    expect((await read(c, 1, other.user.token)).status).toBe(404)
    expect((await read(c, 1, other.key)).status).toBe(404)
    expect((await read(c, 1, other.key)).body.error).toBe((await read(c, 2, other.key)).body.error)
    // The other integration has no item 1 even though this one does.
    expect((await read(other, 1)).status).toBe(404)
    const bad = await read(c, 'abc')
    expect(bad.status).toBe(400)
    expect(bad.body.success).toBe(false)
    expect((await s.call('GET', `${c.base}/content/1/`)).status).toBe(401)
  })

  it('leaves the listing without bodies', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, { content: 'x', excerpt: 'y' })] })
    const list = await s.call('GET', `${c.base}/content/`, { token: c.key })
    expect(list.body.results[0]).not.toHaveProperty('content')
    expect(list.body.results[0]).not.toHaveProperty('pending_change')
  })
})
