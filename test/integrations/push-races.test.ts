// On PostgreSQL a structure push stores its config without a transaction, only over the row version it read
// (src/integrations/push-unlocked.ts; pushes to different integrations together), while admin PATCHes read the row
// FOR UPDATE. These tests make them meet: a push that read the row before a PATCH committed must store over the
// PATCH, not under it; pushes and PATCHes from two nodes at once must lose nothing; and a PATCH of an integration the
// other node deletes meanwhile answers 404, not 500. A second handle on the same database stands for the other node.
// On SQLite one writer at a time excludes all this, and test/integrations/concurrency.test.ts runs its two processes
// on one file; two handles in one process would wait on each other synchronously there.
import { afterAll, beforeAll, describe, expect, it, setSystemTime } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import type { Caller } from '../../src/auth/caller'
import { dbTarget } from '../../src/config'
import { allRows, closeDb, openDb, withTx, type Db } from '../../src/db/client'
import { integrations, users } from '../../src/db/schema'
import { lockedIntegrationWithSite, updateIntegration } from '../../src/integrations/service'
import { updateStructureBody } from '../../src/integrations/model'
import { CONTENDED_MS, patchContentTypes, pushStructure } from '../../src/integrations/structure'
import { Forbidden, NotFound } from '../../src/http/errors'
import { statementsDuring, wrappingStatements } from '../helpers/pg-statements'
import { startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

const onPostgres = TEST_ENGINE === 'postgres'
let s: TestServer
let other: Db
let owner: Awaited<ReturnType<TestServer['user']>>
let site: Awaited<ReturnType<TestServer['site']>>
let asOwner: Caller
let asPlugin: Caller
let path: string

beforeAll(async () => {
  if (!onPostgres) return
  s = await startServer()
  other = openDb(dbTarget(s.ctx.config))
  owner = await s.user()
  site = await s.site(owner.token)
  path = `/api/v1/integration/integrations/${site.integrationId}`
  const user = (await other.select().from(users).where(eq(users.id, owner.id)).get())!
  asOwner = { kind: 'user', user }
  asPlugin = { kind: 'apiKey', keyId: site.keyId, siteId: site.siteId }
}, 30_000)
afterAll(async () => {
  if (!onPostgres) return
  await closeDb(other)
  await s.stop()
}, 30_000)

const structure = (marker: string) => ({
  post_types: { post: { label: `Posts ${marker}`, count: 5 }, [`only_${marker}`]: { count: 1 } },
  taxonomies: { category: { label: `Categories ${marker}`, count: 3 } },
})

/** Until a session of the database waits for a lock (at most 2 s); then how many do. */
async function untilSessionsWaitForLock(db: Db): Promise<number> {
  const waiting = async () =>
    (
      await allRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      )
    )[0]!.n
  for (let i = 0; i < 200 && (await waiting()) === 0; i++) await Bun.sleep(10)
  return waiting()
}

const storedConfig = async () => (await s.call('GET', `${path}/`, { token: owner.token })).body.data.config_json as Record<string, any>

