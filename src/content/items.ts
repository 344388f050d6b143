// sync-content: upserts posts/pages/products keyed by (integration, external_id), deletes, keeps counters.
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { content, contentTermLinks } from '../db/schema'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'
import type { EventSource } from '../sync-log/service'
import { chunks, emptyResult, fingerprint, runBatch, type BatchResult } from './batch'
import { applyCounterChanges, readCounters, type Tx } from './counters'
import type { ItemInput, SyncContent } from './model'
import { CounterDelta, limitReason, typeRefusal } from './rules'

export function syncContent(
  db: Db,
  caller: Caller | null,
  integrationId: number,
  batch: SyncContent,
  source: EventSource = 'plugin',
): BatchResult {
  return runBatch(db, caller, integrationId, 'content', source, (tx, config) => applyContentBatch(tx, integrationId, config, batch))
}

function applyContentBatch(tx: Tx, integrationId: number, config: IntegrationConfig, batch: SyncContent): BatchResult {
  const result = emptyResult()
  const types = effectiveTypes(config, 'post_types')
  const counts = new CounterDelta(readCounters(tx, integrationId, 'post_type'))

  // Deletions first, so a batch that removes and adds items frees room under the limit.
  for (const ids of chunks(batch.deleted)) {
    const gone = tx
      .delete(content)
      .where(and(eq(content.integrationId, integrationId), inArray(content.externalId, ids)))
      .returning({ postType: content.postType })
      .all()
    for (const g of gone) counts.add(g.postType, -1)
    result.deleted += gone.length
  }

  const existing = new Map<number, { postType: string; fingerprint: string }>()
  for (const ids of chunks(batch.items.map((i) => i.external_id))) {
    const rows = tx
      .select({ externalId: content.externalId, postType: content.postType, fingerprint: content.fingerprint })
      .from(content)
      .where(and(eq(content.integrationId, integrationId), inArray(content.externalId, ids)))
      .all()
    for (const r of rows) existing.set(r.externalId, r)
  }

  const writes: { item: ItemInput; print: string }[] = []
  for (const item of batch.items) {
    const refusal = typeRefusal('Post type', item.post_type, types[item.post_type])
    if (refusal) {
      result.skipped.push({ external_id: item.external_id, reason: refusal })
      continue
    }
    const print = fingerprint(item)
    const before = existing.get(item.external_id)
    if (before && before.fingerprint === print) {
      result.unchanged++
      continue
    }
    // Updates never hit the limit, except an item moving into another (full) type.
    if (!before || before.postType !== item.post_type) {
      const limit = types[item.post_type]!.fetch_limit
      if (counts.count(item.post_type) >= limit) {
        result.skipped.push({ external_id: item.external_id, reason: limitReason('Post type', item.post_type, limit) })
        continue
      }
      counts.add(item.post_type, 1)
      if (before) counts.add(before.postType, -1)
    }
    if (before) result.updated++
    else result.created++
    writes.push({ item, print })
  }

  writeItems(tx, integrationId, writes)
  applyCounterChanges(tx, integrationId, 'post_type', counts.changes())
  return result
}

/** Upserts rows in multi-row statements and replaces their term links. */
function writeItems(tx: Tx, integrationId: number, writes: { item: ItemInput; print: string }[]): void {
  const now = new Date().toISOString()
  for (const part of chunks(writes)) {
    const ids = tx
      .insert(content)
      .values(
        part.map(({ item, print }) => ({
          integrationId,
          externalId: item.external_id,
          postType: item.post_type,
          title: item.title,
          slug: item.slug,
          status: item.status,
          url: item.url,
          modifiedAt: item.modified_at,
          seoTitle: item.seo?.title ?? null,
          seoDescription: item.seo?.description ?? null,
          fingerprint: print,
          updatedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [content.integrationId, content.externalId],
        set: {
          postType: sql`excluded.post_type`,
          title: sql`excluded.title`,
          slug: sql`excluded.slug`,
          status: sql`excluded.status`,
          url: sql`excluded.url`,
          modifiedAt: sql`excluded.modified_at`,
          seoTitle: sql`excluded.seo_title`,
          seoDescription: sql`excluded.seo_description`,
          fingerprint: sql`excluded.fingerprint`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .returning({ id: content.id, externalId: content.externalId })
      .all()
    const idOf = new Map(ids.map((r) => [r.externalId, r.id]))
    tx.delete(contentTermLinks)
      .where(
        inArray(
          contentTermLinks.contentId,
          ids.map((r) => r.id),
        ),
      )
      .run()
    const links = part.flatMap(({ item }) =>
      Object.entries(item.terms).flatMap(([taxonomy, termIds]) =>
        [...new Set(termIds)].map((termExternalId) => ({ contentId: idOf.get(item.external_id)!, taxonomy, termExternalId })),
      ),
    )
    for (const l of chunks(links, 3000)) tx.insert(contentTermLinks).values(l).run()
  }
}
