import { afterAll, beforeAll, describe, expect, it, setSystemTime } from 'bun:test'
import { eq } from 'drizzle-orm'
import { dbTarget } from '../../src/config'
import { closeDb, openDb, withTx, type Db } from '../../src/db/client'
import { integrations, sites } from '../../src/db/schema'
import type { Caller } from '../../src/auth/caller'
import { NotFound } from '../../src/http/errors'
import { STALE_AFTER_MS } from '../../src/integrations/config'
import { getContentTypes } from '../../src/integrations/content-types'
import { post } from '../content/helpers'
import { statementsDuring, wrappingStatements } from '../helpers/pg-statements'
import { seedStructure, startServer, TEST_ENGINE, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer()
}, 30_000)
afterAll(() => s.stop(), 30_000)

const path = (id: number) => `/api/v1/integration/integrations/${id}/content-types/`
const push = (id: number, token: string, body: unknown) =>
  s.call('POST', `/api/v1/integration/integrations/${id}/update-structure/`, { token, body })

/** Another connection's write: the integration's stored post type relabelled. */
async function relabelPosts(other: Db, id: number, label: string) {
  const [stored] = await other.select().from(integrations).where(eq(integrations.id, id)).all()
  const config = JSON.parse(stored!.configJson)
  config.content_types.post_types.post.label = label
  await other
    .update(integrations)
    .set({ configJson: JSON.stringify(config) })
    .where(eq(integrations.id, id))
    .run()
}

describe('GET /integration/integrations/{id}/content-types/', () => {
  it('answers empty objects and a null last_structure_fetch before any push', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    const res = await s.call('GET', path(site.integrationId), { token: site.key })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      post_types: {},
      taxonomies: {},
      last_structure_fetch: null,
      plugin_connection_enabled: true,
      two_way_sync_enabled: true,
    })
  })

  it('answers the pushed structure with synced_count 0, not stale just after it was received', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    const res = await s.call('GET', path(site.integrationId), { token: site.key })
    expect(res.body.data.post_types.post).toEqual({
      label: 'Posts',
      count: 123,
      synced_count: 0,
      enabled: true,
      fetch_limit: 100,
      overridden: false,
    })
    expect(res.body.data.taxonomies.product_cat).toMatchObject({
      label: 'Product Categories',
      count: 15,
      synced_count: 0,
      enabled: false,
      fetch_limit: 50,
    })
    expect(res.body.data.last_structure_fetch).toBe('2025-11-22T10:00:00Z')
    // The plugin's timestamp is years old, but staleness follows the server's receive time (test/content/time.test.ts).
    expect(res.body.data.stale).toBe(false)
  })

  it('answers its kept text with the headers of every JSON answer, each request its own id', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    const [a, b] = [
      await s.call('GET', path(site.integrationId), { token: site.key }),
      await s.call('GET', path(site.integrationId), { token: site.key }),
    ]
    for (const res of [a, b]) {
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8')
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'))
    expect(b.text).toBe(a.text)
    expect(a.body).toMatchObject({ success: true, data: { post_types: { post: { label: 'Posts' } } } })
  })

  it('answers what changed since the last read, and goes stale by the clock with nothing changed', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    const read = async () => (await s.call('GET', path(site.integrationId), { token: site.key })).body.data
    expect((await read()).post_types.post.synced_count).toBe(0)
    const items = [1, 2, 3].map((n) => post(n))
    const synced = await s.call('POST', `/api/v1/integration/integrations/${site.integrationId}/sync-content/`, {
      token: site.key,
      body: { items },
    })
    expect(synced.status).toBe(200)
    expect((await read()).post_types.post.synced_count).toBe(3)
    await push(site.integrationId, site.key, { ...seedStructure(), post_types: { post: { label: 'Articles', count: 9 } } })
    expect((await read()).post_types.post).toMatchObject({ label: 'Articles', count: 9, synced_count: 3 })
    expect((await read()).stale).toBe(false)
    try {
      setSystemTime(new Date(Date.now() + STALE_AFTER_MS + 60_000))
      expect((await read()).stale).toBe(true)
    } finally {
      setSystemTime()
    }
    expect((await read()).stale).toBe(false)
  })
})

