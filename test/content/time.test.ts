import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readContentTypes } from '../../src/integrations/content-types'
import { parseConfig, STALE_AFTER_MS } from '../../src/integrations/config'
import { seedStructure, startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'
import { eq } from 'drizzle-orm'
import { integrations } from '../../src/db/schema'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

describe('GET /integration/integrations/{id}/content/ order', () => {
  it('is newest first by the instant, whatever offset each modified_at was sent with, echoing each exactly as sent', async () => {
    const c = await connectedSite(s)
    const sent = {
      1: '2025-11-22T11:00:00+02:00', // 09:00Z: the oldest, though it sorts first as text
      2: '2025-11-22T10:00:00Z',
      3: '2025-11-22T09:30:00.5Z',
      4: '2025-11-22T05:45:00-04:00', // 09:45Z
      5: '2025-11-22T09:59:59.123456+00:00',
    }
    await c.content({ items: Object.entries(sent).map(([id, at]) => post(Number(id), { modified_at: at })) })
    const list = await s.call('GET', `${c.base}/content/`, { token: c.key })
    expect(list.body.results.map((r: any) => r.external_id)).toEqual([2, 5, 4, 3, 1])
    expect(list.body.results.map((r: any) => r.modified_at)).toEqual([2, 5, 4, 3, 1].map((id) => sent[id as keyof typeof sent]))
    const posts = await s.call('GET', `${c.base}/content/?post_type=post`, { token: c.key })
    expect(posts.body.results.map((r: any) => r.external_id)).toEqual([2, 5, 4, 3, 1])
  })

  it('keeps the order right when an item is updated to another offset', async () => {
    const c = await connectedSite(s)
    await c.content({ items: [post(1, { modified_at: '2025-11-22T10:00:00Z' }), post(2, { modified_at: '2025-11-22T10:30:00Z' })] })
    await c.content({ items: [post(1, { modified_at: '2025-11-22T08:45:00-02:00' })] }) // 10:45Z
    const list = await s.call('GET', `${c.base}/content/`, { token: c.key })
    expect(list.body.results.map((r: any) => r.external_id)).toEqual([1, 2])
  })

  it('lists items without modified_at last, newest id first among them, on every page', async () => {
    const c = await connectedSite(s)
    await c.content({
      items: [
        post(1, { modified_at: null }),
        post(2, { modified_at: '2025-11-22T10:00:00Z' }),
        post(3, { modified_at: null }),
        post(4, { modified_at: '2025-11-21T10:00:00Z' }),
      ],
    })
    const ids = async (qs: string) =>
      (await s.call('GET', `${c.base}/content/?${qs}`, { token: c.key })).body.results.map((r: any) => r.external_id)
    expect(await ids('')).toEqual([2, 4, 3, 1])
    expect(await ids('post_type=post')).toEqual([2, 4, 3, 1])
    expect(await ids('status=publish')).toEqual([2, 4, 3, 1])
    expect([...(await ids('page_size=3&page=1')), ...(await ids('page_size=3&page=2'))]).toEqual([2, 4, 3, 1])
  })
})

describe('stale (content-types)', () => {
  it('follows the server receive time, not the plugin timestamp in the past', async () => {
    const c = await connectedSite(s) // seed timestamp: 2025-11-22, long past
    const res = await s.call('GET', `${c.base}/content-types/`, { token: c.key })
    expect(res.body.data.last_structure_fetch).toBe('2025-11-22T10:00:00Z')
    expect(res.body.data.stale).toBe(false)
  })

  it('follows the server receive time, not a plugin timestamp in the future', async () => {
    const c = await connectedSite(s)
    const future = { ...seedStructure(), timestamp: '2099-01-01T00:00:00Z' }
    expect((await s.call('POST', `${c.base}/update-structure/`, { token: c.key, body: future })).status).toBe(200)
    const res = await s.call('GET', `${c.base}/content-types/`, { token: c.key })
    expect(res.body.data.last_structure_fetch).toBe('2099-01-01T00:00:00Z')
    expect(res.body.data.stale).toBe(false)
    const config = parseConfig(
      (await s.db.select({ c: integrations.configJson }).from(integrations).where(eq(integrations.id, c.integrationId)).get())!.c,
    )
    // 26 h and a minute later by the server's clock the push is stale, though the plugin's time is decades ahead.
    expect((await readContentTypes(s.db, c.integrationId, config, Date.now() + STALE_AFTER_MS + 60_000)).stale).toBe(true)
    expect((await readContentTypes(s.db, c.integrationId, config, Date.now() + STALE_AFTER_MS - 60_000)).stale).toBe(false)
  })
})
