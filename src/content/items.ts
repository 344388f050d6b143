// sync-content: upserts posts/pages/products keyed by (integration, external_id), deletes, keeps counters.
// Rows travel as one JSON parameter, expanded by json_each on SQLite and json_to_recordset /
// json_array_elements_text on PostgreSQL, so a 1,000-item batch is a handful of statements instead of
// thousands on either engine (see docs/PERFORMANCE.md).
import { sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { allRows, runSql, type Db } from '../db/client'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'
import type { EventSource } from '../sync-log/service'
import { emptyResult, jsonFingerprints, runBatch, type BatchResult } from './batch'
import { keptPrint, rowPart, writeKept } from './bodies'
import { idList } from './json-params'
import { applyCounterChanges, applyStatusChanges, readCounters, StatusDelta, type Tx } from './counters'
import type { ItemInput, SyncContent } from './model'
import { classifyBatch, CounterDelta, type Stored } from './rules'

export async function syncContent(
  db: Db,
  caller: Caller | null,
  integrationId: number,
  batch: SyncContent,
  source: EventSource = 'plugin',
): Promise<BatchResult> {
  return await runBatch(
    db,
    caller,
    integrationId,
    'content',
    source,
    async (tx, config) => await applyContentBatch(tx, integrationId, config, batch),
  )
}

async function applyContentBatch(tx: Tx, integrationId: number, config: IntegrationConfig, batch: SyncContent): Promise<BatchResult> {
  const result = emptyResult()
  const types = effectiveTypes(config, 'post_types')
  const counts = new CounterDelta(await readCounters(tx, integrationId, 'post_type'))
  const statuses = new StatusDelta()

  // Deletions first, so a batch that removes and adds items frees room under the limit.
  if (batch.deleted.length) {
    const gone = await allRows<{ post_type: string; status: string }>(
      tx,
      sql`
      delete from content where integration_id = ${integrationId}
        and external_id in ${idList(tx.engine, batch.deleted)}
      returning post_type, status`,
    )
    for (const g of gone) {
      counts.add(g.post_type, -1)
      statuses.add(g.post_type, g.status, -1)
    }
    result.deleted = gone.length
  }

  const existing = new Map<number, Stored & { status: string }>()
  if (batch.items.length) {
    const rows = await allRows<{ external_id: number; post_type: string; status: string; fingerprint: string }>(
      tx,
      sql`
      select external_id, post_type, status, fingerprint from content where integration_id = ${integrationId}
        and external_id in ${idList(
          tx.engine,
          batch.items.map((i) => i.external_id),
        )}`,
    )
    for (const r of rows) existing.set(r.external_id, { type: r.post_type, status: r.status, fingerprint: r.fingerprint })
  }

  const prints = jsonFingerprints<ItemInput>(rowPart)
  const writes = classifyBatch(batch.items, {
    noun: 'Post type',
    typeOf: (item) => item.post_type,
    storedOf: (item) => existing.get(item.external_id),
    types,
    counts,
    result,
    fingerprint: (item) => prints.fingerprint(item) + keptPrint(item, existing.get(item.external_id)?.fingerprint),
  })
  if (writes.length) {
    await upsertItems(tx, integrationId, prints.rows(writes))
    await writeKept(
      tx,
      integrationId,
      writes.map((w) => w.row),
    )
  }
  for (const { row } of writes) {
    const before = existing.get(row.external_id)
    if (before) statuses.add(before.type, before.status, -1)
    statuses.add(row.post_type, row.status, 1)
  }
  await applyCounterChanges(tx, integrationId, 'post_type', counts.changes())
  await applyStatusChanges(tx, integrationId, statuses.changes())
  return result
}

/** `rows` is a JSON array of the items as sent, each with its "fingerprint". */
async function upsertItems(tx: Tx, integrationId: number, rows: string): Promise<void> {
  const now = new Date().toISOString()
  // SQLite needs `where true` so that ON CONFLICT is not read as a join constraint. PostgreSQL takes the rows
  // typed by json_to_recordset; `json`, not jsonb, so terms_json keeps the exact text sent, as on SQLite.
  const source =
    tx.engine === 'postgres'
      ? sql`
    select ${integrationId}::bigint, j.external_id, j.post_type, j.title, j.slug, j.status, j.url, j.modified_at,
           j.seo->>'title', j.seo->>'description', j.terms::text, j.fingerprint, ${now}
    from json_to_recordset(${rows}::json) as j(external_id bigint, post_type text, title text, slug text, status text,
      url text, modified_at text, seo json, terms json, fingerprint text)`
      : sql`
    select ${integrationId}, j.value->>'external_id', j.value->>'post_type', j.value->>'title', j.value->>'slug',
           j.value->>'status', j.value->>'url', j.value->>'modified_at', j.value->>'$.seo.title',
           j.value->>'$.seo.description', j.value->'terms', j.value->>'fingerprint', ${now}
    from json_each(${rows}) j where true`
  await runSql(
    tx,
    sql`
    insert into content (integration_id, external_id, post_type, title, slug, status, url, modified_at,
                         seo_title, seo_description, terms_json, fingerprint, updated_at)
    ${source}
    on conflict (integration_id, external_id) do update set
      post_type = excluded.post_type, title = excluded.title, slug = excluded.slug, status = excluded.status,
      url = excluded.url, modified_at = excluded.modified_at, seo_title = excluded.seo_title,
      seo_description = excluded.seo_description, terms_json = excluded.terms_json,
      fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
  )
}
