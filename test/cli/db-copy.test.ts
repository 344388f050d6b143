// `igny8 db copy`: a SQLite install filled through the real API, copied by the real command into the suite's own
// PostgreSQL, then served from there. The source is SQLite whatever IGNY8_TEST_ENGINE says (this is the move off it).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Database } from 'bun:sqlite'
import { is, sql } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { createSession } from '../../src/auth/sessions'
import { STATE, writeState } from '../../src/cron/app-state'
import { BATCH_ROWS, copyTable, copyTables } from '../../src/commands/db-copy-tables'
import { allRows, closeDb, openDb, withTx, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import * as schema from '../../src/db/schema'
import { sqliteOf } from '../../src/db/sqlite'
import { sharedPostgres } from '../helpers/postgres'
import { seedStructure, startServer, TEST_SECRET, type TestServer } from '../helpers/server'

const TABLES = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable))
const ITEMS = 5_500 // more than one batch of 5,000 rows
const BLOCKS = '<!-- wp:paragraph -->\n<p>Héllo &amp; “world” <strong>€</strong> 😀</p>\n<!-- /wp:paragraph -->'
const LOCKS = [STATE.lock, 'pull_lock:1']

/** Runs `bun src/index.ts db copy …` on a data dir; answers its exit code and output. */
async function dbCopy(dataDir: string, to: string) {
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dir, '../../src/index.ts'), 'db', 'copy', '--to', to, '--data-dir', dataDir],
    {
      env: { ...process.env, IGNY8_SECRET: TEST_SECRET, IGNY8_DATABASE_URL: '' },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, out, err }
}

/** Every row of a table, in a stable order, as the service layer reads it (flags as booleans on both engines). */
async function rowsOf(db: Db, t: SQLiteTable) {
  const rows = (await db.select().from(t).all()) as Record<string, unknown>[]
  return rows.map((r) => JSON.stringify(r)).sort()
}

let src: TestServer
let pgUrl: string
let copy: Awaited<ReturnType<typeof dbCopy>>
const fixture = {} as {
  owner: { email: string; password: string; refresh: string; token: string }
  key: string
  integrationId: number
  cookie: string
  maxSiteId: number
  maxIntegrationId: number
}

beforeAll(async () => {
  src = await startServer({ 'database-url': undefined, 'pull-allow-private': 'true' })
  const admin = await src.user({ admin: true })
  const owner = await src.user()
  const other = await src.site(admin.token, 'Admin blog')
  const site = await src.site(owner.token)
  const base = `/api/v1/integration/integrations/${site.integrationId}`
  const must = async (p: Promise<{ status: number; text: string }>, status = 200) => {
    const r = await p
    if (r.status !== status) throw new Error(`setup failed: ${r.status} ${r.text}`)
  }
  const structure = seedStructure()
  for (const type of ['post', 'page'] as const) structure.post_types[type].fetch_limit = ITEMS
  await must(src.call('POST', `${base}/update-structure/`, { token: site.key, body: structure }))
  await must(
    src.call('POST', `/api/v1/integration/integrations/${other.integrationId}/update-structure/`, {
      token: other.key,
      body: seedStructure(),
    }),
  )
  const terms = [
    { external_id: 12, taxonomy: 'category', name: 'News', slug: 'news', parent: 0 },
    { external_id: 13, taxonomy: 'category', name: 'Local', slug: 'local', parent: 12 },
    { external_id: 40, taxonomy: 'post_tag', name: 'a', slug: 'a', parent: 0 },
  ]
  await must(src.call('POST', `${base}/sync-terms/`, { token: site.key, body: { terms } }))
  for (let start = 1; start <= ITEMS; start += 1000) {
    const items = Array.from({ length: Math.min(1000, ITEMS - start + 1) }, (_, i) => {
      const id = start + i
      return {
        external_id: id,
        post_type: id % 10 === 0 ? 'page' : 'post',
        title: `Post ${id}`,
        slug: `post-${id}`,
        status: 'publish',
        url: `https://blog.example.com/post-${id}/`,
        // With an offset: modified_at_utc is computed from it on each engine.
        modified_at: `2025-11-22T${String(id % 24).padStart(2, '0')}:00:00+02:00`,
        terms: { category: [12, 13], post_tag: [40] },
        ...(id % 500 === 1 && {
          content: BLOCKS,
          excerpt: `Excerpt ${id}`,
          published_at: '2025-11-20T08:30:00Z',
          author: { id: 3, name: 'Ada' },
        }),
      }
    })
    await must(src.call('POST', `${base}/sync-content/`, { token: site.key, body: { items } }))
  }
  await must(src.call('PATCH', `${base}/content/2/`, { token: owner.token, body: { title: 'Edited in IGNY8' } }), 202)
  await must(src.call('PUT', `${base}/plugin-endpoint/`, { token: site.key, body: { url: 'http://127.0.0.1:9/wp-json/igny8/v1/nudge' } }))
  await must(
    src.call('PUT', `${base}/pull-credentials/`, {
      token: owner.token,
      body: { wp_url: 'http://127.0.0.1:9', username: 'wp', app_password: 'abcd efgh ijkl mnop qrst uvwx' },
    }),
  )
  fixture.cookie = (await createSession(src.db, admin.id)).cookie
  await writeState(src.db, STATE.installedAt, '2025-01-01T00:00:00.000Z')
  await writeState(src.db, STATE.lastRunAt, '2025-11-22T03:00:00.000Z')
  // Locks as a live server holds them: not copied.
  await writeState(src.db, STATE.lock, JSON.stringify({ owner: 'x', pid: process.pid, acquired_at: new Date().toISOString() }))
  await writeState(src.db, 'pull_lock:1', JSON.stringify({ owner: 'y', pid: process.pid, heartbeat: Date.now() }))
  // Nothing writes login_attempts through the API yet (the rate limiter moves there): one row as it will look.
  if ((await src.db.select().from(schema.loginAttempts).all()).length === 0)
    await src.db.insert(schema.loginAttempts).values({ key: 'ip:203.0.113.7', hitsJson: '[1764000000000]', lastAt: 1764000000000 }).run()

  Object.assign(fixture, {
    owner,
    key: site.key,
    integrationId: site.integrationId,
    maxSiteId: Math.max(site.siteId, other.siteId),
    maxIntegrationId: Math.max(site.integrationId, other.integrationId),
  })
  pgUrl = await (await sharedPostgres()).createDatabase()
  // The server stays up on the SQLite file: the copy reads it through its own connection.
  copy = await dbCopy(src.dir, pgUrl)
}, 180_000)
afterAll(() => src?.stop(), 30_000)

