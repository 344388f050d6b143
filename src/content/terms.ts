// sync-terms: upserts terms keyed by (integration, taxonomy, external_id), deletes, keeps counters.
// Like items, rows travel as one JSON parameter (json_each on SQLite, json_to_recordset on PostgreSQL).
import { sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { allRows, runSql, type Db } from '../db/client'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'
import type { EventSource } from '../sync-log/service'
import { emptyResult, jsonFingerprints, runBatch, type BatchResult } from './batch'
import { pairList } from './json-params'
import { applyCounterChanges, readCounters, type Tx } from './counters'
import type { SyncTerms, TermInput } from './model'
import { classifyBatch, CounterDelta, type Stored } from './rules'
import { detachedChildren, refreshTreePaths } from './tree'

export async function syncTerms(
  db: Db,
  caller: Caller | null,
  integrationId: number,
  batch: SyncTerms,
  source: EventSource = 'plugin',
): Promise<BatchResult> {
  return await runBatch(
    db,
    caller,
    integrationId,
    'terms',
    source,
    async (tx, config) => await applyTermsBatch(tx, integrationId, config, batch),
  )
}

const keyOf = (taxonomy: string, externalId: number) => `${taxonomy}:${externalId}`

class ByTaxonomy extends Map<string, number[]> {
  add(taxonomy: string, id: number) {
    ;(super.get(taxonomy) ?? this.set(taxonomy, []).get(taxonomy)!).push(id)
  }
  override get(taxonomy: string): number[] {
    return super.get(taxonomy) ?? []
  }
}

async function applyTermsBatch(tx: Tx, integrationId: number, config: IntegrationConfig, batch: SyncTerms): Promise<BatchResult> {
  const result = emptyResult()
  const taxonomies = effectiveTypes(config, 'taxonomies')
  const counts = new CounterDelta(await readCounters(tx, integrationId, 'taxonomy'))
  // Per taxonomy: terms deleted and terms written, whose children may have to find their place again.
  const removed = new ByTaxonomy()
  const written = new ByTaxonomy()

  if (batch.deleted.length) {
    const gone = await allRows<{ taxonomy: string; external_id: number }>(
      tx,
      sql`
      delete from content_taxonomy where integration_id = ${integrationId}
        and (taxonomy, external_id) in ${pairList(tx.engine, batch.deleted)}
      returning taxonomy, external_id`,
    )
    for (const g of gone) {
      counts.add(g.taxonomy, -1)
      removed.add(g.taxonomy, g.external_id)
    }
    result.deleted = gone.length
  }

  const existing = new Map<string, Stored>()
  if (batch.terms.length) {
    const rows = await allRows<{ taxonomy: string; external_id: number; fingerprint: string }>(
      tx,
      sql`
      select taxonomy, external_id, fingerprint from content_taxonomy where integration_id = ${integrationId}
        and (taxonomy, external_id) in ${pairList(
          tx.engine,
          batch.terms.map((t) => ({ taxonomy: t.taxonomy, external_id: t.external_id })),
        )}`,
    )
    for (const r of rows) existing.set(keyOf(r.taxonomy, r.external_id), { type: r.taxonomy, fingerprint: r.fingerprint })
  }

  const prints = jsonFingerprints<TermInput>()
  const writes = classifyBatch(batch.terms, {
    noun: 'Taxonomy',
    typeOf: (term) => term.taxonomy,
    storedOf: (term) => existing.get(keyOf(term.taxonomy, term.external_id)),
    types: taxonomies,
    counts,
    result,
    fingerprint: prints.fingerprint,
  })

  if (writes.length) {
    await upsertTerms(tx, integrationId, prints.rows(writes))
    for (const { row } of writes) written.add(row.taxonomy, row.external_id)
  }
  for (const taxonomy of new Set([...removed.keys(), ...written.keys()])) {
    const children = await detachedChildren(tx, integrationId, taxonomy, [...removed.get(taxonomy), ...written.get(taxonomy)])
    await refreshTreePaths(tx, integrationId, taxonomy, [...written.get(taxonomy), ...children])
  }
  await applyCounterChanges(tx, integrationId, 'taxonomy', counts.changes())
  return result
}

/** `rows` is a JSON array of the terms as sent, each with its "fingerprint". */
async function upsertTerms(tx: Tx, integrationId: number, rows: string): Promise<void> {
  const now = new Date().toISOString()
  // As in upsertItems: `where true` keeps SQLite from reading ON CONFLICT as a join constraint.
  const source =
    tx.engine === 'postgres'
      ? sql`
      select ${integrationId}::bigint, j.taxonomy, j.external_id, j.name, j.slug, j.parent, j.description, j.fingerprint, ${now}
      from json_to_recordset(${rows}::json) as j(taxonomy text, external_id bigint, name text, slug text, parent bigint,
        description text, fingerprint text)`
      : sql`
      select ${integrationId}, j.value->>'taxonomy', j.value->>'external_id', j.value->>'name', j.value->>'slug',
             j.value->>'parent', j.value->>'description', j.value->>'fingerprint', ${now}
      from json_each(${rows}) j where true`
  await runSql(
    tx,
    sql`
      insert into content_taxonomy (integration_id, taxonomy, external_id, name, slug, parent_external_id, description, fingerprint, updated_at)
      ${source}
      on conflict (integration_id, taxonomy, external_id) do update set
        name = excluded.name, slug = excluded.slug, parent_external_id = excluded.parent_external_id,
        description = excluded.description, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
  )
}
