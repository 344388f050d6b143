// The tenancy rule lives in the sites services, not only in handlers: every function that takes a caller
// and a site id answers 404 (NotFound) for another tenant's site, exactly as for a site that does not exist.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import type { UserCaller } from '../../src/auth/caller'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema'
import { NotFound } from '../../src/http/errors'
import { siteContext, siteOverview } from '../../src/sites/overview'
import * as service from '../../src/sites/service'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
let owner: UserCaller
let other: UserCaller
let admin: UserCaller
let siteId = 0
beforeAll(async () => {
  s = await startServer()
  const caller = async (o: { admin?: boolean } = {}): Promise<UserCaller> => {
    const { id } = await s.user(o)
    return { kind: 'user', user: s.db.select().from(users).where(eq(users.id, id)).get()! }
  }
  ;[owner, other, admin] = [await caller(), await caller(), await caller({ admin: true })]
  siteId = service.createSiteWithKey(s.db, owner, { name: 'Mine', url: 'https://mine.example.com' }, 'First key').site.id
}, 30_000)
afterAll(() => s.stop(), 30_000)

const calls: [string, (c: UserCaller, id: number) => unknown][] = [
  ['siteContext', (c, id) => siteContext(s.db, c, id)],
  ['activeApiKeys', (c, id) => service.activeApiKeys(s.db, c, id)],
  ['getVisibleSite', (c, id) => service.getVisibleSite(s.db, c, id)],
  ['createApiKey', (c, id) => service.createApiKey(s.db, c, id)],
  ['updateSite', (c, id) => service.updateSite(s.db, c, id, { name: 'Taken over' })],
  ['revokeApiKey', (c, id) => service.revokeApiKey(s.db, c, id, 1)],
  ['deleteSite', (c, id) => service.deleteSite(s.db, c, id)],
]

describe('the sites services', () => {
  it.each(calls)('%s answers NotFound for another tenant’s site, as for none at all', (_name, call) => {
    expect(() => call(other, siteId)).toThrow(NotFound)
    expect(() => call(other, 999_999)).toThrow(NotFound)
    expect(service.getVisibleSite(s.db, owner, siteId).name).toBe('Mine')
  })

  it('let the owner and an administrator through', () => {
    expect(siteContext(s.db, owner, siteId).site).toEqual({ id: siteId, name: 'Mine', url: 'https://mine.example.com', isActive: true })
    expect(service.activeApiKeys(s.db, admin, siteId).map((k) => k.name)).toEqual(['First key'])
  })

  it('list only the caller’s own sites', () => {
    expect(siteOverview(s.db, other).counts.total).toBe(0)
    expect(siteOverview(s.db, owner).sites.map((x) => x.name)).toEqual(['Mine'])
  })

  it('never hand out a key hash', () => {
    for (const key of service.activeApiKeys(s.db, owner, siteId))
      expect(Object.keys(key).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix'])
  })
})