describe.skipIf(!onPostgres)('PostgreSQL: structure pushes stored over the row version they read', () => {
  it('stores a push that read the row before an admin PATCH committed over that PATCH, losing neither', async () => {
    let answered: Promise<{ status: number; body: any }> | undefined
    await withTx(other, async (tx) => {
      // The other node's PATCH, as updateIntegration does it: the row read FOR UPDATE, then rewritten.
      const locked = (await lockedIntegrationWithSite(tx, site.integrationId))!
      answered = s.call('POST', `${path}/update-structure/`, { token: site.key, body: structure('raced') })
      // The push has read the old row and now waits on the row lock for its conditional write.
      expect(await untilSessionsWaitForLock(other)).toBe(1)
      const config = { ...JSON.parse(locked.integration.configJson), admin_note: 'kept' }
      await tx
        .update(integrations)
        .set({ configJson: JSON.stringify(config) })
        .where(eq(integrations.id, site.integrationId))
        .run()
    })
    const push = await answered!
    expect(push.status).toBe(200)
    const config = await storedConfig()
    expect(config.admin_note).toBe('kept')
    expect(config.content_types.post_types.post.label).toBe('Posts raced')
    expect(Object.keys(config.content_types.post_types).sort()).toEqual(['only_raced', 'post'])
  }, 30_000)

  it('loses no push and no PATCH when both nodes push and PATCH one integration at once', async () => {
    const ROUNDS = 40
    const work: Promise<unknown>[] = []
    const failures: string[] = []
    const pushed: string[] = []
    for (let i = 0; i < ROUNDS; i++) {
      // Node A over HTTP, node B through the services on its own connection pool.
      work.push(
        s.call('POST', `${path}/update-structure/`, { token: site.key, body: structure(`a${i}`) }).then((r) => {
          if (r.status === 200) pushed.push(`a${i}`)
          else failures.push(`push a${i}: ${r.status} ${r.text}`)
        }),
        pushStructure(other, asPlugin, site.integrationId, updateStructureBody.parse(structure(`b${i}`))).then(
          () => void pushed.push(`b${i}`),
          (e) => void failures.push(`push b${i}: ${e}`),
        ),
        s.call('PATCH', `${path}/`, { token: owner.token, body: { config_json: { [`admin_a${i}`]: i } } }).then((r) => {
          if (r.status !== 200) failures.push(`patch a${i}: ${r.status} ${r.text}`)
        }),
        updateIntegration(other, asOwner, site.integrationId, { config_json: { [`admin_b${i}`]: i } }).catch(
          (e) => void failures.push(`patch b${i}: ${e}`),
        ),
        patchContentTypes(other, asOwner, site.integrationId, { post_types: { post: { fetch_limit: 100 + i } } }).catch(
          (e) => void failures.push(`override b${i}: ${e}`),
        ),
      )
    }
    await Promise.all(work)
    expect(failures).toEqual([])
    expect(pushed).toHaveLength(2 * ROUNDS)

    const config = await storedConfig()
    for (let i = 0; i < ROUNDS; i++) {
      expect(config[`admin_a${i}`]).toBe(i)
      expect(config[`admin_b${i}`]).toBe(i)
    }
    // One push whole: its own slug beside post, its labels.
    const only = Object.keys(config.content_types.post_types).filter((slug) => slug.startsWith('only_'))
    expect(only).toHaveLength(1)
    const marker = only[0]!.slice('only_'.length)
    expect(config.content_types.post_types.post.label).toBe(`Posts ${marker}`)
    expect(config.content_types.taxonomies.category.label).toBe(`Categories ${marker}`)
    expect(config.content_type_overrides.post_types.post.fetch_limit).toBeWithin(100, 100 + ROUNDS)

    // An event for every push, this round's and the first test's.
    const events = await s.call('GET', `${path}/sync-events/?page_size=200`, { token: owner.token })
    const structureEvents = (events.body.results as { kind: string }[]).filter((e) => e.kind === 'structure')
    expect(structureEvents).toHaveLength(2 * ROUNDS + 1)
  }, 60_000)

  it('stores pushes to many integrations together, and loses none when the other node pushes and PATCHes them', async () => {
    const SITES = 24
    const fleet = await Promise.all(Array.from({ length: SITES }, () => s.site(owner.token)))
    const pluginOf = (f: (typeof fleet)[number]): Caller => ({ kind: 'apiKey', keyId: f.keyId, siteId: f.siteId })

    // Started in one tick on one node: the first store runs alone, and the 23 that queued meanwhile go together in one
    // statement, so the 24 rows carry the versions (xmin: the writing transaction) of two.
    await Promise.all(
      fleet.map((f) => pushStructure(other, pluginOf(f), f.integrationId, updateStructureBody.parse(structure('together')))),
    )
    const ids = JSON.stringify(fleet.map((f) => f.integrationId))
    const [versions] = await allRows<{ n: number }>(
      other,
      sql`select count(distinct xmin::text)::int as n from ${integrations} where id in (select jsonb_array_elements_text(${ids}::jsonb)::bigint)`,
    )
    expect(versions!.n).toBeLessThanOrEqual(2)

    const ROUNDS = 3
    const failures: string[] = []
    const work: Promise<unknown>[] = []
    for (let i = 0; i < ROUNDS; i++)
      for (const [k, f] of fleet.entries()) {
        const at = `/api/v1/integration/integrations/${f.integrationId}`
        work.push(
          s.call('POST', `${at}/update-structure/`, { token: f.key, body: structure(`a${i}`) }).then((r) => {
            if (r.status !== 200) failures.push(`push a${i} ${k}: ${r.status} ${r.text}`)
          }),
          pushStructure(other, pluginOf(f), f.integrationId, updateStructureBody.parse(structure(`b${i}`))).catch(
            (e) => void failures.push(`push b${i} ${k}: ${e}`),
          ),
          updateIntegration(other, asOwner, f.integrationId, { config_json: { [`admin_${i}`]: k } }).catch(
            (e) => void failures.push(`patch ${i} ${k}: ${e}`),
          ),
        )
      }
    await Promise.all(work)
    expect(failures).toEqual([])
    for (const [k, f] of fleet.entries()) {
      const at = `/api/v1/integration/integrations/${f.integrationId}`
      const config = (await s.call('GET', `${at}/`, { token: owner.token })).body.data.config_json as Record<string, any>
      for (let i = 0; i < ROUNDS; i++) expect(config[`admin_${i}`]).toBe(k)
      const only = Object.keys(config.content_types.post_types).filter((slug) => slug.startsWith('only_'))
      expect(only).toHaveLength(1)
      expect(config.content_types.post_types.post.label).toBe(`Posts ${only[0]!.slice('only_'.length)}`)
      const events = await s.call('GET', `${at}/sync-events/?page_size=200`, { token: owner.token })
      const pushes = (events.body.results as { kind: string }[]).filter((e) => e.kind === 'structure')
      expect(pushes).toHaveLength(1 + 2 * ROUNDS) // the first, together, and both nodes' rounds
    }
  }, 60_000)
})

