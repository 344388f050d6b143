// Property test: after any sequence of batches, the kept counters (per type, and per type and status) equal a
// recount of the rows.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'
import { sql, type SQL } from 'drizzle-orm'
import { allRows } from '../../src/db/client'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

/** A small deterministic PRNG so a failure can be replayed from its seed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

describe('kept counters', () => {
  for (const seed of [1, 42, 2025]) {
    it(`equal a recount after a randomized sequence of upserts and deletes (seed ${seed})`, async () => {
      const rnd = prng(seed)
      const c = await connectedSite(s)
      await s.call('PATCH', `${c.base}/content-types/`, {
        token: c.user.token,
        body: { post_types: { page: { fetch_limit: 15 } }, taxonomies: { post_tag: { fetch_limit: 12 } } },
      })
      const types = ['post', 'page', 'product', 'event']
      const taxonomies = ['category', 'post_tag', 'product_cat']
      const statuses = ['publish', 'draft', 'private', 'future']
      for (let step = 0; step < 40; step++) {
        const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]!
        const ids = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => 1 + Math.floor(rnd() * 40)))]
        if (rnd() < 0.5) {
          const items = ids.map((id) => ({
            ...post(id, { title: `v${Math.floor(rnd() * 3)}`, status: pick(statuses) }),
            post_type: pick(types),
          }))
          const deleted = Array.from({ length: Math.floor(rnd() * 4) }, () => 1 + Math.floor(rnd() * 40))
          expect((await c.content({ items, deleted })).status).toBe(200)
        } else {
          const terms = ids.map((id) => ({ external_id: id, taxonomy: pick(taxonomies), name: `t${Math.floor(rnd() * 3)}` }))
          const deleted = Array.from({ length: Math.floor(rnd() * 4) }, () => ({
            taxonomy: pick(taxonomies),
            external_id: 1 + Math.floor(rnd() * 40),
          }))
          // One term id may appear under two taxonomies, but not twice in one taxonomy.
          const unique = [...new Map(terms.map((t) => [`${t.taxonomy}:${t.external_id}`, t])).values()]
          expect((await c.terms({ terms: unique, deleted })).status).toBe(200)
        }
        if (rnd() < 0.1) {
          await s.call('PATCH', `${c.base}/content-types/`, {
            token: c.user.token,
            body: { post_types: { post: { enabled: rnd() < 0.5 ? false : null } } },
          })
        }
      }
      const byKey = async (query: SQL) => Object.fromEntries((await allRows<{ k: string; n: number }>(s.db, query)).map((r) => [r.k, r.n]))
      const kept = (kind: string) =>
        byKey(
          sql`select slug k, synced_count n from type_counters where integration_id = ${c.integrationId} and kind = ${kind} and synced_count != 0`,
        )
      expect(await kept('post_type')).toEqual(
        await byKey(sql`select post_type k, count(*) n from content where integration_id = ${c.integrationId} group by post_type`),
      )
      expect(await kept('taxonomy')).toEqual(
        await byKey(sql`select taxonomy k, count(*) n from content_taxonomy where integration_id = ${c.integrationId} group by taxonomy`),
      )
      expect(
        await byKey(sql`select post_type || '/' || status k, n from status_counters where integration_id = ${c.integrationId} and n != 0`),
      ).toEqual(
        await byKey(
          sql`select post_type || '/' || status k, count(*) n from content where integration_id = ${c.integrationId} group by post_type, status`,
        ),
      )
      // The listing's count under a status filter comes from those counters too.
      const listed = async (qs: string) => (await s.call('GET', `${c.base}/content/?${qs}&page_size=1`, { token: c.key })).body.count
      const recount = await byKey(
        sql`select status k, count(*) n from content where integration_id = ${c.integrationId} and post_type = 'post' group by status`,
      )
      for (const status of statuses) {
        expect([status, await listed(`status=${status}&post_type=post`)]).toEqual([status, recount[status] ?? 0])
        expect([status, await listed(`status=${status}`)]).toEqual([
          status,
          Number(
            (await byKey(sql`select 'all' k, count(*) n from content where integration_id = ${c.integrationId} and status = ${status}`))
              .all ?? 0,
          ),
        ])
      }
      const limits = await byKey(
        sql`select post_type k, count(*) n from content where integration_id = ${c.integrationId} and post_type = 'page' group by post_type`,
      )
      expect(limits.page ?? 0).toBeLessThanOrEqual(15)
    })
  }
})
