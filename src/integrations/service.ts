// Integrations the caller may see, and their CRUD.
import { and, count as sqlCount, eq, sql, type SQL } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import { lockingRows, type Db, withTx } from '../db/client'
import { prepared } from '../db/prepared'
import { integrations, sites, type Integration, type Site } from '../db/schema'
import { offsetOf, type Page } from '../http/envelope'
import { Conflict, NotFound } from '../http/errors'
import { canSeeSite, getVisibleSite, visibleSites } from '../sites/service'
import { parseConfig } from './config'

export const serializeIntegration = (i: Integration) => ({
  id: i.id,
  site: i.siteId,
  platform: i.platform,
  is_active: i.isActive,
  config_json: parseConfig(i.configJson),
  created_at: i.createdAt,
  updated_at: i.updatedAt,
})

const integrationWithSite = (db: Db) =>
  prepared(db, 'integrations.withSite', (d) =>
    d
      .select({ integration: integrations, site: sites })
      .from(integrations)
      .innerJoin(sites, eq(sites.id, integrations.siteId))
      .where(eq(integrations.id, sql.placeholder('id')))
      .prepare(),
  )

/**
 * The same read in a transaction that rewrites the integration's config: on PostgreSQL it locks the integration's
 * row until the transaction ends, because a structure push stores over the row version it read without taking the
 * integration's lock (see storePushes).
 */
const integrationWithSiteLocked = (db: Db) =>
  prepared(db, 'integrations.withSiteLocked', (d) =>
    lockingRows(
      d,
      d
        .select({ integration: integrations, site: sites })
        .from(integrations)
        .innerJoin(sites, eq(sites.id, integrations.siteId))
        .where(eq(integrations.id, sql.placeholder('id'))),
      integrations,
    ).prepare(),
  )

/** An integration with its site, read to be rewritten in the transaction `tx` (see integrationWithSiteLocked). */
export async function lockedIntegrationWithSite(tx: Db, id: number): Promise<{ integration: Integration; site: Site } | undefined> {
  const [row] = await integrationWithSiteLocked(tx).execute({ id })
  return row
}

/** An integration with its site, whoever asks; undefined when there is none. */
async function integrationWithSiteRow(db: Db, id: number): Promise<{ integration: Integration; site: Site } | undefined> {
  const [row] = await integrationWithSite(db).execute({ id })
  return row
}

/** One integration whose site the caller may see, with that site; else 404. */
export async function getVisibleIntegration(db: Db, caller: Caller, id: number): Promise<{ integration: Integration; site: Site }> {
  const row = await integrationWithSiteRow(db, id)
  if (!row || !canSeeSite(caller, row.site)) throw new NotFound('Integration')
  return row
}

/** The same without a caller: for the server's own work (pulls, the daily job). */
export async function getIntegrationWithSite(db: Db, id: number): Promise<{ integration: Integration; site: Site }> {
  const row = await integrationWithSiteRow(db, id)
  if (!row) throw new NotFound('Integration')
  return row
}

export async function listIntegrations(db: Db, caller: Caller, q: Page & { site?: number; platform?: string }) {
  const conditions: (SQL | undefined)[] = [visibleSites(caller)]
  if (q.site !== undefined) conditions.push(eq(integrations.siteId, q.site))
  if (q.platform !== undefined) conditions.push(eq(integrations.platform, q.platform))
  const where = and(...conditions)
  const count = (await db
    .select({ n: sqlCount() })
    .from(integrations)
    .innerJoin(sites, eq(sites.id, integrations.siteId))
    .where(where)
    .get())!.n
  const rows = await db
    .select({ integration: integrations })
    .from(integrations)
    .innerJoin(sites, eq(sites.id, integrations.siteId))
    .where(where)
    .orderBy(integrations.id)
    .limit(q.page_size)
    .offset(offsetOf(q))
    .all()
  return { count, results: rows.map((r) => serializeIntegration(r.integration)) }
}

export async function createIntegration(
  db: Db,
  caller: Caller,
  input: { site: number; platform: string; is_active: boolean; config_json: Record<string, unknown> },
) {
  requireUser(caller)
  await getVisibleSite(db, caller, input.site)
  return await withTx(
    db,
    async (tx) => {
      const existing = await tx
        .select({ id: integrations.id })
        .from(integrations)
        .where(and(eq(integrations.siteId, input.site), eq(integrations.platform, input.platform)))
        .get()
      if (existing) throw new Conflict(`This site already has a ${input.platform} integration (id ${existing.id}).`, 'integration_exists')
      return await tx
        .insert(integrations)
        .values({
          siteId: input.site,
          platform: input.platform,
          isActive: input.is_active,
          configJson: JSON.stringify(mergeConfig({}, input.config_json)),
        })
        .returning()
        .get()
    },
    { lock: `site:${input.site}` },
  )
}

/** Top-level keys of `patch` over `config`; a null value removes that key. */
function mergeConfig(config: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = v
  }
  return out
}

/** Updates is_active and/or merges config_json's top-level keys (a null value removes that key). */
export async function updateIntegration(
  db: Db,
  caller: Caller,
  id: number,
  input: { is_active?: boolean; config_json?: Record<string, unknown> },
) {
  requireUser(caller)
  await getVisibleIntegration(db, caller, id)
  return await withTx(
    db,
    async (tx) => {
      const locked = await lockedIntegrationWithSite(tx, id)
      if (!locked) throw new NotFound('Integration') // deleted since the check above
      const current = locked.integration
      // Only a PATCH that sends config_json rewrites it; is_active alone leaves the stored text as it is.
      const configJson = input.config_json
        ? JSON.stringify(mergeConfig(parseConfig(current.configJson), input.config_json))
        : current.configJson
      return await tx
        .update(integrations)
        .set({ isActive: input.is_active ?? current.isActive, configJson, updatedAt: new Date().toISOString() })
        .where(eq(integrations.id, id))
        .returning()
        .get()
    },
    { lock: `integration:${id}` },
  )
}

export async function deleteIntegration(db: Db, caller: Caller, id: number): Promise<void> {
  requireUser(caller)
  await getVisibleIntegration(db, caller, id)
  await db.delete(integrations).where(eq(integrations.id, id)).run()
}
