// The kept per-type counters behind synced_count, written in the same transaction as the rows they count.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { statusCounters, typeCounters } from '../db/schema'

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

/** A batch's changes to the per-(post type, status) counters, collected as it goes. */
export class StatusDelta {
  private readonly delta = new Map<string, { postType: string; status: string; n: number }>()
  add(postType: string, status: string, n: number) {
    const key = `${postType}\u0000${status}`
    const entry = this.delta.get(key)
    if (entry) entry.n += n
    else this.delta.set(key, { postType, status, n })
  }
  changes() {
    return [...this.delta.values()].filter((c) => c.n !== 0)
  }
}

/** Applies them in the batch's transaction (a counter that drops to 0 stays, and is not listed). */
export async function applyStatusChanges(tx: Tx, integrationId: number, changes: ReturnType<StatusDelta['changes']>): Promise<void> {
  for (const { postType, status, n } of changes) {
    await tx
      .insert(statusCounters)
      .values({ integrationId, postType, status, n })
      .onConflictDoUpdate({
        target: [statusCounters.integrationId, statusCounters.postType, statusCounters.status],
        set: { n: sql`${statusCounters.n} + ${n}` },
      })
      .run()
  }
}
