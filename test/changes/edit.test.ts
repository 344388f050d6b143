// Edits and drafts made in IGNY8: validation, tenancy, who may edit, one open change per post, the change log.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { contentChanges } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { editableSite } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const changeCount = async () => (await s.db.select().from(contentChanges).all()).length

describe('PATCH /integration/integrations/{id}/content/{external_id}/', () => {
  it('answers 202 with the change and snapshots the stored values as its base', async () => {
    const c = await editableSite(s)
    const res = await c.userApi.patch(1, { title: 'New title', terms: { category: [13] }, seo: { title: 'S' } })
    expect(res.status).toBe(202)
    expect(res.body.data).toMatchObject({
      kind: 'update',
      external_id: 1,
      post_type: 'post',
      fields: { title: 'New title', terms: { category: [13] }, seo: { title: 'S' } },
      base_modified_at: '2025-11-22T10:00:00Z',
      state: 'pending',
      delivery: null,
      attempts: 0,
      error: null,
      conflict: null,
      applied_at: null,
    })
    const row = (await s.db.select().from(contentChanges).where(eq(contentChanges.id, res.body.data.id)).get())!
    expect(JSON.parse(row.baseJson)).toEqual({ title: 'Post 1', terms: { category: [12] }, seo: { title: null, description: null } })
  })

  it('takes base_modified_at from the editor when sent', async () => {
    const c = await editableSite(s)
    const res = await c.userApi.patch(2, { status: 'draft', base_modified_at: '2025-11-22T12:00:00+02:00' })
    expect(res.body.data.base_modified_at).toBe('2025-11-22T12:00:00+02:00')
  })

  it.each([
    [{ status: 'trash' }, 'status'],
    [{ terms: { genre: [12] } }, 'terms.genre'],
    [{ terms: { category: [12, 999] } }, 'terms.category.1'],
    [{ terms: { post_tag: [12] } }, 'terms.post_tag.0'],
    [{ title: 5 }, 'title'],
    [{ base_modified_at: 'yesterday', title: 'x' }, 'base_modified_at'],
    [{ colour: 'red' }, ''],
    [{}, ''],
  ])('refuses %j with 400 naming %s and stores nothing', async (body, path) => {
    const c = await editableSite(s)
    const before = await changeCount()
    const res = await c.userApi.patch(1, body)
    expect(res.status).toBe(400)
    expect(res.body.success).toBe(false)
    if (path) expect(Object.keys(res.body.errors)).toContain(path)
    expect(await changeCount()).toBe(before)
  })

  it('answers 404 for an unknown item and for another tenant’s, 403 to an API key', async () => {
    const c = await editableSite(s)
    expect((await c.userApi.patch(999, { title: 'x' })).status).toBe(404)
    const other = await s.user()
    const res = await s.call('PATCH', `${c.base}/content/1/`, { token: other.token, body: { title: 'x' } })
    expect(res.status).toBe(404)
    expect((await c.plugin.patch(1, { title: 'x' })).status).toBe(403)
    expect((await s.call('PATCH', `${c.base}/content/1/`, { body: { title: 'x' } })).status).toBe(401)
  })

  it('takes a body of the contract’s largest size (2,000,000 characters, multi-byte) and refuses one more', async () => {
    const c = await editableSite(s)
    const big = 'é'.repeat(2_000_000)
    const res = await c.userApi.patch(1, { content: big })
    expect(res.status).toBe(202)
    expect(res.body.data.fields.content.length).toBe(2_000_000)
    const over = await c.userApi.patch(2, { content: big + 'é' })
    expect(over.status).toBe(400)
    expect(Object.keys(over.body.errors)).toEqual(['content'])
  })

  it('coexists with the one-item read on the same path, with and without the trailing slash', async () => {
    const c = await editableSite(s)
    expect((await s.call('PATCH', `${c.base}/content/1`, { token: c.user.token, body: { title: 'No slash' } })).status).toBe(202)
    const read = await c.userApi.item(1)
    expect(read.status).toBe(200)
    expect(read.body.data.external_id).toBe(1)
  })

  it('refuses edits (403) while the site is inactive', async () => {
    const c = await editableSite(s)
    await s.call('PATCH', `/api/v1/system/sites/${c.siteId}/`, { token: c.user.token, body: { is_active: false } })
    const res = await c.userApi.patch(1, { title: 'x' })
    expect(res.status).toBe(403)
    expect(res.body.code).toBe('inactive')
    expect((await c.plugin.pending()).status).toBe(403)
  })

  it('merges a second edit into the open change (later fields win) and answers the same id', async () => {
    const c = await editableSite(s)
    const first = (await c.userApi.patch(1, { title: 'A', terms: { category: [13] } })).body.data
    const second = await c.userApi.patch(1, { title: 'B', slug: 'b', terms: { post_tag: [41] } })
    expect(second.status).toBe(202)
    expect(second.body.data.id).toBe(first.id)
    expect(second.body.data.fields).toEqual({ title: 'B', slug: 'b', terms: { category: [13], post_tag: [41] } })
    const row = (await s.db.select().from(contentChanges).where(eq(contentChanges.id, first.id)).get())!
    expect(JSON.parse(row.baseJson)).toEqual({ title: 'Post 1', slug: 'post-1', terms: { category: [12], post_tag: [40] } })
    // Once leased it is no longer open: the next edit is a new change.
    await c.plugin.pending()
    const third = await c.userApi.patch(1, { title: 'C' })
    expect(third.body.data.id).not.toBe(first.id)
  })
})

