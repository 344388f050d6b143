// sync-terms: upserts terms keyed by (integration, taxonomy, external_id), deletes, keeps counters.
import { and, eq, inArray, or, sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { contentTaxonomy } from '../db/schema'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'
import type { EventSource } from '../sync-log/service'
import { chunks, emptyResult, fingerprint, runBatch, type BatchResult } from './batch'
import { applyCounterChanges, readCounters, type Tx } from './counters'
import type { SyncTerms, TermInput } from './model'
import { CounterDelta, limitReason, typeRefusal } from './rules'

export function syncTerms(
  db: Db,
  caller: Caller | null,
  integrationId: number,
  batch: SyncTerms,
  source: EventSource = 'plugin',
): BatchResult {
  return runBatch(db, caller, integrationId, 'terms', source, (tx, config) => applyTermsBatch(tx, integrationId, config, batch))
}

const keyOf = (taxonomy: string, externalId: number) => `${taxonomy}:${externalId}`

/** Rows matching any (taxonomy, external_id) pair, as one OR of pairs per chunk. */
const pairCondition = (integrationId: number, pairs: { taxonomy: string; external_id: number }[]) =>
  and(
    eq(contentTaxonomy.integrationId, integrationId),
    or(...pairs.map((p) => and(eq(contentTaxonomy.taxonomy, p.taxonomy), eq(contentTaxonomy.externalId, p.external_id)))),
  )

function applyTermsBatch(tx: Tx, integrationId: number, config: IntegrationConfig, batch: SyncTerms): BatchResult {
  const result = emptyResult()
  const taxonomies = effectiveTypes(config, 'taxonomies')
  const counts = new CounterDelta(readCounters(tx, integrationId, 'taxonomy'))

  for (const pairs of chunks(batch.deleted, 200)) {
    const gone = tx
      .delete(contentTaxonomy)
      .where(pairCondition(integrationId, pairs))
      .returning({ taxonomy: contentTaxonomy.taxonomy })
      .all()
    for (const g of gone) counts.add(g.taxonomy, -1)
    result.deleted += gone.length
  }

  const existing = new Map<string, string>()
  const byTaxonomy = Map.groupBy(batch.terms, (t) => t.taxonomy)
  for (const [taxonomy, terms] of byTaxonomy) {
    for (const part of chunks(terms.map((t) => t.external_id))) {
      const rows = tx
        .select({ externalId: contentTaxonomy.externalId, fingerprint: contentTaxonomy.fingerprint })
        .from(contentTaxonomy)
        .where(
          and(
            eq(contentTaxonomy.integrationId, integrationId),
            eq(contentTaxonomy.taxonomy, taxonomy),
            inArray(contentTaxonomy.externalId, part),
          ),
        )
        .all()
      for (const r of rows) existing.set(keyOf(taxonomy, r.externalId), r.fingerprint)
    }
  }

  const writes: { term: TermInput; print: string }[] = []
  for (const term of batch.terms) {
    const refusal = typeRefusal('Taxonomy', term.taxonomy, taxonomies[term.taxonomy])
    if (refusal) {
      result.skipped.push({ external_id: term.external_id, reason: refusal })
      continue
    }
    const print = fingerprint(term)
    const before = existing.get(keyOf(term.taxonomy, term.external_id))
    if (before === print) {
      result.unchanged++
      continue
    }
    if (before === undefined) {
      const limit = taxonomies[term.taxonomy]!.fetch_limit
      if (counts.count(term.taxonomy) >= limit) {
        result.skipped.push({ external_id: term.external_id, reason: limitReason('Taxonomy', term.taxonomy, limit) })
        continue
      }
      counts.add(term.taxonomy, 1)
      result.created++
    } else result.updated++
    writes.push({ term, print })
  }

  const now = new Date().toISOString()
  for (const part of chunks(writes)) {
    tx.insert(contentTaxonomy)
      .values(
        part.map(({ term, print }) => ({
          integrationId,
          taxonomy: term.taxonomy,
          externalId: term.external_id,
          name: term.name,
          slug: term.slug,
          parentExternalId: term.parent,
          description: term.description,
          fingerprint: print,
          updatedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [contentTaxonomy.integrationId, contentTaxonomy.taxonomy, contentTaxonomy.externalId],
        set: {
          name: sql`excluded.name`,
          slug: sql`excluded.slug`,
          parentExternalId: sql`excluded.parent_external_id`,
          description: sql`excluded.description`,
          fingerprint: sql`excluded.fingerprint`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .run()
  }
  applyCounterChanges(tx, integrationId, 'taxonomy', counts.changes())
  return result
}
