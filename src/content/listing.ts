// Reading back what is stored: content with filters and its term ids, terms in tree order.
import { and, asc, count, desc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { longRead, type Db } from '../db/client'
import { content, contentTaxonomy, statusCounters, typeCounters, type ContentItem, type Term } from '../db/schema'
import type { CounterKind } from './counters'
import { offsetOf, type Page } from '../http/envelope'
import { getVisibleIntegration } from '../integrations/service'

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export type ContentFilter = { post_type?: string; status?: string; search?: string }

const contentWhere = (db: Db, integrationId: number, f: ContentFilter) => {
  const conditions: (SQL | undefined)[] = [eq(content.integrationId, integrationId)]
  if (f.post_type) conditions.push(eq(content.postType, f.post_type))
  if (f.status) conditions.push(eq(content.status, f.status))
  if (f.search) {
    const pattern = `%${escapeLike(f.search)}%`
    // SQLite's LIKE folds ASCII case only; so does PostgreSQL's ILIKE over these COLLATE "C" columns.
    const like = db.engine === 'postgres' ? sql`ilike` : sql`like`
    conditions.push(or(sql`${content.title} ${like} ${pattern} escape '\\'`, sql`${content.slug} ${like} ${pattern} escape '\\'`))
  }
  return and(...conditions)
}

/**
 * One page of content, newest modified first by the UTC instant (offsets in modified_at differ), read in
 * the order of the (integration, [post_type,] modified_at_utc) indexes. Exported for the query-plan test.
 */
export const contentPage = (db: Db, integrationId: number, f: ContentFilter, page: Page) =>
  db
    .select()
    .from(content)
    .where(contentWhere(db, integrationId, f))
    .orderBy(...listingOrder(db))
    .limit(page.page_size)
    .offset(offsetOf(page))

// Items without a readable modified_at last, where SQLite puts NULL in a descending order (PostgreSQL: first).
const listingOrder = (db: Db) =>
  [db.engine === 'postgres' ? sql`${content.modifiedAtUtc} desc nulls last` : desc(content.modifiedAtUtc), desc(content.id)] as const

/**
 * A search (LIKE over title and slug) scans the rows of the type: its count and the ids of its page run as long
 * reads (off the server's thread on SQLite, see longRead); the page's rows are then read by id.
 */
async function searchPage(db: Db, integrationId: number, f: ContentFilter, page: Page): Promise<{ count: number; rows: ContentItem[] }> {
  const where = contentWhere(db, integrationId, f)
  const [counted, ids] = await Promise.all([
    longRead(db, db.select({ n: count() }).from(content).where(where)),
    longRead(
      db,
      db
        .select({ id: content.id })
        .from(content)
        .where(where)
        .orderBy(...listingOrder(db))
        .limit(page.page_size)
        .offset(offsetOf(page)),
    ),
  ])
  const order = ids.map((r) => Number(r[0]))
  const rows = order.length ? await db.select().from(content).where(inArray(content.id, order)).all() : []
  const at = new Map(order.map((id, i) => [id, i]))
  return { count: Number(counted[0]?.[0] ?? 0), rows: rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!) }
}

/**
 * Rows stored for an integration (one type, or all): the kept counters answer it in one indexed read,
 * so the total costs the same at any volume. Exported (as a query) for the query-plan tests.
 */
export const storedCountQuery = (db: Db, integrationId: number, kind: CounterKind, slug: string | undefined) =>
  db
    // mapWith: PostgreSQL's sum of bigints is a numeric, which arrives as a string.
    .select({ n: sql<number>`coalesce(sum(${typeCounters.syncedCount}), 0)`.mapWith(Number) })
    .from(typeCounters)
    .where(and(eq(typeCounters.integrationId, integrationId), eq(typeCounters.kind, kind), slug ? eq(typeCounters.slug, slug) : undefined))

const storedCount = async (db: Db, integrationId: number, kind: CounterKind, slug: string | undefined): Promise<number> =>
  (await storedCountQuery(db, integrationId, kind, slug).get())!.n