// The PATCHes check that the integration is visible, then read it FOR UPDATE in their transaction: a delete committed
// in between (held uncommitted by the other node until the PATCH waits on the row) leaves that read empty.
describe.skipIf(!onPostgres)('PostgreSQL: a PATCH of an integration deleted meanwhile', () => {
  for (const [route, body] of [
    ['/', { config_json: { note: 'late' } }],
    ['/content-types/', { post_types: { post: { enabled: false } } }],
  ] as const) {
    it(`answers 404 to PATCH …/{id}${route}, and nothing is written`, async () => {
      const owner = await s.user()
      const site = await s.site(owner.token)
      const path = `/api/v1/integration/integrations/${site.integrationId}`
      const pushed = await s.call('POST', `${path}/update-structure/`, {
        token: site.key,
        body: { post_types: { post: { label: 'Posts', count: 1 } }, taxonomies: {} },
      })
      expect(pushed.status).toBe(200)
      let answered: Promise<{ status: number; body: any }> | undefined
      await withTx(other, async (tx) => {
        await tx.delete(integrations).where(eq(integrations.id, site.integrationId)).run()
        // The PATCH saw the row (the delete is not committed) and now waits on its lock.
        answered = s.call('PATCH', `${path}${route}`, { token: owner.token, body })
        expect(await untilSessionsWaitForLock(other)).toBe(1)
      })
      const patch = await answered!
      expect(patch.status).toBe(404)
      expect(patch.body).toMatchObject({ success: false, code: 'not_found' })
      expect(await other.select().from(integrations).where(eq(integrations.id, site.integrationId)).all()).toEqual([])
    }, 30_000)
  }
})

