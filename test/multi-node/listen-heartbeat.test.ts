// A node's LISTEN connection cut without a word (no FIN, no RST: a NAT or firewall that forgot it) hears no more
// notifications while looking alive. The node's heartbeat, a notification it sends itself through its pool, finds
// out within HEARTBEAT_SECONDS + HEARTBEAT_TIMEOUT_SECONDS (src/db/postgres.ts), and the node then drops the
// credentials it kept: a user deactivated meanwhile is refused within seconds, not after the cache's backstop age.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { allRows, closeDb, openDb, type Db } from '../../src/db/client'
import { OPERATOR, setActive } from '../../src/users/service'
import { sharedPostgres } from '../helpers/postgres'
import { startServer, type TestServer } from '../helpers/server'
import { startSilentCutProxy, type SilentCutProxy } from '../helpers/tcp-proxy'

let proxy: SilentCutProxy
let s: TestServer
let direct: Db
beforeAll(async () => {
  const pg = await sharedPostgres()
  const url = await pg.createDatabase()
  proxy = await startSilentCutProxy(pg.port)
  s = await startServer({ 'database-url': url.replace(`:${pg.port}/`, `:${proxy.port}/`) })
  direct = openDb(url)
}, 30_000)
afterAll(async () => {
  await s.stop()
  await closeDb(direct)
  await proxy.stop()
}, 30_000)

const listening = async () =>
  (await allRows(direct, sql`select 1 from pg_stat_activity where datname = current_database() and query ilike 'listen%'`)).length === 1

describe('a LISTEN connection cut silently', () => {
  it('is noticed by the heartbeat, and what a node kept is dropped within seconds', async () => {
    const u = await s.user()
    const me = () => s.call('GET', '/api/v1/auth/me/', { token: u.token })
    expect((await me()).status).toBe(200) // the node starts listening on its first lookup
    for (let i = 0; i < 100 && !(await listening()); i++) await Bun.sleep(50)
    expect(await listening()).toBe(true)
    expect((await me()).status).toBe(200) // kept in memory now
    proxy.silenceListeners()
    await setActive(direct, OPERATOR, u.id, false) // its NOTIFY cannot reach the node any more
    const cut = Date.now()
    expect((await me()).status).toBe(200) // still the kept answer: the node heard nothing
    let refusedAfter = -1
    while (Date.now() - cut < 15_000) {
      if ((await me()).status === 401) {
        refusedAfter = Date.now() - cut
        break
      }
      await Bun.sleep(100)
    }
    expect(refusedAfter).toBeGreaterThanOrEqual(0)
    expect(refusedAfter).toBeLessThan(10_000) // 5 s between heartbeats + 3 s to arrive, and a margin
  }, 30_000)
})
