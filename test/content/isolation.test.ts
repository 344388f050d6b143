// Tenant isolation on the content-sync and sync-log routes: another tenant's integration is a 404, bad credentials 401.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import type { Caller } from '../../src/auth/caller'
import { users } from '../../src/db/schema'
import { statusCounts, syncedItems, syncedTerms } from '../../src/content/browse'
import { listContent, listTerms } from '../../src/content/listing'
import { NotFound } from '../../src/http/errors'
import { listIntegrationEvents } from '../../src/sync-log/service'
import { startServer, type TestServer } from '../helpers/server'
import { connectedSite, post } from './helpers'
import { allRows } from '../../src/db/client'

let s: TestServer
let victim: Awaited<ReturnType<typeof connectedSite>>
let attacker: Awaited<ReturnType<typeof connectedSite>>
beforeAll(async () => {
  s = await startServer()
  victim = await connectedSite(s)
  attacker = await connectedSite(s)
  await victim.content({ items: [post(1)] })
  await victim.terms({ terms: [{ external_id: 1, taxonomy: 'category', name: 'Secret' }] })
}, 30_000)
afterAll(() => s.stop(), 30_000)

const routes = (base: string) =>
  [
    ['POST', `${base}/sync-content/`, { items: [post(2)], deleted: [1] }],
    ['POST', `${base}/sync-terms/`, { terms: [], deleted: [{ taxonomy: 'category', external_id: 1 }] }],
    ['GET', `${base}/content/`],
    ['GET', `${base}/terms/`],
    ['GET', `${base}/sync-events/`],
  ] as [string, string, unknown?][]

describe('content routes across tenants', () => {
  it('answer 404 to another site key and another user, and change nothing', async () => {
    const stored = () => allRows(s.db, sql`select integration_id, external_id, title, fingerprint from content order by id`)
    const before = await stored()
    expect(before).toHaveLength(1)
    for (const [method, path, body] of routes(victim.base)) {
      for (const token of [attacker.key, attacker.user.token]) {
        const res = await s.call(method, path, { token, body })
        expect(res.status).toBe(404)
        expect(res.text).not.toContain('Secret')
      }
    }
    expect(await stored()).toEqual(before)
    expect(await victim.synced('post_types', 'post')).toBe(1)
    expect(await victim.synced('taxonomies', 'category')).toBe(1)
  })

  it('answer 401 with no token, a bad token or a revoked key', async () => {
    await s.call('DELETE', `/api/v1/system/sites/${attacker.siteId}/api-keys/${attacker.keyId}/`, { token: attacker.user.token })
    for (const [method, path, body] of routes(victim.base)) {
      for (const token of [undefined, 'garbage', attacker.key]) {
        expect((await s.call(method, path, { token, body })).status).toBe(401)
      }
    }
  })
})

describe('the content services across tenants (the check lives in the service, not only the route)', () => {
  it('throw NotFound for another tenant, with a user caller and with an API key caller', async () => {
    const user = (await s.db.select().from(users).where(eq(users.id, attacker.user.id)).get())!
    const callers: Caller[] = [
      { kind: 'user', user },
      { kind: 'apiKey', keyId: attacker.keyId, siteId: attacker.siteId },
    ]
    const page = { page: 1, page_size: 50 }
    for (const caller of callers) {
      const calls: [string, () => Promise<unknown>][] = [
        ['listContent', async () => await listContent(s.db, caller, victim.integrationId, {}, page)],
        ['listTerms', async () => await listTerms(s.db, caller, victim.integrationId, undefined, page)],
        ['syncedItems', async () => await syncedItems(s.db, caller, victim.integrationId, 'post', { page: 1 })],
        ['statusCounts', async () => await statusCounts(s.db, caller, victim.integrationId, 'post')],
        ['syncedTerms', async () => await syncedTerms(s.db, caller, victim.integrationId, 'category', 1)],
        ['listIntegrationEvents', async () => await listIntegrationEvents(s.db, caller, victim.integrationId, page)],
      ]
      for (const [name, call] of calls)
        expect([
          caller.kind,
          name,
          await call().then(
            () => 'answered',
            (e) => (e instanceof NotFound ? 'not found' : String(e)),
          ),
        ]).toEqual([caller.kind, name, 'not found'])
    }
  })
})
