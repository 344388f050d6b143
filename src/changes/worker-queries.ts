// The worker's reads: which integrations have changes waiting, or due for delivery now.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { contentChanges } from '../db/schema'
import { dueNow } from './lease'

/** Integration ids with `pending` changes (any), or with changes due now (not waiting out a backoff). */
export async function selectDistinct(db: Db, which: 'pending' | 'due', now = Date.now()): Promise<number[]> {
  return (
    await db
      .selectDistinct({ id: contentChanges.integrationId })
      .from(contentChanges)
      .where(which === 'due' ? dueNow(now) : eq(contentChanges.state, 'pending'))
      .orderBy(sql`1`)
      .all()
  ).map((r) => r.id)
}
