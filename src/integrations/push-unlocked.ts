// Structure pushes on PostgreSQL without a transaction: a push's config and its sync-log events are stored in one
// statement, only over the versions (xmin) of the integration's row and its site's row that the push was planned from.
// A push's cost on the node is mostly its statements' round trips, so:
// - Pushes to different integrations that arrive in the same turn of the event loop, or while such a store runs on
//   this node, are stored together: one statement for all of them. One store at a time, not several side by side:
//   with 8 clients pushing, four at once cost PostgreSQL twice the CPU per push (smaller batches) and answered
//   15-35 % fewer pushes a second.
// - The node remembers each row (with both versions) as it last read or wrote it, and plans the next push from that:
//   one round trip per push instead of a read and a write. The write checks both versions, so a remembered row that
//   anything changed since (a push on another node, an admin PATCH, a site edit) only costs the attempt: the same
//   statement reads the rows it did not store, and the push is planned again from what it read.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { coalesced, type Outcome } from '../db/coalesce'
import { prepared } from '../db/prepared'
import { integrations, sites, syncEvents, type Integration, type Site } from '../db/schema'
import { eventParams } from '../sync-log/service'
import type { IntegrationConfig } from './config'
import { planPushes, type PushPlan, type PushRequest } from './push-plan'

/**
 * What a store of a batch came to: its outcomes; or nothing stored, because the row changed since it was planned
 * from (`conflict`) or the node had no row to plan from (`read`). Either way the row is now remembered as read.
 */
export type Stored = { outcomes: Outcome<IntegrationConfig>[] } | { again: 'conflict' | 'read' }

type Store = { id: number; batch: PushRequest[] }
type Row = { integration: Integration; site: Site }
type Known = { row: Row; version: string; siteVersion: string }

/** A bound on memory (a fleet's integrations); when full, the node starts afresh. */
const KNOWN_MAX = 10_000
const knownRows = new WeakMap<Db, Map<number, Known>>()

/** Stores the batch of pushes to integration `id` (other integrations' batches alongside). */
export function storeUnlocked(db: Db, id: number, batch: PushRequest[]): Promise<Stored> {
  return coalesced(db, 'integrations:unlocked-pushes', { id, batch }, (stores: Store[]) => storeTogether(db, stores), {
    gatherTurn: true,
  })
}

// Writes each config whose integration and site still have the versions it was planned from, with its events (in
// their order: ordinality), and answers each integration of the group: the new version of a row it wrote (the row
// itself is known), or the row and both versions as they were when the statement began. `configs`, `events` and
// `ids` are JSON arrays.
const storeAndRead = (db: Db) =>
  prepared(db, 'integrations.storeAndRead', (d) => {
    const asked = d
      .$with('asked', { id: sql<string>`id`.as('id') })
      .as(sql`select jsonb_array_elements_text(${sql.placeholder('ids')}::jsonb)::bigint as id`)
    const stored = d.$with('stored', { id: sql<number>`id`.as('id'), version: sql<string>`version`.as('version') }).as(
      sql`update ${integrations} set config_json = c."configJson", updated_at = c."updatedAt"
            from jsonb_to_recordset(${sql.placeholder('configs')}::jsonb)
              as c(id bigint, version text, "siteVersion" text, "configJson" text, "updatedAt" text), ${sites}
            where ${integrations.id} = c.id and ${integrations}.xmin = c.version::xid
              and ${sites.id} = ${integrations.siteId} and ${sites}.xmin = c."siteVersion"::xid
            returning ${integrations.id} as id, ${integrations}.xmin::text as version`,
    )
    const events = d.$with('events', {}).as(
      sql`insert into ${syncEvents} (integration_id, kind, source, status, summary, counts_json, error, started_at, duration_ms)
            select e."integrationId", e.kind, e.source, e.status, e.summary, e."countsJson", e.error, e."startedAt", e."durationMs"
            from rows from (jsonb_to_recordset(${sql.placeholder('events')}::jsonb) as ("integrationId" bigint, kind text,
              source text, status text, summary text, "countsJson" text, error text, "startedAt" text, "durationMs" bigint))
              with ordinality as e("integrationId", kind, source, status, summary, "countsJson", error, "startedAt", "durationMs", n)
            where e."integrationId" in (select id from stored)
            order by e.n`,
    )
    return d
      .with(asked, stored, events)
      .select({
        id: sql<string>`"asked".id::text`,
        stored: sql<string | null>`"stored".version`,
        integration: integrations,
        site: sites,
        version: sql<string | null>`${integrations}.xmin::text`,
        siteVersion: sql<string | null>`${sites}.xmin::text`,
      })
      .from(asked)
      .leftJoin(stored, sql`"stored".id = "asked".id`)
      .leftJoin(integrations, sql`${integrations.id} = "asked".id and "stored".id is null`)
      .leftJoin(sites, eq(sites.id, integrations.siteId))
      .prepare()
  })

function knownOf(db: Db): Map<number, Known> {
  let known = knownRows.get(db)
  if (!known) knownRows.set(db, (known = new Map()))
  return known
}

async function storeTogether(db: Db, stores: Store[]): Promise<Outcome<Stored>[]> {
  const known = knownOf(db)
  // A plan from a remembered row is tried only when it writes: the write confirms the versions, and with them every
  // refusal of the batch. A batch refused whole (404, 403) is planned again from a fresh read.
  const attempts = stores.map(({ id, batch }) => {
    const from = known.get(id)
    const plan = from && planPushes(id, from.row, batch)
    return { id, batch, from, plan: plan?.stored ? plan : undefined }
  })
  const writes = attempts.filter((a): a is typeof a & { from: Known; plan: PushPlan } => a.plan !== undefined)
  const configs = writes.map(({ plan, from }) => ({ ...plan.stored!, version: from.version, siteVersion: from.siteVersion }))
  const rows = await storeAndRead(db).execute({
    configs: JSON.stringify(configs),
    events: JSON.stringify(writes.flatMap(({ plan }) => plan.events.map(eventParams))),
    ids: JSON.stringify(stores.map((s) => s.id)),
  })
  const byId = new Map(rows.map((row) => [Number(row.id), row]))
  if (known.size + stores.length > KNOWN_MAX) known.clear()
  return attempts.map(({ id, batch, from, plan }): Outcome<Stored> => {
    const row = byId.get(id)
    if (plan && from && row?.stored) {
      const integration = { ...from.row.integration, configJson: plan.stored!.configJson, updatedAt: plan.stored!.updatedAt }
      known.set(id, { row: { integration, site: from.row.site }, version: row.stored, siteVersion: from.siteVersion })
      return { ok: true, value: { outcomes: plan.outcomes } }
    }
    if (!row?.integration || !row.site) {
      known.delete(id)
      return { ok: true, value: { outcomes: planPushes(id, undefined, batch).outcomes } }
    }
    const fresh: Row = { integration: row.integration, site: row.site }
    known.set(id, { row: fresh, version: row.version!, siteVersion: row.siteVersion! })
    // Refused whole from what was read: the answer, as if the batch had been stored (nothing is written for it).
    const replanned = planPushes(id, fresh, batch)
    if (!replanned.stored) return { ok: true, value: { outcomes: replanned.outcomes } }
    return { ok: true, value: { again: plan ? 'conflict' : 'read' } }
  })
}