describe('POST /integration/integrations/{id}/content/', () => {
  it('queues a create, draft by default', async () => {
    const c = await editableSite(s)
    const res = await c.userApi.create({
      post_type: 'page',
      title: 'About',
      content: '<!-- wp:paragraph --><p>Hi</p><!-- /wp:paragraph -->',
    })
    expect(res.status).toBe(202)
    expect(res.body.data).toMatchObject({
      kind: 'create',
      external_id: null,
      post_type: 'page',
      fields: { title: 'About', status: 'draft', content: '<!-- wp:paragraph --><p>Hi</p><!-- /wp:paragraph -->' },
      base_modified_at: null,
      state: 'pending',
    })
  })

  it.each([
    [{ title: 'x' }, 'post_type'],
    [{ post_type: 'event', title: 'x' }, 'post_type'],
    [{ post_type: 'post' }, 'title'],
    [{ post_type: 'post', title: 'x', terms: { category: [77] } }, 'terms.category.0'],
  ])('refuses %j with 400 naming %s', async (body, path) => {
    const c = await editableSite(s)
    const before = await changeCount()
    const res = await c.userApi.create(body)
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toContain(path)
    expect(await changeCount()).toBe(before)
  })

  it('refuses API keys (403) and another tenant (404)', async () => {
    const c = await editableSite(s)
    expect((await c.plugin.create({ post_type: 'post', title: 'x' })).status).toBe(403)
    const other = await s.user()
    expect((await s.call('POST', `${c.base}/content/`, { token: other.token, body: { post_type: 'post', title: 'x' } })).status).toBe(404)
  })
})

describe('GET|DELETE /integration/integrations/{id}/changes/', () => {
  it('lists newest first, filters by state, and reads one', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'A' })).body.data
    const b = (await c.userApi.patch(2, { title: 'B' })).body.data
    await c.userApi.cancel(a.id)
    const all = await c.userApi.list()
    expect(all.body).toMatchObject({ success: true, count: 2, next: null, previous: null })
    expect(all.body.results.map((x: any) => x.id)).toEqual([b.id, a.id])
    expect((await c.userApi.list('?state=cancelled')).body.results.map((x: any) => x.id)).toEqual([a.id])
    expect((await c.userApi.list('?state=bogus')).status).toBe(400)
    expect((await c.userApi.get(b.id)).body.data).toMatchObject({ id: b.id, state: 'pending' })
    // The site's key may read; another tenant may not.
    expect((await c.plugin.get(b.id)).status).toBe(200)
    const other = await s.user()
    expect((await s.call('GET', `${c.base}/changes/${b.id}/`, { token: other.token })).status).toBe(404)
    expect((await s.call('GET', `${c.base}/changes/`, { token: other.token })).status).toBe(404)
  })

  it('cancels pending changes, refuses other states with 409 and API keys with 403', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'A' })).body.data
    expect((await c.plugin.cancel(a.id)).status).toBe(403)
    const res = await c.userApi.cancel(a.id)
    expect(res.status).toBe(200)
    expect(res.body.data.state).toBe('cancelled')
    expect((await c.userApi.cancel(a.id)).status).toBe(409)
    const b = (await c.userApi.patch(2, { title: 'B' })).body.data
    await c.plugin.pending()
    const busy = await c.userApi.cancel(b.id)
    expect(busy.status).toBe(409)
    expect(busy.body.code).toBe('change_not_open')
    expect((await c.userApi.cancel(123456)).status).toBe(404)
  })

  it('answers 404 for a change of another integration under this one', async () => {
    const c = await editableSite(s)
    const d = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'A' })).body.data
    expect((await s.call('GET', `${d.base}/changes/${a.id}/`, { token: d.user.token })).status).toBe(404)
    expect((await s.call('DELETE', `${d.base}/changes/${a.id}/`, { token: d.user.token })).status).toBe(404)
  })
})
