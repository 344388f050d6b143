// Deciding what a content pull may delete. Listing pages can miss rows (short pages, offsets shifting while
// WordPress changes), and the plugin may push rows while a pull runs; so a stored row is deleted only when it was
// stored before the pull began, the listing did not show it, and WordPress confirms it has no such id.
import { sql } from 'drizzle-orm'
import { idList } from '../content/json-params'
import { allRows, type Db } from '../db/client'
import { PullError } from './errors'
import { PER_PAGE } from './wp-pages'
import type { WpClient } from './wp-rest'

type Kind = 'items' | 'terms'

/** Ids of one post type's items (or one taxonomy's terms) stored before `before` (ISO time) and not written since. */
export async function storedBefore(db: Db, kind: Kind, integrationId: number, slug: string, before: string): Promise<number[]> {
  const rows =
    kind === 'items'
      ? await allRows<{ id: number }>(
          db,
          sql`
          select external_id as id from content
          where integration_id = ${integrationId} and post_type = ${slug} and updated_at < ${before}`,
        )
      : await allRows<{ id: number }>(
          db,
          sql`
          select external_id as id from content_taxonomy
          where integration_id = ${integrationId} and taxonomy = ${slug} and updated_at < ${before}`,
        )
  return rows.map((r) => r.id)
}

/**
 * Of `ids`, those still stored and not written since `before`: checked again right before deleting (in the same
 * tick as the delete), because the plugin may have pushed one of them while WordPress was being asked.
 */
export async function untouchedSince(
  db: Db,
  kind: Kind,
  integrationId: number,
  ids: number[],
  before: string,
  taxonomy?: string,
): Promise<number[]> {
  const list = idList(db.engine, ids)
  const rows =
    kind === 'items'
      ? await allRows<{ id: number }>(
          db,
          sql`
          select external_id as id from content where integration_id = ${integrationId} and updated_at < ${before}
            and external_id in ${list}`,
        )
      : await allRows<{ id: number }>(
          db,
          sql`
          select external_id as id from content_taxonomy where integration_id = ${integrationId} and taxonomy = ${taxonomy ?? ''}
            and updated_at < ${before} and external_id in ${list}`,
        )
  return rows.map((r) => r.id)
}

/**
 * Asks WordPress for `ids` directly (`include`, 100 at a time, with `query` such as status=any so drafts count as
 * present). Rows it answers are handed to `found` (they exist, perhaps changed); answers the ids it does not have.
 */
export async function confirmAbsent<T extends { id?: unknown }>(
  client: WpClient,
  route: string,
  ids: number[],
  query: Record<string, string>,
  found: (row: T) => Promise<void>,
): Promise<number[]> {
  const absent: number[] = []
  for (let i = 0; i < ids.length; i += PER_PAGE) {
    const batch = ids.slice(i, i + PER_PAGE)
    const { data } = await client.get<unknown>(route, { ...query, include: batch.join(','), per_page: PER_PAGE })
    // Without a clear answer nothing can be confirmed gone, and a pull that cannot confirm deletes nothing.
    if (!Array.isArray(data))
      throw new PullError(`WordPress sent an unexpected answer to ${route}?include=…; nothing was deleted.`, 'bad_answer')
    const present = new Set<unknown>()
    for (const row of data as T[]) {
      if (!batch.includes(row?.id as number)) continue
      present.add(row.id)
      await found(row)
    }
    absent.push(...batch.filter((id) => !present.has(id)))
  }
  return absent
}
