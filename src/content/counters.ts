// The kept per-type counters behind synced_count, written in the same transaction as the rows they count.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { typeCounters } from '../db/schema'

export type CounterKind = 'post_type' | 'taxonomy'
/** A handle inside withTx (on SQLite the database itself, on PostgreSQL the transaction). */
export type Tx = Db

export async function readCounters(tx: Tx | Db, integrationId: number, kind: CounterKind): Promise<Map<string, number>> {
  const rows = await tx
    .select({ slug: typeCounters.slug, n: typeCounters.syncedCount })
    .from(typeCounters)
    .where(and(eq(typeCounters.integrationId, integrationId), eq(typeCounters.kind, kind)))
    .all()
  return new Map(rows.map((r) => [r.slug, r.n]))
}

export async function applyCounterChanges(tx: Tx, integrationId: number, kind: CounterKind, changes: [string, number][]): Promise<void> {
  for (const [slug, n] of changes) {
    await tx
      .insert(typeCounters)
      .values({ integrationId, kind, slug, syncedCount: n })
      .onConflictDoUpdate({
        target: [typeCounters.integrationId, typeCounters.kind, typeCounters.slug],
        set: { syncedCount: sql`${typeCounters.syncedCount} + ${n}` },
      })
      .run()
  }
}
