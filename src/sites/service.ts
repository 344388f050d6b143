// Sites the caller may see, their creation (with the WordPress integration) and their API keys.
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { requireUser } from '../auth/caller'
import { apiKeyDisplayPrefix, hashSecret, newApiKey } from '../auth/tokens'
import { changesOf, countRows, type Db } from '../db/client'
import { apiKeys, integrations, sites, type Site } from '../db/schema'
import { offsetOf, type Page } from '../http/envelope'
import { NotFound } from '../http/errors'
import type { CreateSite, UpdateSite } from './model'
import { serializeApiKey, serializeSite } from './serialize'

const nowIso = () => new Date().toISOString()

/** The SQL condition limiting sites to what the caller may see. */
export function visibleSites(caller: Caller): SQL | undefined {
  if (caller.kind === 'apiKey') return eq(sites.id, caller.siteId)
  return caller.user.isAdmin ? undefined : eq(sites.ownerId, caller.user.id)
}

/** The same rule in code, for rows already loaded. */
export function canSeeSite(caller: Caller, site: Site): boolean {
  if (caller.kind === 'apiKey') return site.id === caller.siteId
  return caller.user.isAdmin || site.ownerId === caller.user.id
}

/** One site the caller may see, else 404 (another tenant's site is indistinguishable from none). */
export function getVisibleSite(db: Db, caller: Caller, id: number): Site {
  const site = db
    .select()
    .from(sites)
    .where(and(eq(sites.id, id), visibleSites(caller)))
    .get()
  if (!site) throw new NotFound('Site')
  return site
}

export function listSites(db: Db, caller: Caller, page: Page) {
  const where = visibleSites(caller)
  const count = countRows(db, sites, where)
  const rows = db.select().from(sites).where(where).orderBy(sites.id).limit(page.page_size).offset(offsetOf(page)).all()
  return { count, results: rows.map(serializeSite) }
}

/** Creates a site owned by the calling user together with its WordPress integration, in one transaction. */
export function createSite(db: Db, caller: Caller, input: CreateSite) {
  const user = requireUser(caller)
  return db.transaction((tx) => {
    const site = tx.insert(sites).values({ ownerId: user.id, name: input.name, url: input.url }).returning().get()
    tx.insert(integrations).values({ siteId: site.id, platform: 'wordpress' }).run()
    return site
  })
}

export function updateSite(db: Db, caller: Caller, id: number, input: UpdateSite): Site {
  requireUser(caller)
  getVisibleSite(db, caller, id)
  return db
    .update(sites)
    .set({
      ...(input.name !== undefined && { name: input.name }),
      ...(input.url !== undefined && { url: input.url }),
      ...(input.is_active !== undefined && { isActive: input.is_active }),
      updatedAt: nowIso(),
    })
    .where(eq(sites.id, id))
    .returning()
    .get()
}

/** Deletes a site and, by cascade, its keys, integrations and synced content. */
export function deleteSite(db: Db, caller: Caller, id: number): void {
  requireUser(caller)
  getVisibleSite(db, caller, id)
  db.delete(sites).where(eq(sites.id, id)).run()
}

/** Creates an API key for a site; the plain key is returned only here. */
export function createApiKey(db: Db, caller: Caller, siteId: number, name = '') {
  requireUser(caller)
  getVisibleSite(db, caller, siteId)
  const key = newApiKey()
  const row = db
    .insert(apiKeys)
    .values({ siteId, name, prefix: apiKeyDisplayPrefix(key), keyHash: hashSecret(key) })
    .returning()
    .get()
  return { id: row.id, key, prefix: row.prefix, name: row.name, created_at: row.createdAt }
}

export function listApiKeys(db: Db, caller: Caller, siteId: number, page: Page) {
  requireUser(caller)
  getVisibleSite(db, caller, siteId)
  const where = and(eq(apiKeys.siteId, siteId), isNull(apiKeys.revokedAt))
  const count = countRows(db, apiKeys, where)
  const rows = db.select().from(apiKeys).where(where).orderBy(desc(apiKeys.id)).limit(page.page_size).offset(offsetOf(page)).all()
  return { count, results: rows.map(serializeApiKey) }
}

/** Revokes a key at once: the next request with it gets 401. */
export function revokeApiKey(db: Db, caller: Caller, siteId: number, keyId: number): void {
  requireUser(caller)
  getVisibleSite(db, caller, siteId)
  const res = db
    .update(apiKeys)
    .set({ revokedAt: nowIso() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.siteId, siteId), isNull(apiKeys.revokedAt)))
    .run()
  if (changesOf(res) === 0) throw new NotFound('API key')
}
