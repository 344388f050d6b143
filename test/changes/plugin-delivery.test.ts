// The plugin's delivery routes: pending with leases, results, and the echo that must arrive as `unchanged`.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq } from 'drizzle-orm'
import { contentChanges } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { editableSite, post } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /integration/integrations/{id}/changes/pending/', () => {
  it('leases up to 50 due changes, oldest first, to the API key that polled', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    const b = (await c.userApi.patch(2, { title: 'Two' })).body.data
    const res = await c.plugin.pending()
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ success: true, count: 2, next: null, previous: null })
    expect(res.body.results.map((x: any) => x.id)).toEqual([a.id, b.id])
    expect(res.body.results[0]).toMatchObject({
      state: 'delivering',
      delivery: 'plugin',
      kind: 'update',
      external_id: 1,
      fields: { title: 'One' },
    })
    expect(res.body.results[0].base_modified_at).toBe('2025-11-22T10:00:00Z')
    // Leased: a second poll gets nothing.
    expect((await c.plugin.pending()).body.results).toEqual([])
  })

  it('gives an expired lease back and refuses users', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    await c.plugin.pending()
    await s.db
      .update(contentChanges)
      .set({ leaseExpiresAt: Date.now() - 1 })
      .where(eq(contentChanges.id, a.id))
      .run()
    expect((await c.userApi.get(a.id)).body.data.state).toBe('pending')
    expect((await c.plugin.pending()).body.results.map((x: any) => x.id)).toEqual([a.id])
    expect((await c.userApi.pending()).status).toBe(403)
  })
})

describe('POST /integration/integrations/{id}/changes/{cid}/result/', () => {
  it('stores an applied item so the save_post echo is unchanged', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    await c.plugin.pending()
    const item = post(1, { title: 'One', modified_at: '2025-11-23T10:00:00Z' })
    const res = await c.plugin.result(a.id, { status: 'applied', external_id: 1, item })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ state: 'applied', external_id: 1 })
    expect(res.body.data.applied_at).toBeString()
    const echo = await c.plugin.sync([item])
    expect(echo.body.data).toMatchObject({ unchanged: 1, updated: 0 })
    // Answering twice: no lease any more.
    expect((await c.plugin.result(a.id, { status: 'applied', external_id: 1, item })).status).toBe(409)
  })
})

