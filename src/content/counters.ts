// The kept per-type counters behind synced_count, written in the same transaction as the rows they count.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { typeCounters } from '../db/schema'

export type CounterKind = 'post_type' | 'taxonomy'
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export function readCounters(tx: Tx | Db, integrationId: number, kind: CounterKind): Map<string, number> {
  const rows = tx
    .select({ slug: typeCounters.slug, n: typeCounters.syncedCount })
    .from(typeCounters)
    .where(and(eq(typeCounters.integrationId, integrationId), eq(typeCounters.kind, kind)))
    .all()
  return new Map(rows.map((r) => [r.slug, r.n]))
}

export function applyCounterChanges(tx: Tx, integrationId: number, kind: CounterKind, changes: [string, number][]): void {
  for (const [slug, n] of changes) {
    tx.insert(typeCounters)
      .values({ integrationId, kind, slug, syncedCount: n })
      .onConflictDoUpdate({
        target: [typeCounters.integrationId, typeCounters.kind, typeCounters.slug],
        set: { syncedCount: sql`${typeCounters.syncedCount} + ${n}` },
      })
      .run()
  }
}
export type { Tx }
