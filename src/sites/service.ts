// Sites the caller may see, their creation (with the WordPress integration) and their API keys.
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { requireUser } from '../auth/caller'
import { announceCredentialChange, credentialsChanged } from '../auth/credential-cache'
import { apiKeyDisplayPrefix, hashSecret, newApiKey } from '../auth/tokens'
import { type Db, changesOf, countRows, withTx } from '../db/client'
import { apiKeys, integrations, sites, type ApiKey, type Site } from '../db/schema'
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
export async function getVisibleSite(db: Db, caller: Caller, id: number): Promise<Site> {
  const site = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, id), visibleSites(caller)))
    .get()
  if (!site) throw new NotFound('Site')
  return site
}

export async function listSites(db: Db, caller: Caller, page: Page) {
  const where = visibleSites(caller)
  const count = await countRows(db, sites, where)
  const rows = await db.select().from(sites).where(where).orderBy(sites.id).limit(page.page_size).offset(offsetOf(page)).all()
  return { count, results: rows.map(serializeSite) }
}

type Tx = Db

async function insertSite(tx: Tx, ownerId: number, input: CreateSite): Promise<Site> {
  const site = await tx.insert(sites).values({ ownerId, name: input.name, url: input.url }).returning().get()
  await tx.insert(integrations).values({ siteId: site.id, platform: 'wordpress' }).run()
  return site
}

async function insertApiKey(tx: Tx | Db, siteId: number, name: string) {
  const key = newApiKey()
  const row = await tx
    .insert(apiKeys)
    .values({ siteId, name, prefix: apiKeyDisplayPrefix(key), keyHash: hashSecret(key) })
    .returning({ id: apiKeys.id, prefix: apiKeys.prefix, name: apiKeys.name, createdAt: apiKeys.createdAt })
    .get()
  return { id: row.id, key, prefix: row.prefix, name: row.name, created_at: row.createdAt }
}

/** Creates a site owned by the calling user together with its WordPress integration, in one transaction. */
export async function createSite(db: Db, caller: Caller, input: CreateSite): Promise<Site> {
  const user = requireUser(caller)
  return await withTx(db, async (tx) => await insertSite(tx, user.id, input))
}

/**
 * Creates a site, its WordPress integration and its first API key in one transaction: if the key cannot be
 * stored there is no site either (no half-made site without a key). The plain key is returned only here.
 */
export async function createSiteWithKey(db: Db, caller: Caller, input: CreateSite, keyName = '') {
  const user = requireUser(caller)
  return await withTx(db, async (tx) => {
    const site = await insertSite(tx, user.id, input)
    return { site, apiKey: await insertApiKey(tx, site.id, keyName) }
  })
}

export async function updateSite(db: Db, caller: Caller, id: number, input: UpdateSite): Promise<Site> {
  requireUser(caller)
  await getVisibleSite(db, caller, id)
  return await db
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
export async function deleteSite(db: Db, caller: Caller, id: number): Promise<void> {
  requireUser(caller)
  await getVisibleSite(db, caller, id)
  await withTx(db, async (tx) => {
    await announceCredentialChange(tx) // its keys go with it
    await tx.delete(sites).where(eq(sites.id, id)).run()
  })
  credentialsChanged(db)
}

/** Creates an API key for a site; the plain key is returned only here. */
export async function createApiKey(db: Db, caller: Caller, siteId: number, name = '') {
  requireUser(caller)
  await getVisibleSite(db, caller, siteId)
  return await insertApiKey(db, siteId, name)
}

// What is shown of a key: never its hash.
const keyColumns = {
  id: apiKeys.id,
  prefix: apiKeys.prefix,
  name: apiKeys.name,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
}
export type ApiKeyInfo = Pick<ApiKey, keyof typeof keyColumns>

export async function listApiKeys(db: Db, caller: Caller, siteId: number, page: Page) {
  requireUser(caller)
  await getVisibleSite(db, caller, siteId)
  const where = and(eq(apiKeys.siteId, siteId), isNull(apiKeys.revokedAt))
  const count = await countRows(db, apiKeys, where)
  const rows = await db
    .select(keyColumns)
    .from(apiKeys)
    .where(where)
    .orderBy(desc(apiKeys.id))
    .limit(page.page_size)
    .offset(offsetOf(page))
    .all()
  return { count, results: rows.map(serializeApiKey) }
}

/** All live keys of a site the user may see, newest first (a site has a handful); 404 for another tenant's site. */
export async function activeApiKeys(db: Db, caller: Caller, siteId: number): Promise<ApiKeyInfo[]> {
  requireUser(caller)
  await getVisibleSite(db, caller, siteId)
  return await db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.siteId, siteId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.id))
    .all()
}

/** Revokes a key at once: the next request with it gets 401. */
export async function revokeApiKey(db: Db, caller: Caller, siteId: number, keyId: number): Promise<void> {
  requireUser(caller)
  await getVisibleSite(db, caller, siteId)
  const changed = await withTx(db, async (tx) => {
    await announceCredentialChange(tx)
    const res = await tx
      .update(apiKeys)
      .set({ revokedAt: nowIso() })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.siteId, siteId), isNull(apiKeys.revokedAt)))
      .run()
    return changesOf(res)
  })
  credentialsChanged(db)
  if (changed === 0) throw new NotFound('API key')
}