// Between writes a read may be answered from what the last read found (on SQLite, see getContentTypes): every write
// must be seen by the next read, this process's and another connection's (a command beside the server, another node).
describe('GET …/content-types/ after writes elsewhere', () => {
  it('sees at once what another connection wrote, moved or deleted, and what this one rolled back', async () => {
    const owner = await s.user()
    const site = await s.site(owner.token)
    const stranger = await s.user()
    await push(site.integrationId, site.key, seedStructure())
    const read = (token = site.key) => s.call('GET', path(site.integrationId), { token })
    expect((await read()).body.data.post_types.post.label).toBe('Posts')
    expect((await read()).body.data.post_types.post.label).toBe('Posts') // answered again, unchanged

    const other = openDb(dbTarget(s.ctx.config))
    try {
      await relabelPosts(other, site.integrationId, 'Written elsewhere')
      expect((await read()).body.data.post_types.post.label).toBe('Written elsewhere')

      // This server's own transaction that wrote and rolled back: the next read answers what is stored.
      await withTx(s.ctx.db, async (tx) => {
        await tx.update(integrations).set({ configJson: '{}' }).where(eq(integrations.id, site.integrationId)).run()
        throw new Error('rolled back')
      }).catch(() => undefined)
      expect((await read()).body.data.post_types.post.label).toBe('Written elsewhere')

      // The tenant check follows the site: given to another user elsewhere, its owner gets 404, the new one 200.
      expect((await read(owner.token)).status).toBe(200)
      await other.update(sites).set({ ownerId: stranger.id }).where(eq(sites.id, site.siteId)).run()
      expect((await read(owner.token)).status).toBe(404)
      expect((await read(stranger.token)).status).toBe(200)

      await other.delete(integrations).where(eq(integrations.id, site.integrationId)).run()
      expect((await read(stranger.token)).status).toBe(404)
    } finally {
      await closeDb(other)
    }
  })
})

describe('PATCH /integration/integrations/{id}/content-types/', () => {
  it('overrides enabled and fetch_limit, and the overrides survive later pushes', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    const res = await s.call('PATCH', path(site.integrationId), {
      token: u.token,
      body: { post_types: { post: { enabled: false, fetch_limit: 25 } }, taxonomies: { post_tag: { enabled: false } } },
    })
    expect(res.status).toBe(200)
    expect(res.body.data.post_types.post).toMatchObject({ enabled: false, fetch_limit: 25, overridden: true })
    expect(res.body.data.taxonomies.post_tag).toMatchObject({ enabled: false, fetch_limit: 100 })
    const next = seedStructure()
    next.post_types.post = { label: 'Articles', count: 130, enabled: true, fetch_limit: 100 }
    await push(site.integrationId, site.key, next)
    const after = (await s.call('GET', path(site.integrationId), { token: site.key })).body.data
    expect(after.post_types.post).toMatchObject({ label: 'Articles', count: 130, enabled: false, fetch_limit: 25 })
  })

  it('drops an override with null so the plugin value applies again', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    await s.call('PATCH', path(site.integrationId), { token: u.token, body: { post_types: { page: { enabled: false, fetch_limit: 5 } } } })
    const res = await s.call('PATCH', path(site.integrationId), { token: u.token, body: { post_types: { page: { enabled: null } } } })
    expect(res.body.data.post_types.page).toMatchObject({ enabled: true, fetch_limit: 5, overridden: true })
    const res2 = await s.call('PATCH', path(site.integrationId), { token: u.token, body: { post_types: { page: { fetch_limit: null } } } })
    expect(res2.body.data.post_types.page).toMatchObject({ enabled: true, fetch_limit: 100, overridden: false })
  })

  it('answers 400 naming a slug the last structure lacks, and changes nothing', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    const res = await s.call('PATCH', path(site.integrationId), {
      token: u.token,
      body: { post_types: { post: { enabled: false }, nope: { enabled: false } } },
    })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['post_types.nope'])
    const after = (await s.call('GET', path(site.integrationId), { token: site.key })).body.data
    expect(after.post_types.post.enabled).toBe(true)
  })

  it('answers 400 for slugs that are Object.prototype members, not a bogus override', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    const res = await s.call('PATCH', path(site.integrationId), {
      token: u.token,
      body: { post_types: { constructor: { enabled: false } } },
    })
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.errors)).toEqual(['post_types.constructor'])
  })

  it('answers 403 to an API key', async () => {
    const u = await s.user()
    const site = await s.site(u.token)
    await push(site.integrationId, site.key, seedStructure())
    expect(
      (await s.call('PATCH', path(site.integrationId), { token: site.key, body: { post_types: { post: { enabled: false } } } })).status,
    ).toBe(403)
  })
})

