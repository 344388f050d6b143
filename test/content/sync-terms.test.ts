import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const cat = (id: number, name: string, parent = 0) => ({ external_id: id, taxonomy: 'category', name, slug: name.toLowerCase(), parent })

describe('POST /integration/integrations/{id}/sync-terms/', () => {
  it('upserts terms idempotently and deletes by (taxonomy, external_id)', async () => {
    const c = await connectedSite(s)
    const batch = { terms: [cat(1, 'News'), cat(2, 'Tech'), { external_id: 1, taxonomy: 'post_tag', name: 'tag-one' }] }
    expect((await c.terms(batch)).body.data).toEqual({ created: 3, updated: 0, unchanged: 0, deleted: 0, skipped: [] })
    expect((await c.terms(batch)).body.data).toEqual({ created: 0, updated: 0, unchanged: 3, deleted: 0, skipped: [] })
    const next = await c.terms({
      terms: [cat(1, 'Newsroom')],
      deleted: [
        { taxonomy: 'post_tag', external_id: 1 },
        { taxonomy: 'category', external_id: 77 },
      ],
    })
    expect(next.body.data).toEqual({ created: 0, updated: 1, unchanged: 0, deleted: 1, skipped: [] })
    expect(await c.synced('taxonomies', 'category')).toBe(2)
    expect(await c.synced('taxonomies', 'post_tag')).toBe(0)
  })

  it('keeps the hierarchy when children arrive before parents, across batches, and lists parents first', async () => {
    const c = await connectedSite(s)
    await c.terms({ terms: [cat(30, 'Grandchild', 20), cat(20, 'Child', 10)] })
    let list = (await s.call('GET', `${c.base}/terms/?taxonomy=category`, { token: c.key })).body.results
    // Parent 10 is not stored yet: the orphans are listed as roots, nothing is lost.
    expect(list.map((t: any) => t.external_id)).toEqual([20, 30])
    await c.terms({ terms: [cat(10, 'Root'), cat(40, 'Another root'), cat(21, 'Aardvark child', 10)] })
    list = (await s.call('GET', `${c.base}/terms/?taxonomy=category`, { token: c.key })).body.results
    expect(list.map((t: any) => [t.external_id, t.parent, t.depth])).toEqual([
      [40, 0, 0],
      [10, 0, 0],
      [21, 10, 1],
      [20, 10, 1],
      [30, 20, 2],
    ])
  })

  it('skips disabled, unknown and over-limit taxonomies with reasons', async () => {
    const c = await connectedSite(s)
    await s.call('PATCH', `${c.base}/content-types/`, { token: c.user.token, body: { taxonomies: { category: { fetch_limit: 1 } } } })
    const res = await c.terms({
      terms: [
        cat(1, 'A'),
        cat(2, 'B'),
        { external_id: 3, taxonomy: 'product_cat', name: 'P' },
        { external_id: 4, taxonomy: 'genre', name: 'G' },
      ],
    })
    expect(res.body.data.created).toBe(1)
    expect(res.body.data.skipped).toEqual([
      { external_id: 2, reason: 'Taxonomy "category" has reached its fetch limit (1).' },
      { external_id: 3, reason: 'Taxonomy "product_cat" is disabled.' },
      { external_id: 4, reason: 'Taxonomy "genre" is not in the site\'s last structure.' },
    ])
    expect((await c.terms({ terms: [cat(1, 'A renamed')] })).body.data).toMatchObject({ updated: 1, skipped: [] })
  })

  it('rejects a batch with one bad term whole, naming its path', async () => {
    const c = await connectedSite(s)
    const res = await c.terms({ terms: [cat(1, 'A'), { ...cat(2, 'B'), parent: -1 }] })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['terms.1.parent'])
    expect(await c.synced('taxonomies', 'category')).toBe(0)
  })

  it('refuses a NUL character in a name, slug or description with 400 naming it, storing nothing (PostgreSQL text cannot hold it)', async () => {
    const c = await connectedSite(s)
    for (const field of ['name', 'slug', 'description']) {
      const res = await c.terms({ terms: [cat(1, 'A'), { ...cat(2, 'B'), [field]: 'x\u0000' }] })
      expect([res.status, Object.keys(res.body.errors)]).toEqual([400, [`terms.1.${field}`]])
    }
    expect(await c.synced('taxonomies', 'category')).toBe(0)
  })
})
