// The sync log: recording events and reading them back, newest first.
import { and, count, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm'
import { requireAdmin, type Caller } from '../auth/caller'
import { changesOf, type Db } from '../db/client'
import { prepared } from '../db/prepared'
import { syncEvents, type SyncEvent } from '../db/schema'
import { offsetOf, type Page } from '../http/envelope'
import { getVisibleIntegration } from '../integrations/service'

export type EventKind = SyncEvent['kind']
export type EventSource = SyncEvent['source']
export type NewEvent = {
  integrationId: number | null
  kind: EventKind
  source: EventSource
  status: 'ok' | 'error'
  summary: string
  counts?: Record<string, unknown>
  error?: string | null
  startedAt: Date
  durationMs?: number
}

const eventValues = {
  integrationId: sql.placeholder('integrationId'),
  kind: sql.placeholder('kind'),
  source: sql.placeholder('source'),
  status: sql.placeholder('status'),
  summary: sql.placeholder('summary'),
  countsJson: sql.placeholder('countsJson'),
  error: sql.placeholder('error'),
  startedAt: sql.placeholder('startedAt'),
  durationMs: sql.placeholder('durationMs'),
}

// Two statements: most writers (every push and content batch) do not read the event back, and SQLite's RETURNING
// costs about as much again as the insert (it buffers the row in a temporary table).
const insertEvent = (db: Db) => prepared(db, 'syncLog.insertEvent', (d) => d.insert(syncEvents).values(eventValues).prepare())
const insertEventReturning = (db: Db) =>
  prepared(db, 'syncLog.insertEventReturning', (d) => d.insert(syncEvents).values(eventValues).returning().prepare())

export const eventParams = (e: NewEvent) => ({
  integrationId: e.integrationId,
  kind: e.kind,
  source: e.source,
  status: e.status,
  summary: e.summary,
  countsJson: JSON.stringify(e.counts ?? {}),
  error: e.error ?? null,
  startedAt: e.startedAt.toISOString(),
  durationMs: Math.max(0, Math.round(e.durationMs ?? Date.now() - e.startedAt.getTime())),
})

/** Records one event; pass `tx` to make it part of the change it describes. */
export async function recordEvent(db: Db, e: NewEvent): Promise<void> {
  await insertEvent(db).execute(eventParams(e))
}

/** The same, answering the stored event (its id and defaults), for callers that hand it on. */
export async function recordEventRow(db: Db, e: NewEvent): Promise<SyncEvent> {
  const [row] = await insertEventReturning(db).execute(eventParams(e))
  return row!
}

export const serializeEvent = (e: SyncEvent) => ({
  id: e.id,
  integration: e.integrationId,
  kind: e.kind,
  source: e.source,
  status: e.status,
  summary: e.summary,
  counts: JSON.parse(e.countsJson) as Record<string, unknown>,
  error: e.error,
  started_at: e.startedAt,
  duration_ms: e.durationMs,
})

/** One integration's events, newest first, if the caller may see it (another tenant's is a 404). */
export async function listIntegrationEvents(db: Db, caller: Caller, integrationId: number, page: Page) {
  await getVisibleIntegration(db, caller, integrationId)
  return await listEvents(db, { integrationId }, page)
}

/** Every event, cron runs included: admins only. */
export async function listAllEvents(db: Db, caller: Caller, page: Page) {
  requireAdmin(caller)
  return await listEvents(db, {}, page)
}

/** Events newest first; `integrationId` undefined lists every event. No access check: for callers that made one. */
export async function listEvents(db: Db, filter: { integrationId?: number }, page: Page) {
  const where: SQL | undefined = filter.integrationId === undefined ? undefined : eq(syncEvents.integrationId, filter.integrationId)
  const total = (await db.select({ n: count() }).from(syncEvents).where(where).get())!.n
  const rows = await db
    .select()
    .from(syncEvents)
    .where(where)
    .orderBy(desc(syncEvents.id))
    .limit(page.page_size)
    .offset(offsetOf(page))
    .all()
  return { count: total, results: rows.map(serializeEvent) }
}

/** The newest event of an integration among `kinds` (e.g. the last content batch or pull), if any. */
export async function latestEvent(db: Db, integrationId: number, kinds: EventKind[]) {
  const row = await db
    .select()
    .from(syncEvents)
    .where(and(eq(syncEvents.integrationId, integrationId), inArray(syncEvents.kind, kinds)))
    .orderBy(desc(syncEvents.id))
    .limit(1)
    .get()
  return row ? serializeEvent(row) : undefined
}

/** Removes events older than the retention; answers how many. */
export async function pruneEvents(db: Db, retentionDays: number, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - retentionDays * 24 * 3600_000).toISOString()
  return changesOf(await db.delete(syncEvents).where(lt(syncEvents.startedAt, cutoff)).run())
}