describe('POST …/changes/{cid}/result/ (more)', () => {
  it('accepts only the key holding the lease; a late answer counts while no one else took it', async () => {
    const c = await editableSite(s)
    const key2 = (await s.call('POST', `/api/v1/system/sites/${c.siteId}/api-keys/`, { token: c.user.token, body: {} })).body.data.key
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    await c.plugin.pending()
    const item = post(1, { title: 'One', modified_at: '2025-11-23T10:00:00Z' })
    const other = await s.call('POST', `${c.base}/changes/${a.id}/result/`, {
      token: key2,
      body: { status: 'applied', external_id: 1, item },
    })
    expect(other.status).toBe(409)
    expect(other.body.code).toBe('not_lease_holder')
    // The lease runs out; nobody polled meanwhile, so the holder's answer still settles it.
    await s.db
      .update(contentChanges)
      .set({ leaseExpiresAt: Date.now() - 1 })
      .where(eq(contentChanges.id, a.id))
      .run()
    expect((await c.userApi.get(a.id)).body.data.state).toBe('pending')
    expect((await c.plugin.result(a.id, { status: 'applied', external_id: 1, item })).body.data.state).toBe('applied')
  })

  it('refuses a result for a lease another key took after expiry', async () => {
    const c = await editableSite(s)
    const key2 = (await s.call('POST', `/api/v1/system/sites/${c.siteId}/api-keys/`, { token: c.user.token, body: {} })).body.data.key
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    await c.plugin.pending()
    await s.db
      .update(contentChanges)
      .set({ leaseExpiresAt: Date.now() - 1 })
      .where(eq(contentChanges.id, a.id))
      .run()
    expect((await s.call('GET', `${c.base}/changes/pending/`, { token: key2 })).body.count).toBe(1)
    const late = await c.plugin.result(a.id, { status: 'failed', error: 'x', retry: true })
    expect(late.status).toBe(409)
  })

  it('validates the result and its item, naming the path', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    await c.plugin.pending()
    const bad = async (body: unknown, path: string) => {
      const res = await c.plugin.result(a.id, body)
      expect(res.status).toBe(400)
      expect(Object.keys(res.body.errors)).toContain(path)
    }
    await bad({ status: 'applied', external_id: 1, item: { ...post(1), modified_at: 'soon' } }, 'item.modified_at')
    await bad({ status: 'applied', external_id: 2, item: post(2) }, 'external_id')
    await bad({ status: 'applied', external_id: 1, item: post(2) }, 'item.external_id')
    await bad({ status: 'done' }, 'status')
    await bad({ status: 'failed', retry: true }, 'error')
    expect((await c.userApi.get(a.id)).body.data.state).toBe('delivering')
  })

  it('retries a failure with backoff 1 min, 5 min, 30 min, 2 h, 12 h, then fails', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    const waits = [60_000, 300_000, 1_800_000, 7_200_000, 43_200_000]
    for (const [i, wait] of waits.entries()) {
      expect((await c.plugin.pending()).body.results.map((x: any) => x.id)).toEqual([a.id])
      const before = Date.now()
      const res = await c.plugin.result(a.id, { status: 'failed', error: 'WordPress said no', retry: true })
      expect(res.body.data).toMatchObject({ state: 'pending', attempts: i + 1, error: 'WordPress said no' })
      const row = (await s.db.select().from(contentChanges).where(eq(contentChanges.id, a.id)).get())!
      expect(row.nextAttemptAt! - before).toBeGreaterThanOrEqual(wait - 50)
      expect(row.nextAttemptAt! - before).toBeLessThan(wait + 5_000)
      // Not handed out again before its time.
      expect((await c.plugin.pending()).body.count).toBe(0)
      await s.db
        .update(contentChanges)
        .set({ nextAttemptAt: Date.now() - 1 })
        .where(eq(contentChanges.id, a.id))
        .run()
    }
    await c.plugin.pending()
    const last = await c.plugin.result(a.id, { status: 'failed', error: 'still no', retry: true })
    expect(last.body.data).toMatchObject({ state: 'failed', attempts: 6, error: 'still no' })
  })

  it('fails at once when the plugin says not to retry, and records pushback events', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    await c.plugin.pending()
    const res = await c.plugin.result(a.id, { status: 'failed', error: 'Post type gone', retry: false })
    expect(res.body.data).toMatchObject({ state: 'failed', attempts: 1, error: 'Post type gone' })
    const events = (await s.call('GET', `${c.base}/sync-events/`, { token: c.user.token })).body.results
    expect(events[0]).toMatchObject({ kind: 'pushback', source: 'plugin', status: 'error', error: 'Post type gone' })
  })

  it('stores a created post with its WordPress id', async () => {
    const c = await editableSite(s)
    const a = (await c.userApi.create({ post_type: 'post', title: 'Fresh', terms: { category: [13] } })).body.data
    await c.plugin.pending()
    const item = post(50, { title: 'Fresh', status: 'draft', terms: { category: [13] } })
    const bad = await c.plugin.result(a.id, { status: 'applied', external_id: 50, item: { ...item, post_type: 'page' } })
    expect(bad.status).toBe(400)
    const res = await c.plugin.result(a.id, { status: 'applied', external_id: 50, item })
    expect(res.body.data).toMatchObject({ kind: 'create', state: 'applied', external_id: 50 })
    const list = await s.call('GET', `${c.base}/content/?search=Fresh`, { token: c.user.token })
    expect(list.body.results).toMatchObject([{ external_id: 50, title: 'Fresh', status: 'draft' }])
    expect((await c.plugin.sync([item])).body.data).toMatchObject({ unchanged: 1 })
  })
})

describe('tenancy of the plugin routes', () => {
  it('answers 404 to another site’s API key and 401 without one', async () => {
    const c = await editableSite(s)
    const d = await editableSite(s)
    const a = (await c.userApi.patch(1, { title: 'One' })).body.data
    const as = (path: string, method = 'GET', body?: unknown) => s.call(method, `${c.base}${path}`, { token: d.key, body })
    expect((await as('/changes/pending/')).status).toBe(404)
    expect((await as(`/changes/${a.id}/result/`, 'POST', { status: 'failed', error: 'x', retry: false })).status).toBe(404)
    expect((await as('/plugin-endpoint/', 'PUT', { url: 'https://93.184.215.14/nudge' })).status).toBe(404)
    expect((await s.call('GET', `${c.base}/changes/pending/`)).status).toBe(401)
    expect((await c.userApi.get(a.id)).body.data.state).toBe('pending')
  })
})

describe('PUT /integration/integrations/{id}/plugin-endpoint/', () => {
  it('refuses users (403) and loopback URLs without IGNY8_PULL_ALLOW_PRIVATE (400 naming url)', async () => {
    const c = await editableSite(s)
    expect((await c.userApi.endpoint('https://example.com/wp-json/igny8/v1/nudge')).status).toBe(403)
    const res = await c.plugin.endpoint('http://127.0.0.1:9/wp-json/igny8/v1/nudge')
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['url'])
    expect((await c.plugin.endpoint('ftp://example.com/x')).status).toBe(400)
  })
})
