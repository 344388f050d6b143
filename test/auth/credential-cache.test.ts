// Credentials are kept in memory once resolved (src/auth/credential-cache.ts), yet a revoked key, a deleted site's
// key, a deactivated user or a demoted admin is refused at once: by this process's own writes, by another
// connection's (SQLite: another process on the file; PostgreSQL: another node), and on PostgreSQL also across a
// lost LISTEN connection. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { cachedCredential, credentialsChanged, credentialsKept } from '../../src/auth/credential-cache'
import { allRows, closeDb, openDb, runSql, type Db } from '../../src/db/client'
import { dbTarget } from '../../src/config'
import { OPERATOR, setActive, setAdmin } from '../../src/users/service'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

let s: TestServer
let other: Db // a second connection to the same database: another process on SQLite, another node on PostgreSQL
beforeAll(async () => {
  s = await startServer()
  other = openDb(dbTarget(s.ctx.config))
}, 30_000)
afterAll(async () => {
  await closeDb(other)
  await s.stop()
}, 30_000)

const contentTypes = (key: string, integrationId: number) =>
  s.call('GET', `/api/v1/integration/integrations/${integrationId}/content-types/`, { token: key })

/**
 * How long until `request` is refused (401), polling; Infinity if not within `withinMs`. Another process on SQLite is
 * seen on the very next request (data_version, read synchronously), so there the first answer must already be 401;
 * another PostgreSQL node's revocation arrives as a NOTIFY, which takes a moment to be delivered (~1 ms here, more
 * on a loaded machine), so there a second is allowed: far below the heartbeat's 8 s and the cache's 60 s backstop.
 */
async function refusedAfter(request: () => Promise<{ status: number }>, withinMs = TEST_ENGINE === 'sqlite' ? 0 : 1000) {
  const started = performance.now()
  for (;;) {
    if ((await request()).status === 401) return performance.now() - started
    if (performance.now() - started >= withinMs) return Infinity
    await Bun.sleep(2)
  }
}

/**
 * A user with a site and key, both used twice so that the server holds them in memory: once it keeps credentials at
 * all (on PostgreSQL its LISTEN may still be connecting, and what was looked up before is dropped when it is).
 */
async function cachedOwner(admin = false) {
  const u = await s.user({ admin })
  const site = await s.site(u.token)
  for (let waited = 0; !credentialsKept(s.db); waited += 10) {
    if (waited > 10_000) throw new Error('the server does not keep credentials: not listening after 10 s')
    await Bun.sleep(10)
  }
  for (let i = 0; i < 2; i++) {
    expect((await contentTypes(site.key, site.integrationId)).status).toBe(200)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: u.token })).status).toBe(200)
  }
  return { ...u, ...site }
}

