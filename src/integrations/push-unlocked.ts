// Structure pushes on PostgreSQL without a transaction: each integration's row is read with its version (xmin), and
// the new config and its sync-log events are stored in one statement only over the version that was read. A push's
// cost on the node is mostly its statements' socket writes, and in a fleet's burst many sites push at once: pushes
// to different integrations that arrive while such a store runs on this node are read and stored together, one read
// and one write for all of them. One store at a time, not several side by side: with 8 clients pushing, four at
// once cost PostgreSQL twice the CPU per push (smaller batches) and answered 15-35 % fewer pushes a second.
import { eq, sql } from 'drizzle-orm'
import { allRows, type Db } from '../db/client'
import { coalesced, type Outcome } from '../db/coalesce'
import { prepared } from '../db/prepared'
import { integrations, sites, syncEvents } from '../db/schema'
import { eventParams } from '../sync-log/service'
import type { IntegrationConfig } from './config'
import { planPushes, type PushRequest } from './push-plan'

type Store = { id: number; batch: PushRequest[] }

/** The batch's outcomes, or undefined when the row changed since it was read: then nothing of it was stored. */
type Stored = Outcome<IntegrationConfig>[] | undefined

/**
 * Stores the batch of pushes to integration `id` over the row version it reads (other integrations' batches alongside).
 * Undefined when something wrote the row in between: a push on another node, or an admin PATCH (those read the row
 * FOR UPDATE, so this store waits for them and then finds the version changed).
 */
export function storeUnlocked(db: Db, id: number, batch: PushRequest[]): Promise<Stored> {
  return coalesced(db, 'integrations:unlocked-pushes', { id, batch }, (stores: Store[]) => storeTogether(db, stores))
}

// The rows with their sites and versions (the id of the transaction that wrote each, as text); `ids` a JSON array.
const withVersions = (db: Db) =>
  prepared(db, 'integrations.withSiteVersions', (d) =>
    d
      .select({ integration: integrations, site: sites, version: sql<string>`${integrations}.xmin::text` })
      .from(integrations)
      .innerJoin(sites, eq(sites.id, integrations.siteId))
      .where(sql`${integrations.id} in (select jsonb_array_elements_text(${sql.placeholder('ids')}::jsonb)::bigint)`)
      .prepare(),
  )

async function storeTogether(db: Db, stores: Store[]): Promise<Outcome<Stored>[]> {
  const rows = await withVersions(db).execute({ ids: JSON.stringify(stores.map((s) => s.id)) })
  const byId = new Map(rows.map((row) => [row.integration.id, row]))
  const plans = stores.map(({ id, batch }) => ({ row: byId.get(id), plan: planPushes(id, byId.get(id), batch) }))
  const writes = plans.filter((p) => p.plan.stored)
  const storedIds = new Set<number>()
  if (writes.length) {
    const configs = writes.map(({ row, plan }) => ({ ...plan.stored!, version: row!.version }))
    // Events in the order planned (ordinality), and only for the rows stored.
    const events = writes.flatMap(({ plan }) => plan.events.map(eventParams))
    const stored = await allRows<{ id: number | string }>(
      db,
      sql`with configs as (
            select * from jsonb_to_recordset(${JSON.stringify(configs)}::jsonb)
              as c(id bigint, version text, "configJson" text, "updatedAt" text)),
          stored as (
            update ${integrations} set config_json = c."configJson", updated_at = c."updatedAt" from configs c
            where ${integrations.id} = c.id and ${integrations}.xmin = c.version::xid returning ${integrations.id} as id),
          events as (
            insert into ${syncEvents} (integration_id, kind, source, status, summary, counts_json, error, started_at, duration_ms)
            select e."integrationId", e.kind, e.source, e.status, e.summary, e."countsJson", e.error, e."startedAt", e."durationMs"
            from rows from (jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as ("integrationId" bigint, kind text,
              source text, status text, summary text, "countsJson" text, error text, "startedAt" text, "durationMs" bigint))
              with ordinality as e("integrationId", kind, source, status, summary, "countsJson", error, "startedAt", "durationMs", n)
            where e."integrationId" in (select id from stored)
            order by e.n)
          select id from stored`,
    )
    for (const { id } of stored) storedIds.add(Number(id))
  }
  return plans.map(({ plan }): Outcome<Stored> => {
    const conflict = plan.stored !== null && !storedIds.has(plan.stored.id)
    return { ok: true, value: conflict ? undefined : plan.outcomes }
  })
}
