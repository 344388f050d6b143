// One synced item with everything stored about it (contract "Content bodies"): the only read of content_bodies.
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { content, contentBodies, contentChanges } from '../db/schema'
import { NotFound } from '../http/errors'
import { getVisibleIntegration } from '../integrations/service'
import { serializeItem } from './listing'

/** States in which a change still stands between the editor and WordPress. */
const OPEN_STATES = ['pending', 'delivering', 'conflict'] as const

/** The item `externalId` of an integration the caller may see; another tenant's or an unknown one is a 404. */
export async function getContentItem(db: Db, caller: Caller, integrationId: number, externalId: number) {
  await getVisibleIntegration(db, caller, integrationId)
  const row = await db
    .select()
    .from(content)
    .where(and(eq(content.integrationId, integrationId), eq(content.externalId, externalId)))
    .get()
  if (!row) throw new NotFound('Content item')
  const body = await db.select({ body: contentBodies.body }).from(contentBodies).where(eq(contentBodies.contentId, row.id)).get()
  const change = await db
    .select({ id: contentChanges.id })
    .from(contentChanges)
    .where(
      and(
        eq(contentChanges.integrationId, integrationId),
        eq(contentChanges.externalId, externalId),
        inArray(contentChanges.state, [...OPEN_STATES]),
      ),
    )
    .orderBy(desc(contentChanges.id))
    .limit(1)
    .get()
  return {
    ...serializeItem(row),
    content: body?.body ?? null,
    excerpt: row.excerpt,
    published_at: row.publishedAt,
    author: row.authorId === null ? null : { id: row.authorId, name: row.authorName ?? '' },
    pending_change: change?.id ?? null,
  }
}
