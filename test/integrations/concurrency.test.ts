// Two `igny8 serve` processes on one data dir, written to at once: SQLite must serialise them (WAL,
// busy_timeout, immediate transactions). In one process requests run one after another and no race
// can show, so the writers here are two real processes fed concurrent pushes, admin PATCHes and batches.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TEST_ENGINE, type Res } from '../helpers/server'
import { runCli, spawnServers, type ServerProcess } from '../multi-process/serve-process'

const PUSHES = 100 // 50 to each server
const PATCHES = 150
const BATCHES = 12 // per server, for content and for terms each
const PER_BATCH = 20
const OVERLAP = 10 // ids 1..OVERLAP travel in every batch of both servers; the rest are each batch's own
const BUSY = /SQLITE_BUSY|database is locked/i

const dir = mkdtempSync(join(tmpdir(), 'igny8-two-servers-'))
const USER = { email: 'owner@example.com', password: 'correct horse battery staple' }
let a: ServerProcess
let b: ServerProcess
let token: string
let key: string
let integrationId: number
let path: string
let answered: { post: number; category: number }[] = []
const responses: { what: string; res: Res }[] = []
let started: number

// About SQLite itself (test/engines.ts lists it as SQLite-only): skipped in the PostgreSQL pass.
const onSqlite = TEST_ENGINE === 'sqlite'

beforeAll(async () => {
  if (!onSqlite) return
  const created = runCli(['user', 'create', '--email', USER.email, '--password', USER.password], dir)
  if (created.code !== 0) throw new Error(`user create failed: ${created.stderr}`)
  ;[a, b] = (await spawnServers(dir, 2)) as [ServerProcess, ServerProcess]
  // Set up through both servers: what one writes, the other must see.
  token = (await a.call('POST', '/api/v1/auth/login/', { body: USER })).body.data.access
  const site = await b.call('POST', '/api/v1/system/sites/', { token, body: { name: 'Blog', url: 'https://blog.example.com' } })
  key = (await a.call('POST', `/api/v1/system/sites/${site.body.data.id}/api-keys/`, { token, body: {} })).body.data.key
  integrationId = (await b.call('GET', `/api/v1/integration/integrations/?site=${site.body.data.id}`, { token: key })).body.results[0].id
  path = `/api/v1/integration/integrations/${integrationId}`
  const patched = await a.call('PATCH', `${path}/`, { token, body: { config_json: { custom: 1 } } })
  if (patched.status !== 200) throw new Error(`setup PATCH failed: ${patched.text}`)
}, 60_000)

afterAll(() => {
  a?.kill()
  b?.kill()
  rmSync(dir, { recursive: true, force: true })
})

const timestampOf = (i: number) => `2025-11-22T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`

/** Push number i: its own counts, labels, timestamp and one slug no other push has; post and category stay open for batches. */
const pushBody = (i: number) => ({
  post_types: {
    post: { label: `Posts ${i}`, count: i, enabled: true, fetch_limit: 10_000 + i },
    [`only_${i}`]: { count: 1000 + i },
  },
  taxonomies: { category: { label: `Categories ${i}`, count: 2000 + i, enabled: true, fetch_limit: 10_000 } },
  plugin_connection_enabled: i % 2 === 0,
  two_way_sync_enabled: i % 3 === 0,
  timestamp: timestampOf(i),
})

/** What config_json must hold when push i landed last, beside the fields that others wrote. */
const storedShape = (i: number, others: Record<string, unknown>) => ({
  ...others,
  content_types: {
    post_types: {
      post: { label: `Posts ${i}`, count: i, enabled: true, fetch_limit: 10_000 + i },
      [`only_${i}`]: { label: `only_${i}`, count: 1000 + i, enabled: true, fetch_limit: 100 },
    },
    taxonomies: { category: { label: `Categories ${i}`, count: 2000 + i, enabled: true, fetch_limit: 10_000 } },
    last_structure_fetch: timestampOf(i),
  },
  plugin_connection_enabled: i % 2 === 0,
  two_way_sync_enabled: i % 3 === 0,
})

