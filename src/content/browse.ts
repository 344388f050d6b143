// What the admin's synced-content pages read: one content type of a visible site, a page of its items
// (search, status filter, counts per status) or of its terms in tree order with their parents' names.
// Every function checks the caller may see the integration (another tenant's is a 404).
import type { Caller, UserCaller } from '../auth/caller'
import type { Db } from '../db/client'
import { NotFound } from '../http/errors'
import type { TypeKind } from '../integrations/config'
import { getVisibleIntegration } from '../integrations/service'
import { getContentTypes } from '../integrations/content-types'
import { siteContext } from '../sites/overview'
import { listContent, listTerms, statusCountsOf, termNames } from './listing'

export const LIST_PAGE_SIZE = 50

/** The site and one type its last structure names: 404 for another tenant's site or an unknown slug. */
export async function typeContext(db: Db, caller: UserCaller, siteId: number, kind: TypeKind, slug: string) {
  const c = await siteContext(db, caller, siteId)
  const types = (await getContentTypes(db, caller, c.integration.id))[kind]
  // hasOwn, not types[slug]: a slug such as "constructor" would otherwise find Object's own members.
  if (!Object.hasOwn(types, slug)) throw new NotFound(kind === 'post_types' ? 'Post type' : 'Taxonomy')
  return { c, type: types[slug]! }
}

/** The last page that has rows (1 when there are none). */
export const lastPage = (count: number, pageSize = LIST_PAGE_SIZE) => Math.max(1, Math.ceil(count / pageSize))

/**
 * Runs a page query; a page past the end (a bookmark from before items were deleted) shows the last
 * page instead of an empty one.
 */
async function clamped<T>(page: number, read: (page: number) => Promise<{ count: number; results: T[] }>) {
  const first = await read(page)
  const last = lastPage(first.count)
  return page > last ? { ...(await read(last)), page: last } : { ...first, page }
}

export type ItemsQuery = { page: number; search?: string; status?: string }

/** One page of a post type's items, newest modified first. */
export async function syncedItems(db: Db, caller: Caller, integrationId: number, postType: string, q: ItemsQuery) {
  const filter = { post_type: postType, search: q.search || undefined, status: q.status || undefined }
  return await clamped(q.page, async (page) => await listContent(db, caller, integrationId, filter, { page, page_size: LIST_PAGE_SIZE }))
}

/** How many of a post type's items have each status, most common first: the status filter's options. */
export async function statusCounts(db: Db, caller: Caller, integrationId: number, postType: string) {
  await getVisibleIntegration(db, caller, integrationId)
  return await statusCountsOf(db, integrationId, postType)
}

/** One page of a taxonomy's terms, parents before children, each with its parent's name (a child may open a page). */
export async function syncedTerms(db: Db, caller: Caller, integrationId: number, taxonomy: string, page: number) {
  const list = await clamped(
    page,
    async (p) => await listTerms(db, caller, integrationId, taxonomy, { page: p, page_size: LIST_PAGE_SIZE }),
  )
  const names = await termNames(db, integrationId, taxonomy, [...new Set(list.results.map((t) => t.parent).filter((id) => id > 0))])
  // A parent not stored yet has no name: the term is listed as a root and shows the parent's id only.
  return { ...list, results: list.results.map((t) => ({ ...t, parent_name: names.get(t.parent) ?? null })) }
}