/** Items with `status` (of one post type, or all) from the kept status counters. */
const statusCount = async (db: Db, integrationId: number, status: string, postType: string | undefined): Promise<number> =>
  (await db
    // mapWith: PostgreSQL's sum of bigints is a numeric, which arrives as a string.
    .select({ n: sql<number>`coalesce(sum(${statusCounters.n}), 0)`.mapWith(Number) })
    .from(statusCounters)
    .where(
      and(
        eq(statusCounters.integrationId, integrationId),
        eq(statusCounters.status, status),
        postType ? eq(statusCounters.postType, postType) : undefined,
      ),
    )
    .get())!.n

/** One page of an integration's content the caller may see (another tenant's integration is a 404). */
export async function listContent(db: Db, caller: Caller, integrationId: number, f: ContentFilter, page: Page) {
  await getVisibleIntegration(db, caller, integrationId)
  // A search is the one filter the kept counters do not know: it counts the matching rows.
  if (f.search) {
    const found = await searchPage(db, integrationId, f, page)
    return { count: found.count, results: found.rows.map((r) => serializeItem(r)) }
  }
  const total = f.status
    ? await statusCount(db, integrationId, f.status, f.post_type)
    : await storedCount(db, integrationId, 'post_type', f.post_type)
  const rows = await contentPage(db, integrationId, f, page).all()
  return { count: total, results: rows.map((r) => serializeItem(r)) }
}

export const serializeItem = (r: ContentItem) => ({
  external_id: r.externalId,
  post_type: r.postType,
  title: r.title,
  slug: r.slug,
  status: r.status,
  url: r.url,
  modified_at: r.modifiedAt,
  terms: JSON.parse(r.termsJson) as Record<string, number[]>,
  seo: { title: r.seoTitle, description: r.seoDescription },
  created_at: r.createdAt,
  updated_at: r.updatedAt,
})

export const serializeTerm = (t: Term) => ({
  external_id: t.externalId,
  taxonomy: t.taxonomy,
  name: t.name,
  slug: t.slug,
  parent: t.parentExternalId,
  description: t.description,
  depth: t.depth,
  created_at: t.createdAt,
  updated_at: t.updatedAt,
})

/**
 * One page of terms in tree order: every parent before its children, siblings by name (see
 * src/content/tree.ts), read in the order of the (integration, taxonomy, tree_path) index. A term whose
 * parent is not stored yet is listed as a root until the parent arrives. Exported for the query-plan test.
 */
export const termsPage = (db: Db, integrationId: number, taxonomy: string | undefined, page: Page) =>
  db
    .select()
    .from(contentTaxonomy)
    .where(and(eq(contentTaxonomy.integrationId, integrationId), taxonomy ? eq(contentTaxonomy.taxonomy, taxonomy) : undefined))
    .orderBy(contentTaxonomy.taxonomy, contentTaxonomy.treePath)
    .limit(page.page_size)
    .offset(offsetOf(page))

/** One page of an integration's terms the caller may see, in tree order (another tenant's integration is a 404). */
export async function listTerms(db: Db, caller: Caller, integrationId: number, taxonomy: string | undefined, page: Page) {
  await getVisibleIntegration(db, caller, integrationId)
  const rows = await termsPage(db, integrationId, taxonomy, page).all()
  return { count: await storedCount(db, integrationId, 'taxonomy', taxonomy), results: rows.map((t) => serializeTerm(t)) }
}

/** How many of a post type's items have each status, most common first (from the kept counters: no rows counted). */
export const statusCountsOf = async (db: Db, integrationId: number, postType: string) =>
  await db
    .select({ status: statusCounters.status, n: statusCounters.n })
    .from(statusCounters)
    .where(and(eq(statusCounters.integrationId, integrationId), eq(statusCounters.postType, postType), gt(statusCounters.n, 0)))
    .orderBy(desc(statusCounters.n), asc(statusCounters.status))
    .all()

/** Names of the given terms of one taxonomy, by WordPress id (ids not stored are absent). */
export async function termNames(db: Db, integrationId: number, taxonomy: string, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map()
  const rows = await db
    .select({ id: contentTaxonomy.externalId, name: contentTaxonomy.name })
    .from(contentTaxonomy)
    .where(
      and(
        eq(contentTaxonomy.integrationId, integrationId),
        eq(contentTaxonomy.taxonomy, taxonomy),
        inArray(contentTaxonomy.externalId, ids),
      ),
    )
    .all()
  return new Map(rows.map((r) => [r.id, r.name]))
}
