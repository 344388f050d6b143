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
    return { kind: 'user', user: (await s.db.select().from(users).where(eq(users.id, id)).get())! }
  }
  ;[owner, other, admin] = [await caller(), await caller(), await caller({ admin: true })]
  siteId = (await service.createSiteWithKey(s.db, owner, { name: 'Mine', url: 'https://mine.example.com' }, 'First key')).site.id
}, 30_000)
afterAll(() => s.stop(), 30_000)

const calls: [string, (c: UserCaller, id: number) => Promise<unknown>][] = [
  ['siteContext', async (c, id) => await siteContext(s.db, c, id)],
  ['activeApiKeys', async (c, id) => await service.activeApiKeys(s.db, c, id)],
  ['getVisibleSite', async (c, id) => await service.getVisibleSite(s.db, c, id)],
  ['createApiKey', async (c, id) => await service.createApiKey(s.db, c, id)],
  ['updateSite', async (c, id) => await service.updateSite(s.db, c, id, { name: 'Taken over' })],
  ['revokeApiKey', async (c, id) => await service.revokeApiKey(s.db, c, id, 1)],
  ['deleteSite', async (c, id) => await service.deleteSite(s.db, c, id)],
]

describe('the sites services', () => {
  it.each(calls)('%s answers NotFound for another tenant’s site, as for none at all', async (_name, call) => {
    await expect(call(other, siteId)).rejects.toThrow(NotFound)
    await expect(call(other, 999_999)).rejects.toThrow(NotFound)
    expect((await service.getVisibleSite(s.db, owner, siteId)).name).toBe('Mine')
  })

  it('let the owner and an administrator through', async () => {
    expect((await siteContext(s.db, owner, siteId)).site).toEqual({
      id: siteId,
      name: 'Mine',
      url: 'https://mine.example.com',
      isActive: true,
    })
    expect((await service.activeApiKeys(s.db, admin, siteId)).map((k) => k.name)).toEqual(['First key'])
  })

  it('list only the caller’s own sites', async () => {
    expect((await siteOverview(s.db, other)).counts.total).toBe(0)
    expect((await siteOverview(s.db, owner)).sites.map((x) => x.name)).toEqual(['Mine'])
  })

  it('never hand out a key hash', async () => {
    for (const key of await service.activeApiKeys(s.db, owner, siteId))
      expect(Object.keys(key).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix'])
  })
})
