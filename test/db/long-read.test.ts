// Long reads on SQLite run in a worker (src/db/reader.ts, longRead in src/db/client.ts): a search that scans a big
// site's rows leaves the server's thread free to answer other requests meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listContent } from '../../src/content/listing'
import { closeDb, longRead, openDb, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { sqliteOf } from '../../src/db/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'igny8-long-read-'))
let db: Db
const ITEMS = 300_000
const caller = { kind: 'user', user: { id: 1, isAdmin: true, isActive: true } } as never

beforeAll(async () => {
  db = openDb(join(dir, 'igny8.db'))
  await migrateDb(db)
  const raw = sqliteOf(db)
  raw.exec(`INSERT INTO users (id, email, password_hash, is_admin) VALUES (1, 'a@example.com', 'h', 1)`)
  raw.exec(`INSERT INTO sites (id, owner_id, name, url) VALUES (1, 1, 'Blog', 'https://blog.example.com')`)
  raw.exec(`INSERT INTO integrations (id, site_id, platform) VALUES (1, 1, 'wordpress')`)
  raw.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ITEMS})
    INSERT INTO content (integration_id, external_id, post_type, title, slug, status, modified_at)
    SELECT 1, i, 'post', 'Post number ' || i, 'post-' || i, 'publish', '2025-11-22T10:00:00Z' FROM n`)
}, 60_000)

afterAll(async () => {
  await closeDb(db)
  rmSync(dir, { recursive: true, force: true })
})

/** The longest the event loop went without running a 1 ms timer while `work` ran, and how long `work` took. */
async function lagDuring<T>(work: () => Promise<T>): Promise<{ lag: number; took: number; value: T }> {
  let lag = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    lag = Math.max(lag, now - last)
    last = now
  }, 1)
  const start = performance.now()
  const value = await work()
  const took = performance.now() - start
  clearInterval(timer)
  lag = Math.max(lag, performance.now() - last) // a timer that never ran at all
  return { lag, took, value }
}

describe('a search over a big site', () => {
  it('answers the right count and page', async () => {
    const res = await listContent(db, caller, 1, { post_type: 'post', search: 'number 29999' }, { page: 1, page_size: 50 })
    // 29999 and 299990–299999
    expect(res.count).toBe(11)
    expect(res.results.map((r) => r.external_id).sort((a, b) => a - b)).toEqual([
      29999, 299990, 299991, 299992, 299993, 299994, 299995, 299996, 299997, 299998, 299999,
    ])
  })

  it('leaves the event loop free while it scans every row', async () => {
    const { lag, took, value } = await lagDuring(() =>
      listContent(db, caller, 1, { post_type: 'post', search: 'no such title' }, { page: 1, page_size: 50 }),
    )
    expect(value.count).toBe(0)
    // Meaningful only if the scan takes a while; on the server's thread the timer would wait for all of it.
    expect(took).toBeGreaterThan(60)
    expect(lag).toBeLessThan(took / 3)
  })
})

describe('longRead', () => {
  it('answers rows as arrays, in column order', async () => {
    expect(await longRead(db, sql`select 1 as a, 'x' as b union all select 2, 'y'`)).toEqual([
      [1, 'x'],
      [2, 'y'],
    ])
  })

  it('refuses a write, and reports a bad statement as an error', async () => {
    await expect(longRead(db, sql`delete from content`)).rejects.toThrow()
    expect((sqliteOf(db).query('select count(*) as n from content').get() as { n: number }).n).toBe(ITEMS)
    await expect(longRead(db, sql`select * from no_such_table`)).rejects.toThrow(/no such table/)
  })
})
