// What the admin's push-back pages read beyond the API's services: one post's change history, how many changes sit in
// each state, the titles of the posts changes name, and the terms an edit form may offer for a post type.
// Every function checks the caller may see the integration (another tenant's is a 404).
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { allRows, type Db } from '../db/client'
import { CHANGE_STATES, content, contentChanges, contentTaxonomy, type ChangeState } from '../db/schema'
import { effectiveTypes } from '../integrations/config'
import { getVisibleIntegration } from '../integrations/service'
import { parseConfig } from '../integrations/config'
import { deliveryPath } from './delivery-path'
import { expireLeases } from './lease'
import { serializeChange } from './serialize'
import { itemsByTaxonomy } from './validate'

/** A post's changes, newest first (at most `limit`). */
export async function changesOfItem(db: Db, caller: Caller, integrationId: number, externalId: number, limit = 50) {
  await getVisibleIntegration(db, caller, integrationId)
  await expireLeases(db, integrationId)
  return (
    await db
      .select()
      .from(contentChanges)
      .where(and(eq(contentChanges.integrationId, integrationId), eq(contentChanges.externalId, externalId)))
      .orderBy(desc(contentChanges.id))
      .limit(limit)
      .all()
  ).map(serializeChange)
}

/** How many changes the integration has in each state (every state present, 0 when none). */
export async function changeCounts(db: Db, caller: Caller, integrationId: number): Promise<Record<ChangeState, number>> {
  await getVisibleIntegration(db, caller, integrationId)
  await expireLeases(db, integrationId)
  const rows = await db
    .select({ state: contentChanges.state, n: count() })
    .from(contentChanges)
    .where(eq(contentChanges.integrationId, integrationId))
    .groupBy(contentChanges.state)
    .all()
  const out = Object.fromEntries(CHANGE_STATES.map((s) => [s, 0])) as Record<ChangeState, number>
  for (const r of rows) out[r.state] = r.n
  return out
}

/** Stored titles of the given posts, by WordPress id (a post not stored is absent). */
export async function titlesOf(db: Db, caller: Caller, integrationId: number, externalIds: number[]): Promise<Map<number, string>> {
  await getVisibleIntegration(db, caller, integrationId)
  if (!externalIds.length) return new Map()
  const rows = await db
    .select({ id: content.externalId, title: content.title })
    .from(content)
    .where(and(eq(content.integrationId, integrationId), inArray(content.externalId, externalIds)))
    .all()
  return new Map(rows.map((r) => [r.id, r.title]))
}

export type TaxonomyChoices = { taxonomy: string; label: string; terms: { id: number; name: string }[]; truncated: boolean }

/**
 * The taxonomies an edit of `postType` may set, with their stored terms (up to `perTaxonomy` each, in tree order). The
 * same rule as the edit's own check (src/changes/validate.ts): the taxonomies some stored item of the type carries, or
 * every taxonomy of the structure when none carries any.
 */
export async function taxonomyChoices(
  db: Db,
  caller: Caller,
  integrationId: number,
  postType: string,
  perTaxonomy = 500,
): Promise<TaxonomyChoices[]> {
  const { integration } = await getVisibleIntegration(db, caller, integrationId)
  const known = effectiveTypes(parseConfig(integration.configJson), 'taxonomies')
  const carried = (
    await allRows<{ taxonomy: string }>(
      db,
      sql`select distinct j.key as taxonomy from ${itemsByTaxonomy(db.engine)}
          where c.integration_id = ${integrationId} and c.post_type = ${postType}`,
    )
  )
    .map((r) => r.taxonomy)
    .sort() // here, not in SQL: PostgreSQL would order the keys by the database's collation
  const names = carried.length ? carried : Object.keys(known).sort()
  return Promise.all(
    names.map(async (taxonomy) => {
      const rows = await db
        .select({ id: contentTaxonomy.externalId, name: contentTaxonomy.name })
        .from(contentTaxonomy)
        .where(and(eq(contentTaxonomy.integrationId, integrationId), eq(contentTaxonomy.taxonomy, taxonomy)))
        .orderBy(asc(contentTaxonomy.treePath))
        .limit(perTaxonomy + 1)
        .all()
      const label = Object.hasOwn(known, taxonomy) ? known[taxonomy]!.label : taxonomy
      return { taxonomy, label, terms: rows.slice(0, perTaxonomy), truncated: rows.length > perTaxonomy }
    }),
  )
}

/** The header's push-back facts: the delivery path (or why changes wait) and how many changes are still open. */
export async function pushInfo(db: Db, caller: Caller, integrationId: number) {
  const counts = await changeCounts(db, caller, integrationId)
  return { delivery: await deliveryPath(db, integrationId), open: counts.pending + counts.delivering + counts.conflict, counts }
}