describe('credentials kept in memory', () => {
  it('are really kept: a row changed behind every revoking path is not looked up again', async () => {
    // Only what goes through the revoking paths (or another connection) drops an entry; this raw write does neither,
    // so the key still answering shows the answer came from memory. (No code path writes revoked_at like this.)
    const o = await cachedOwner()
    await runSql(s.db, sql`update api_keys set revoked_at = '2026-01-01T00:00:00Z' where id = ${o.keyId}`)
    expect((await contentTypes(o.key, o.integrationId)).status).toBe(200)
    credentialsChanged(s.db)
    expect((await contentTypes(o.key, o.integrationId)).status).toBe(401)
  })

  it('refuse a key revoked through the API at once', async () => {
    const o = await cachedOwner()
    expect((await s.call('DELETE', `/api/v1/system/sites/${o.siteId}/api-keys/${o.keyId}/`, { token: o.token })).status).toBe(200)
    const answer = await contentTypes(o.key, o.integrationId)
    expect(answer.status).toBe(401)
    expect(answer.body).toMatchObject({ success: false, code: 'invalid_api_key' })
  })

  it("refuse a deleted site's key at once", async () => {
    const o = await cachedOwner()
    expect((await s.call('DELETE', `/api/v1/system/sites/${o.siteId}/`, { token: o.token })).status).toBe(200)
    expect((await contentTypes(o.key, o.integrationId)).status).toBe(401)
  })

  it('refuse a deactivated user, and the keys of their sites, at once', async () => {
    const o = await cachedOwner()
    await setActive(s.db, OPERATOR, o.id, false)
    expect((await s.call('GET', '/api/v1/auth/me/', { token: o.token })).status).toBe(401)
    expect((await contentTypes(o.key, o.integrationId)).status).toBe(401)
  })

  it('see a demoted administrator as no longer one at once', async () => {
    const o = await cachedOwner(true)
    const me = async () => (await s.call('GET', '/api/v1/auth/me/', { token: o.token })).body.data.user.is_admin
    expect(await me()).toBe(true)
    await setAdmin(s.db, OPERATOR, o.id, false)
    expect(await me()).toBe(false)
  })

  it('refuse what another connection deactivated: at once from another process on SQLite, on NOTIFY from another PostgreSQL node', async () => {
    const o = await cachedOwner()
    await setActive(other, OPERATOR, o.id, false)
    expect(await refusedAfter(() => s.call('GET', '/api/v1/auth/me/', { token: o.token }))).toBeLessThan(1000)
    expect(await refusedAfter(() => contentTypes(o.key, o.integrationId))).toBeLessThan(1000)
  })

  it.skipIf(TEST_ENGINE !== 'sqlite')(
    'refuse at once a key another connection revoked by a plain write (SQLite: data_version)',
    async () => {
      const o = await cachedOwner()
      await runSql(other, sql`update api_keys set revoked_at = '2026-01-01T00:00:00Z' where id = ${o.keyId}`)
      expect((await contentTypes(o.key, o.integrationId)).status).toBe(401)
    },
  )

  it.skipIf(TEST_ENGINE !== 'postgres')(
    'keep nothing while the LISTEN connection is gone, and drop what they held when it is back',
    async () => {
      const o = await cachedOwner()
      const listener = async () =>
        await allRows<{ pid: number }>(
          other,
          sql`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`,
        )
      expect(await listener()).toHaveLength(1)
      await allRows(
        other,
        sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'`,
      )
      await Bun.sleep(100) // the server sees its connection close (it listens again ~0.5 s later)
      // Looked up while not listening: not kept, for nothing would tell the server of a revocation now.
      expect((await contentTypes(o.key, o.integrationId)).status).toBe(200)
      // A write that tells nobody, as a notification lost with the connection would: it must be seen all the same.
      await runSql(other, sql`update api_keys set revoked_at = '2026-01-01T00:00:00Z' where id = ${o.keyId}`)
      expect((await contentTypes(o.key, o.integrationId)).status).toBe(401)
      // The server listens again on its own.
      const deadline = Date.now() + 10_000
      while ((await listener()).length === 0 && Date.now() < deadline) await Bun.sleep(100)
      expect(await listener()).toHaveLength(1)
      const next = await cachedOwner()
      await setActive(other, OPERATOR, next.id, false)
      expect(await refusedAfter(() => contentTypes(next.key, next.integrationId))).toBeLessThan(1000)
    },
    30_000,
  )

  it('never store what a lookup read while a revocation committed', async () => {
    let loads = 0
    const load = async () => {
      loads++
      credentialsChanged(s.db) // a revocation commits while this lookup is under way
      return { loads }
    }
    expect(await cachedCredential(s.db, 'test:race', load)).toEqual({ loads: 1 })
    expect(await cachedCredential(s.db, 'test:race', load)).toEqual({ loads: 2 })
    const steady = async () => ({ loads: ++loads })
    expect(await cachedCredential(s.db, 'test:steady', steady)).toEqual({ loads: 3 })
    expect(await cachedCredential(s.db, 'test:steady', steady)).toEqual({ loads: 3 })
  })
})