// On PostgreSQL the reads asked for while one is in flight are read together in one statement.
describe.skipIf(TEST_ENGINE !== 'postgres')('content-types read together on PostgreSQL', () => {
  const fresh = async (label = 'Posts') => {
    const owner = await s.user()
    const site = await s.site(owner.token)
    const structure = seedStructure()
    structure.post_types.post.label = label
    await push(site.integrationId, site.key, structure)
    const plugin: Caller = { kind: 'apiKey', keyId: site.keyId, siteId: site.siteId }
    return { site, plugin }
  }
  const isContentTypesRead = (args: unknown[]) => String(args[0]).includes('json_agg')
  const label = (view: unknown) => (view as { post_types: { post: { label: string } } }).post_types.post.label
  const settled = (answer: PromiseSettledResult<unknown>) => (answer.status === 'fulfilled' ? answer.value : answer.reason)

  it('answers the reads asked for while one is in flight with one statement, each its own integration and caller', async () => {
    const a = await fresh('Posts of A')
    const b = await fresh('Posts of B')
    const read = (caller: Caller, id: number) => getContentTypes(s.ctx.db, caller, id)
    let answers: unknown[] = []
    const statements = await statementsDuring(s.ctx.db, async () => {
      const asked = [
        read(a.plugin, a.site.integrationId), // alone: nothing is in flight yet
        ...Array.from({ length: 3 }, () => read(a.plugin, a.site.integrationId)),
        ...Array.from({ length: 3 }, () => read(b.plugin, b.site.integrationId)),
        read(b.plugin, a.site.integrationId), // another site's key: as if A did not exist
        read(a.plugin, 999_999_999), // no such integration
      ]
      answers = (await Promise.allSettled(asked)).map(settled)
    })
    expect(statements).toBe(2)
    expect(new Set(answers.slice(0, 4)).size).toBe(1)
    expect(new Set(answers.slice(4, 7)).size).toBe(1)
    expect(label(answers[0])).toBe('Posts of A')
    expect(label(answers[4])).toBe('Posts of B')
    expect(answers[7]).toBeInstanceOf(NotFound)
    expect(answers[8]).toBeInstanceOf(NotFound)
  })

  it('answers a read asked for after a write committed with what was written, though a read from before is in flight', async () => {
    const { site, plugin } = await fresh()
    const other = openDb(dbTarget(s.ctx.config))
    let arrived!: () => void
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let held = false
    // The first read's rows are kept back once they arrived: its statement ran before the write below.
    const holdFirst = (unsafe: (...args: unknown[]) => unknown, args: unknown[]) => {
      const query = unsafe(...args) as { values(): Promise<unknown> }
      if (held || !isContentTypesRead(args)) return query
      held = true
      return { values: () => query.values().then(async (rows) => (arrived(), await gate, rows)) }
    }
    try {
      await wrappingStatements(s.ctx.db, holdFirst, async () => {
        const before = getContentTypes(s.ctx.db, plugin, site.integrationId)
        await firstArrived
        await relabelPosts(other, site.integrationId, 'Written meanwhile')
        const after = getContentTypes(s.ctx.db, plugin, site.integrationId)
        release()
        expect(label(await before)).toBe('Posts')
        expect(label(await after)).toBe('Written meanwhile')
      })
    } finally {
      await closeDb(other)
    }
  })
})
