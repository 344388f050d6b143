// What the admin's synced-content pages read: one content type of a visible site, a page of its items
// (search, status filter, counts per status) or of its terms in tree order with their parents' names.
import { and, asc, count, desc, eq, inArray } from 'drizzle-orm'
import type { UserCaller } from '../auth/caller'
import { listContent, listTerms } from '../content/listing'
import type { Db } from '../db/client'
import { content, contentTaxonomy } from '../db/schema'
import { NotFound } from '../http/errors'
import { getContentTypes } from '../integrations/structure'
import type { ListQuery } from './model'
import { siteContext } from './sites-service'

export const LIST_PAGE_SIZE = 50

export type TypeKind = 'post_types' | 'taxonomies'

/** The site and one type its last structure names: 404 for another tenant's site or an unknown slug. */
export function typeContext(db: Db, caller: UserCaller, siteId: number, kind: TypeKind, slug: string) {
  const c = siteContext(db, caller, siteId)
  const types = getContentTypes(db, caller, c.integration.id)[kind]
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
function clamped<T>(page: number, read: (page: number) => { count: number; results: T[] }) {
  const first = read(page)
  const last = lastPage(first.count)
  return page > last ? { ...read(last), page: last } : { ...first, page }
}

/** One page of a post type's items, newest modified first. */
export function syncedItems(db: Db, integrationId: number, postType: string, q: ListQuery) {
  const filter = { post_type: postType, search: q.search || undefined, status: q.status || undefined }
  return clamped(q.page, (page) => listContent(db, integrationId, filter, { page, page_size: LIST_PAGE_SIZE }))
}

/** How many of a post type's items have each status, most common first: the status filter's options. */
export const statusCounts = (db: Db, integrationId: number, postType: string) =>
  db
    .select({ status: content.status, n: count() })
    .from(content)
    .where(and(eq(content.integrationId, integrationId), eq(content.postType, postType)))
    .groupBy(content.status)
    .orderBy(desc(count()), asc(content.status))
    .all()

/** One page of a taxonomy's terms, parents before children, each with its parent's name (a child may open a page). */
export function syncedTerms(db: Db, integrationId: number, taxonomy: string, page: number) {
  const list = clamped(page, (p) => listTerms(db, integrationId, taxonomy, { page: p, page_size: LIST_PAGE_SIZE }))
  const parentIds = [...new Set(list.results.map((t) => t.parent).filter((id) => id > 0))]
  const parents = parentIds.length
    ? db
        .select({ id: contentTaxonomy.externalId, name: contentTaxonomy.name })
        .from(contentTaxonomy)
        .where(
          and(
            eq(contentTaxonomy.integrationId, integrationId),
            eq(contentTaxonomy.taxonomy, taxonomy),
            inArray(contentTaxonomy.externalId, parentIds),
          ),
        )
        .all()
    : []
  const names = new Map(parents.map((p) => [p.id, p.name]))
  // A parent not stored yet has no name: the term is listed as a root and shows the parent's id only.
  return { ...list, results: list.results.map((t) => ({ ...t, parent_name: names.get(t.parent) ?? null })) }
}