describe('igny8 db copy --to postgres://…', () => {
  it('fills every table of the schema in the source (so the copy below covers them all)', async () => {
    for (const t of TABLES) expect([getTableConfig(t).name, (await rowsOf(src.db, t)).length > 0]).toEqual([getTableConfig(t).name, true])
  })

  it('exits 0 with one line per table and "copied and verified"', () => {
    expect(copy.err).toBe('')
    expect(copy.code).toBe(0)
    expect(copy.out).toContain(`content: ${ITEMS.toLocaleString('en-US')} rows\n`)
    expect(copy.out).toContain('app_state: 2 rows (2 rows left out: locks of live processes)\n')
    for (const t of TABLES) expect(copy.out).toMatch(new RegExp(`^${getTableConfig(t).name}: [\\d,]+ rows?`, 'm'))
    expect(copy.out.trim().split('\n').at(-1)).toStartWith(`copied and verified: ${TABLES.length} tables`)
  })

  it('copies every row of every table as it was (ids kept), app_state without the locks', async () => {
    const pg = openDb(pgUrl)
    try {
      for (const t of TABLES) {
        let want = await rowsOf(src.db, t)
        if (t === schema.appState) want = want.filter((r) => !LOCKS.includes(JSON.parse(r).key))
        const have = await rowsOf(pg, t)
        expect([getTableConfig(t).name, have.length]).toEqual([getTableConfig(t).name, want.length])
        expect(have).toEqual(want)
      }
      // PostgreSQL computed modified_at_utc from the offset, as SQLite did.
      const [row] = await allRows<{ modified_at: string; modified_at_utc: string }>(
        pg,
        sql`select modified_at, modified_at_utc from content where integration_id = ${fixture.integrationId} and external_id = 5`,
      )
      expect(row).toEqual({ modified_at: '2025-11-22T05:00:00+02:00', modified_at_utc: '2025-11-22T03:00:00.000Z' })
    } finally {
      await closeDb(pg)
    }
  })

  it('serves the copy: the API key, the password, the refresh token and the admin session all work on PostgreSQL', async () => {
    const pg = await startServer({ 'database-url': pgUrl })
    try {
      const base = `/api/v1/integration/integrations/${fixture.integrationId}`
      const types = await pg.call('GET', `${base}/content-types/`, { token: fixture.key })
      expect(types.status).toBe(200)
      expect(types.body.data.post_types.post.synced_count + types.body.data.post_types.page.synced_count).toBe(ITEMS)
      const item = await pg.call('GET', `${base}/content/1/`, { token: fixture.key })
      expect(item.body.data).toMatchObject({ external_id: 1, content: BLOCKS, excerpt: 'Excerpt 1', author: { id: 3, name: 'Ada' } })
      const changes = await pg.call('GET', `${base}/changes/`, { token: fixture.owner.token })
      expect(changes.body.results).toEqual([expect.objectContaining({ external_id: 2, fields: { title: 'Edited in IGNY8' } })])

      const login = await pg.call('POST', '/api/v1/auth/login/', { body: { email: fixture.owner.email, password: fixture.owner.password } })
      expect(login.status).toBe(200)
      expect((await pg.call('POST', '/api/v1/auth/refresh/', { body: { refresh: fixture.owner.refresh } })).status).toBe(200)
      const admin = await fetch(pg.base + '/', { headers: { cookie: `igny8_session=${fixture.cookie}` }, redirect: 'manual' })
      expect(admin.headers.get('location')).toBe('/sites')

      // Identity continues after the copied ids.
      const created = await pg.call('POST', '/api/v1/system/sites/', {
        token: login.body.data.access,
        body: { name: 'New', url: 'https://new.example.com' },
      })
      expect(created.status).toBe(201)
      expect(created.body.data.id).toBeGreaterThan(fixture.maxSiteId)
      const integ = await pg.call('GET', `/api/v1/integration/integrations/?site=${created.body.data.id}`, {
        token: login.body.data.access,
      })
      expect(integ.body.results[0].id).toBeGreaterThan(fixture.maxIntegrationId)
    } finally {
      await pg.stop()
    }
  }, 60_000)

  it('refuses a database that already holds igny8 data, in one line, and changes nothing', async () => {
    const again = await dbCopy(src.dir, pgUrl)
    expect(again.code).toBe(2)
    expect(again.err).toMatch(/^igny8: the PostgreSQL database already holds igny8 data \(users, .*\); db copy only fills an empty one/)
    expect(again.err.trim().split('\n')).toHaveLength(1)
    const pg = openDb(pgUrl)
    try {
      expect(await allRows(pg, sql`select count(*)::int as n from content`)).toEqual([{ n: ITEMS }])
    } finally {
      await closeDb(pg)
    }
  }, 60_000)

  it('refuses a wrong password in one line, without echoing it', async () => {
    const wrong = pgUrl.replace(/:[^:@/]+@/, ':not-the-password-0451@')
    expect(wrong).not.toBe(pgUrl)
    const r = await dbCopy(src.dir, wrong)
    expect(r.code).toBe(2)
    expect(r.err).toBe('igny8: cannot use the PostgreSQL database at --to: the server refused the user name or password\n')
    expect(r.out + r.err).not.toContain('not-the-password-0451')
  }, 60_000)

  it('refuses a missing --to, or one that is not a postgres:// URL, in one line', async () => {
    const r = await dbCopy(src.dir, 'mysql://root:secret-pw@127.0.0.1/igny8')
    expect(r.code).toBe(2)
    expect(r.err).toBe('igny8: invalid --to: must be a postgres:// URL, e.g. postgres://igny8:password@127.0.0.1:5432/igny8\n')
    expect(r.err).not.toContain('secret-pw')
  })

  it('loses and doubles no row whatever the batch limits (rows per INSERT, characters per INSERT)', async () => {
    const url = await (await sharedPostgres()).createDatabase()
    const pg = openDb(url)
    const source = openDb(join(src.dir, 'igny8.db'))
    try {
      await migrateDb(pg)
      const sqlite = sqliteOf(source)
      // Bodies: each reaches the character cap alone; every other table: 7 rows per INSERT (5,500 is no multiple of 7).
      const limits = (name: string) => (name === 'content_bodies' ? { rows: BATCH_ROWS, chars: BLOCKS.length } : { rows: 7, chars: 1e9 })
      const tables = copyTables()
      const written = await withTx(pg, async (tx) => {
        const n: Record<string, number> = {}
        for (const t of tables) n[t.name] = await copyTable(sqlite, tx, t, limits(t.name))
        return n
      })
      expect(written.content).toBe(ITEMS)
      expect(written.content_bodies).toBe(Math.ceil(ITEMS / 500))
      for (const t of [schema.content, schema.contentBodies, schema.syncEvents])
        expect(await rowsOf(pg, t)).toEqual(await rowsOf(source, t))
    } finally {
      await closeDb(source)
      await closeDb(pg)
    }
  }, 60_000)

  it('leaves the target empty when a row cannot be written (one PostgreSQL transaction)', async () => {
    // A snapshot of the install with one title PostgreSQL's text cannot hold (a NUL character), in the last batch.
    const dir = mkdtempSync(join(tmpdir(), 'igny8-copy-'))
    try {
      sqliteOf(src.db).exec(`VACUUM INTO '${join(dir, 'igny8.db')}'`)
      const file = new Database(join(dir, 'igny8.db'))
      file.query('update content set title = ? where id = (select max(id) from content)').run('bad \u0000 title')
      file.close()
      const url = await (await sharedPostgres()).createDatabase()
      const r = await dbCopy(dir, url)
      expect(r.code).toBe(2)
      expect(r.err).toStartWith('igny8: the copy failed and was rolled back, the PostgreSQL database holds none of it: content:')
      expect(r.err.trim().split('\n')).toHaveLength(1)
      const pg = openDb(url)
      try {
        for (const t of TABLES) expect([getTableConfig(t).name, (await rowsOf(pg, t)).length]).toEqual([getTableConfig(t).name, 0])
      } finally {
        await closeDb(pg)
      }
      // An empty target again: the copy can simply be run once more (here it fails the same way, still in one line).
      expect((await dbCopy(dir, url)).err).not.toContain('already holds')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
