// Checks an edit against what the site has: the post type, its taxonomies and the stored term ids.
import { and, eq, sql } from 'drizzle-orm'
import { idList } from '../content/json-params'
import { firstRow, type Db, type Engine } from '../db/client'
import { content, contentTaxonomy } from '../db/schema'
import { Invalid } from '../http/errors'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'

/**
 * `content c` with one row `j` per taxonomy its terms_json names (`j.key`): json_each on SQLite, json_object_keys on
 * PostgreSQL (terms_json is always an object: the content writers store nothing else).
 */
export const itemsByTaxonomy = (engine: Engine) =>
  engine === 'postgres' ? sql`${content} c, json_object_keys(c.terms_json::json) as j(key)` : sql`${content} c, json_each(c.terms_json) j`

/** 400 naming `post_type` when the last structure has no such post type. */
export function checkPostType(config: IntegrationConfig, postType: string): void {
  if (!Object.hasOwn(effectiveTypes(config, 'post_types'), postType))
    throw Invalid.field('post_type', `This site has no post type "${postType}" in its last structure.`)
}

/**
 * 400 naming `terms.<taxonomy>` for a taxonomy the post type does not have, and `terms.<taxonomy>.<i>` for an id that
 * is no stored term of it. The structure does not say which taxonomies a post type has, so the stored items do: a
 * taxonomy is the type's when some stored item of the type carries it; a type none of whose items carry any taxonomy
 * yet (a first post) may use every taxonomy of the structure.
 */
export async function checkTerms(
  db: Db,
  integrationId: number,
  config: IntegrationConfig,
  postType: string,
  terms: Record<string, number[]>,
) {
  const errors: Record<string, string[]> = {}
  const known = effectiveTypes(config, 'taxonomies')
  const carried = async (taxonomy?: string) =>
    !!(await firstRow<{ x: number }>(
      db,
      sql`
      select 1 as x from ${itemsByTaxonomy(db.engine)}
      where c.integration_id = ${integrationId} and c.post_type = ${postType}
        ${taxonomy === undefined ? sql`` : sql`and j.key = ${taxonomy}`} limit 1`,
    ))
  const typeCarriesAny = Object.keys(terms).length > 0 && (await carried())
  for (const [taxonomy, ids] of Object.entries(terms)) {
    const has = typeCarriesAny ? await carried(taxonomy) : Object.hasOwn(known, taxonomy)
    if (!has) {
      errors[`terms.${taxonomy}`] = [`Post type "${postType}" has no taxonomy "${taxonomy}".`]
      continue
    }
    if (!ids.length) continue
    const stored = new Set(
      (
        await db
          .select({ id: contentTaxonomy.externalId })
          .from(contentTaxonomy)
          .where(
            and(
              eq(contentTaxonomy.integrationId, integrationId),
              eq(contentTaxonomy.taxonomy, taxonomy),
              sql`${contentTaxonomy.externalId} in ${idList(db.engine, ids)}`,
            ),
          )
          .all()
      ).map((r) => r.id),
    )
    ids.forEach((id, i) => {
      if (!stored.has(id)) errors[`terms.${taxonomy}.${i}`] = [`No stored ${taxonomy} term has id ${id}.`]
    })
  }
  const first = Object.entries(errors)[0]
  if (first) throw new Invalid(`Invalid field ${first[0]}: ${first[1][0]}`, errors)
}