// The node remembers each integration's row (with its and its site's versions) as it last read or wrote it, and plans
// the next push from that in one statement, which writes only over those versions and reads what it did not store.
describe.skipIf(!onPostgres)('PostgreSQL: pushes planned from the row the node remembers', () => {
  const fresh = async () => {
    const f = await s.site(owner.token)
    return {
      ...f,
      plugin: { kind: 'apiKey', keyId: f.keyId, siteId: f.siteId } as Caller,
      at: `/api/v1/integration/integrations/${f.integrationId}`,
    }
  }
  const push = (f: Awaited<ReturnType<typeof fresh>>, marker: string) =>
    pushStructure(other, f.plugin, f.integrationId, updateStructureBody.parse(structure(marker)))
  const configOf = async (f: { at: string }) => (await s.call('GET', `${f.at}/`, { token: owner.token })).body.data.config_json
  /** What the push was refused with, or 'stored'. */
  const refusalOf = (pushed: Promise<unknown>) =>
    pushed.then(
      () => 'stored',
      (e: unknown) => e,
    )
  const structureEvents = async (at: string) =>
    ((await s.call('GET', `${at}/sync-events/?page_size=200`, { token: owner.token })).body.results as { kind: string }[]).filter(
      (e) => e.kind === 'structure',
    ).length

  it('stores a push in one statement once the node has read the row, two for the first', async () => {
    const f = await fresh()
    expect(await statementsDuring(other, () => push(f, 'first'))).toBe(2)
    for (let i = 0; i < 5; i++) expect(await statementsDuring(other, () => push(f, `next${i}`))).toBe(1)
    const config = await configOf(f)
    expect(Object.keys(config.content_types.post_types).sort()).toEqual(['only_next4', 'post'])
    expect(await structureEvents(f.at)).toBe(6)
  }, 30_000)

  it('stores the pushes to one integration asked for in one turn in one statement', async () => {
    const f = await fresh()
    await push(f, 'first')
    const pushes = () => Promise.all(Array.from({ length: 8 }, (_, i) => push(f, `turn${i}`)))
    expect(await statementsDuring(other, pushes)).toBe(1)
    expect(await structureEvents(f.at)).toBe(9)
    const config = await configOf(f)
    expect(Object.keys(config.content_types.post_types).sort()).toEqual(['only_turn7', 'post'])
  }, 30_000)

  it('refuses a push once the other node deactivated the site, though this node remembers it active', async () => {
    const f = await fresh()
    await push(f, 'before')
    expect((await s.call('PATCH', `/api/v1/system/sites/${f.siteId}/`, { token: owner.token, body: { is_active: false } })).status).toBe(
      200,
    )
    const refused = await refusalOf(push(f, 'after'))
    expect(refused).toBeInstanceOf(Forbidden)
    const config = await configOf(f)
    expect(config.content_types.post_types.post.label).toBe('Posts before')
    expect(await structureEvents(f.at)).toBe(1)
  }, 30_000)

  it('stores over a change the other node made to the row this node remembers, losing neither', async () => {
    const f = await fresh()
    await push(f, 'before')
    const patched = await s.call('PATCH', `${f.at}/`, { token: owner.token, body: { config_json: { admin_note: 'kept' } } })
    expect(patched.status).toBe(200)
    expect(await statementsDuring(other, () => push(f, 'after'))).toBe(2) // the attempt over the old versions, then over the new
    const config = await configOf(f)
    expect(config.admin_note).toBe('kept')
    expect(config.content_types.post_types.post.label).toBe('Posts after')
    expect(await structureEvents(f.at)).toBe(2)
  }, 30_000)

  it('answers 404 once the other node deleted the integration', async () => {
    const f = await fresh()
    await push(f, 'before')
    await s.ctx.db.delete(integrations).where(eq(integrations.id, f.integrationId)).run()
    const refused = await refusalOf(push(f, 'after'))
    expect(refused).toBeInstanceOf(NotFound)
  }, 30_000)

  it('goes straight to the lock for a while once other writers kept changing the row under every try', async () => {
    const f = await fresh()
    await push(f, 'first')
    // Before each of this node's unlocked stores, the other node writes the row: every try meets a changed version.
    let interfering = true
    let unlockedStores = 0
    const interfere = (unsafe: (...args: unknown[]) => unknown, args: unknown[]) => {
      if (!String(args[0]).includes('"stored".version')) return unsafe(...args)
      unlockedStores++
      return {
        values: async () => {
          if (interfering) {
            const at = new Date().toISOString()
            await s.ctx.db.update(integrations).set({ updatedAt: at }).where(eq(integrations.id, f.integrationId)).run()
          }
          return (unsafe(...args) as { values(): Promise<unknown> }).values()
        },
      }
    }
    const pushCounting = async (marker: string) => {
      unlockedStores = 0
      await wrappingStatements(other, interfere, () => push(f, marker))
      return unlockedStores
    }
    expect(await pushCounting('contended')).toBe(4) // four conflicts, then stored under the lock
    expect((await configOf(f)).content_types.post_types.post.label).toBe('Posts contended')
    interfering = false
    expect(await pushCounting('next')).toBe(0) // straight to the lock
    expect((await configOf(f)).content_types.post_types.post.label).toBe('Posts next')
    setSystemTime(new Date(Date.now() + CONTENDED_MS + 1))
    try {
      // Unlocked again: the row remembered is the one before the locked stores, so one try over it, one over the read.
      expect(await pushCounting('later')).toBe(2)
    } finally {
      setSystemTime()
    }
    expect((await configOf(f)).content_types.post_types.post.label).toBe('Posts later')
    expect(await structureEvents(f.at)).toBe(4)
  }, 30_000)
})
