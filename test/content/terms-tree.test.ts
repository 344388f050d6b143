// The terms listing's tree order, kept in SQL (src/content/tree.ts): after any sequence of batches it is the
// order a full in-memory walk of the stored terms gives, page by page.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite } from './helpers'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

type Row = { external_id: number; name: string; parent: number }

/** The reference order: roots (no parent, or parent not stored) by name then id, each followed by its subtree. */
function walk(rows: Row[]): [number, number][] {
  const byName = [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.external_id - b.external_id))
  const present = new Set(rows.map((r) => r.external_id))
  const isRoot = (r: Row) => r.parent === 0 || r.parent === r.external_id || !present.has(r.parent)
  const out: [number, number][] = []
  const visit = (r: Row, depth: number) => {
    out.push([r.external_id, depth])
    for (const c of byName) if (!isRoot(c) && c.parent === r.external_id) visit(c, depth + 1)
  }
  byName.filter(isRoot).forEach((r) => visit(r, 0))
  return out
}

async function listAll(base: string, token: string, pageSize: number) {
  const out: [number, number][] = []
  for (let page = 1; ; page++) {
    const res = await s.call('GET', `${base}/terms/?taxonomy=category&page=${page}&page_size=${pageSize}`, { token })
    expect(res.status).toBe(200)
    out.push(...res.body.results.map((t: any) => [t.external_id, t.depth] as [number, number]))
    if (!res.body.next) return { rows: out, count: res.body.count as number }
  }
}

describe('GET /integration/integrations/{id}/terms/ tree order', () => {
  for (const seed of [7, 99, 2026]) {
    it(`matches a full walk after random creates, renames, re-parentings and deletes, on every page (seed ${seed})`, async () => {
      const rnd = prng(seed)
      const c = await connectedSite(s)
      await s.call('PATCH', `${c.base}/content-types/`, { token: c.user.token, body: { taxonomies: { category: { fetch_limit: 1000 } } } })
      const model = new Map<number, Row>()
      for (let step = 0; step < 25; step++) {
        const ids = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 10) }, () => 1 + Math.floor(rnd() * 40)))]
        // A parent always has a smaller id than its child, so no cycle forms; it may not be stored (yet).
        const terms = ids.map((id) => ({
          external_id: id,
          taxonomy: 'category',
          name: ['Alpha', 'beta', 'Gamma', 'al', ''][Math.floor(rnd() * 5)]!,
          parent: rnd() < 0.3 || id === 1 ? 0 : 1 + Math.floor(rnd() * (id - 1)),
        }))
        const deleted = rnd() < 0.4 ? [1 + Math.floor(rnd() * 40)].filter((d) => !ids.includes(d)) : []
        const res = await c.terms({ terms, deleted: deleted.map((d) => ({ taxonomy: 'category', external_id: d })) })
        expect(res.status).toBe(200)
        for (const d of deleted) model.delete(d)
        for (const t of terms) model.set(t.external_id, { external_id: t.external_id, name: t.name, parent: t.parent })
        if (step % 6 === 5) {
          const expected = walk([...model.values()])
          const pages = await listAll(c.base, c.key, 7)
          expect(pages.rows).toEqual(expected)
          expect(pages.count).toBe(model.size)
        }
      }
      expect((await listAll(c.base, c.key, 200)).rows).toEqual(walk([...model.values()]))
    })
  }

  it('lists a parent cycle without losing a term, and puts each member back under a real root once the cycle breaks', async () => {
    const c = await connectedSite(s)
    const t = (external_id: number, name: string, parent: number) => ({ external_id, taxonomy: 'category', name, parent })
    await c.terms({ terms: [t(1, 'Root', 0), t(2, 'A', 3), t(3, 'B', 2), t(4, 'Under A', 2)] })
    const cyclic = await listAll(c.base, c.key, 200)
    expect(cyclic.rows.map(([id]) => id).sort()).toEqual([1, 2, 3, 4])
    expect(cyclic.count).toBe(4)
    await c.terms({ terms: [t(3, 'B', 1)] })
    expect((await listAll(c.base, c.key, 200)).rows).toEqual([
      [1, 0],
      [3, 1],
      [2, 2],
      [4, 3],
    ])
  })
})