/** Ids of batch n of a server: the shared ones, then PER_BATCH - OVERLAP of its own. */
const batchIds = (server: 'a' | 'b', n: number) => {
  const own = (server === 'a' ? 10_000 : 20_000) + n * 100
  return [...Array.from({ length: OVERLAP }, (_, k) => 1 + k), ...Array.from({ length: PER_BATCH - OVERLAP }, (_, k) => own + k)]
}
const item = (id: number, version: string) => ({
  external_id: id,
  post_type: 'post',
  title: `${version} ${id}`,
  slug: `post-${id}`,
  status: 'publish',
  url: `https://blog.example.com/post-${id}/`,
  modified_at: '2025-11-22T10:00:00Z',
  terms: { category: [1] },
})

describe.skipIf(!onSqlite)('SQLite: two igny8 serve processes on one data dir', () => {
  it('answers every concurrent push, PATCH and batch sent to either server with 200', async () => {
    // Each server answers its requests one at a time, in arrival order: interleave the kinds so
    // pushes, PATCHes and batches of the two processes overlap all the way through.
    const lanes: (() => Promise<unknown>)[][] = [[], [], []]
    const send = (what: string, server: ServerProcess, method: string, url: string, o: { token: string; body: unknown }) =>
      server.call(method, url, o).then((res) => responses.push({ what, res }))
    for (let i = 0; i < PUSHES; i++)
      lanes[0]!.push(() => send(`push ${i}`, i % 2 ? b : a, 'POST', `${path}/update-structure/`, { token: key, body: pushBody(i) }))
    for (let j = 0; j < PATCHES; j++)
      lanes[1]!.push(() => send(`patch ${j}`, j % 2 ? a : b, 'PATCH', `${path}/`, { token, body: { config_json: { [`admin_${j}`]: j } } }))
    for (let n = 0; n < BATCHES; n++)
      for (const [name, server] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const ids = batchIds(name, n)
        const version = `${name}${n}`
        // Every third batch also deletes shared ids that the other server keeps re-adding.
        const deleted = n % 3 === 2 ? ids.slice(0, OVERLAP / 2) : []
        const items = ids.map((id) => item(id, version))
        const terms = ids.map((id) => ({ external_id: id, taxonomy: 'category', name: `${version} ${id}` }))
        const deletedTerms = deleted.map((id) => ({ taxonomy: 'category', external_id: id }))
        lanes[2]!.push(() => send(`content ${version}`, server, 'POST', `${path}/sync-content/`, { token: key, body: { items, deleted } }))
        lanes[2]!.push(() =>
          send(`terms ${version}`, server, 'POST', `${path}/sync-terms/`, { token: key, body: { terms, deleted: deletedTerms } }),
        )
      }
    const requests: Promise<unknown>[] = []
    started = Date.now()
    for (let k = 0; lanes.some((l) => k < l.length); k++) for (const lane of lanes) if (k < lane.length) requests.push(lane[k]!())
    await Promise.all(requests)
    expect(responses).toHaveLength(PUSHES + PATCHES + 4 * BATCHES)
    const notOk = responses.filter((r) => r.res.status !== 200).map((r) => `${r.what}: ${r.res.status} ${r.res.text.slice(0, 200)}`)
    expect(notOk).toEqual([])
    expect(responses.filter((r) => BUSY.test(r.res.text)).map((r) => r.what)).toEqual([])
  }, 120_000)

  it('keeps exactly one push whole, every admin PATCH, and answers the same from both servers', async () => {
    const [fromA, fromB] = await Promise.all([a.call('GET', `${path}/`, { token }), b.call('GET', `${path}/`, { token })])
    expect(fromA.body.data.config_json).toStrictEqual(fromB.body.data.config_json)
    const config = fromA.body.data.config_json
    const winner = Array.from({ length: PUSHES }, (_, i) => i).find((i) => timestampOf(i) === config.content_types?.last_structure_fetch)
    expect(winner).toBeNumber()
    const adminFields = Object.fromEntries(Array.from({ length: PATCHES }, (_, j) => [`admin_${j}`, j]))
    // The server's own receipt time (if this version keeps one) is the server's clock, not the push's.
    const { received_at, ...pushed } = config.content_types
    if (received_at !== undefined) expect(Date.parse(received_at)).toBeWithin(started, Date.now() + 1)
    expect({ ...config, content_types: pushed }).toStrictEqual(storedShape(winner!, { custom: 1, ...adminFields }))
  })

  it('stores every item of the disjoint ranges, and one whole sent version of each shared id still there', async () => {
    const stored = new Map<number, string>()
    let count = -1
    for (let page = 1; count === -1 || stored.size < count; page++) {
      const res = await b.call('GET', `${path}/content/?page_size=200&page=${page}`, { token: key })
      expect(res.status).toBe(200)
      count = res.body.count
      if (!res.body.results.length) break
      for (const r of res.body.results as { external_id: number; title: string }[]) stored.set(r.external_id, r.title)
    }
    for (const server of ['a', 'b'] as const)
      for (let n = 0; n < BATCHES; n++)
        for (const id of batchIds(server, n).slice(OVERLAP)) expect(stored.get(id)).toBe(`${server}${n} ${id}`)
    const versions = new Set((['a', 'b'] as const).flatMap((s) => Array.from({ length: BATCHES }, (_, n) => `${s}${n}`)))
    for (let id = 1; id <= OVERLAP; id++) {
      const title = stored.get(id)
      // Ids 6..10 are never deleted; 1..5 may be gone if a deleting batch landed last.
      if (id > OVERLAP / 2) expect(title).toBeString()
      if (title !== undefined) expect(versions.has(title.slice(0, title.indexOf(' ')))).toBe(true)
    }
    expect(stored.size).toBe(count)
  })

  it('recorded one sync event per accepted request', async () => {
    const events = await a.call('GET', `${path}/sync-events/?page_size=200`, { token })
    const kinds = (events.body.results as { kind: string }[]).reduce<Record<string, number>>(
      (m, e) => ({ ...m, [e.kind]: (m[e.kind] ?? 0) + 1 }),
      {},
    )
    expect(kinds).toEqual({ structure: PUSHES, content: 2 * BATCHES, terms: 2 * BATCHES })
  })

  it('answers the same synced_count from both servers', async () => {
    answered = await Promise.all(
      [a, b].map(async (s) => {
        const d = (await s.call('GET', `${path}/content-types/`, { token: key })).body.data
        return { post: d.post_types.post.synced_count, category: d.taxonomies.category.synced_count }
      }),
    )
    expect(answered[0]).toEqual(answered[1]!)
  })

  it('both servers stop with exit 0, having logged no error and no SQLITE_BUSY', async () => {
    const stopped = await Promise.all([a.stop(), b.stop()])
    for (const s of stopped) {
      expect(s.code).toBe(0)
      expect(s.stderr).toBe('')
      expect(s.stdout).not.toMatch(BUSY)
      const levels = s.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).level)
      expect(levels.filter((l) => l === 'error')).toEqual([])
    }
  }, 30_000)

  it('kept counters, and the synced_count both servers answered, equal a recount of the rows in the file', () => {
    const db = new Database(join(dir, 'igny8.db'), { readonly: true })
    try {
      const one = (q: string) => (db.query(q).get(integrationId) as { n: number }).n
      const recount = {
        post: one("select count(*) n from content where integration_id = ? and post_type = 'post'"),
        category: one("select count(*) n from content_taxonomy where integration_id = ? and taxonomy = 'category'"),
      }
      const kept = {
        post: one(`select synced_count n from type_counters where integration_id = ? and kind = 'post_type' and slug = 'post'`),
        category: one(`select synced_count n from type_counters where integration_id = ? and kind = 'taxonomy' and slug = 'category'`),
      }
      // Shared ids 6..10 and every batch's own ids are certainly stored.
      expect(recount.post).toBeGreaterThanOrEqual(OVERLAP / 2 + 2 * BATCHES * (PER_BATCH - OVERLAP))
      expect(kept).toEqual(recount)
      expect(answered).toEqual([recount, recount])
      expect(one("select count(*) n from content where integration_id = ? and post_type != 'post'")).toBe(0)
    } finally {
      db.close()
    }
  })
})
