// Reading back what is stored: content with filters and its term ids, terms in tree order.
import { and, count, desc, eq, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { content, contentTaxonomy, type ContentItem, type Term } from '../db/schema'
import { offsetOf, type Page } from '../http/envelope'

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

export type ContentFilter = { post_type?: string; status?: string; search?: string }

export function listContent(db: Db, integrationId: number, f: ContentFilter, page: Page) {
  const conditions: (SQL | undefined)[] = [eq(content.integrationId, integrationId)]
  if (f.post_type) conditions.push(eq(content.postType, f.post_type))
  if (f.status) conditions.push(eq(content.status, f.status))
  if (f.search) {
    const pattern = `%${escapeLike(f.search)}%`
    conditions.push(or(sql`${content.title} like ${pattern} escape '\\'`, sql`${content.slug} like ${pattern} escape '\\'`))
  }
  const where = and(...conditions)
  const total = db.select({ n: count() }).from(content).where(where).get()!.n
  const rows = db
    .select()
    .from(content)
    .where(where)
    .orderBy(desc(content.modifiedAt), desc(content.id))
    .limit(page.page_size)
    .offset(offsetOf(page))
    .all()
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

export const serializeTerm = (t: Term, depth: number) => ({
  external_id: t.externalId,
  taxonomy: t.taxonomy,
  name: t.name,
  slug: t.slug,
  parent: t.parentExternalId,
  description: t.description,
  depth,
  created_at: t.createdAt,
  updated_at: t.updatedAt,
})

/**
 * Terms with every parent before its children (depth-first, siblings by name). A term whose parent
 * is not stored yet is listed as a root until the parent arrives.
 */
export function listTerms(db: Db, integrationId: number, taxonomy: string | undefined, page: Page) {
  const where = and(eq(contentTaxonomy.integrationId, integrationId), taxonomy ? eq(contentTaxonomy.taxonomy, taxonomy) : undefined)
  const all = db
    .select()
    .from(contentTaxonomy)
    .where(where)
    .orderBy(contentTaxonomy.taxonomy, contentTaxonomy.name, contentTaxonomy.externalId)
    .all()
  const key = (tax: string, id: number) => `${tax}:${id}`
  const present = new Set(all.map((t) => key(t.taxonomy, t.externalId)))
  const children = new Map<string, Term[]>()
  const roots: Term[] = []
  for (const t of all) {
    if (t.parentExternalId !== 0 && t.parentExternalId !== t.externalId && present.has(key(t.taxonomy, t.parentExternalId))) {
      const k = key(t.taxonomy, t.parentExternalId)
      ;(children.get(k) ?? children.set(k, []).get(k)!).push(t)
    } else roots.push(t)
  }
  const ordered: { t: Term; depth: number }[] = []
  const visited = new Set<string>()
  const walk = (t: Term, depth: number) => {
    const k = key(t.taxonomy, t.externalId)
    if (visited.has(k)) return
    visited.add(k)
    ordered.push({ t, depth })
    for (const c of children.get(k) ?? []) walk(c, depth + 1)
  }
  roots.forEach((r) => walk(r, 0))
  // A parent cycle (a→b→a) has no root; list what is left so nothing disappears.
  all.forEach((t) => walk(t, 0))
  const slice = ordered.slice(offsetOf(page), offsetOf(page) + page.page_size)
  return { count: ordered.length, results: slice.map(({ t, depth }) => serializeTerm(t, depth)) }
}

/** WordPress ids stored for one post type (optionally one status): what a full pull compares against. */
export function storedItemIds(db: Db, integrationId: number, postType: string, status?: string): number[] {
  const where = and(
    eq(content.integrationId, integrationId),
    eq(content.postType, postType),
    status ? eq(content.status, status) : undefined,
  )
  return db
    .select({ id: content.externalId })
    .from(content)
    .where(where)
    .all()
    .map((r) => r.id)
}

/** WordPress ids stored for one taxonomy. */
export function storedTermIds(db: Db, integrationId: number, taxonomy: string): number[] {
  return db
    .select({ id: contentTaxonomy.externalId })
    .from(contentTaxonomy)
    .where(and(eq(contentTaxonomy.integrationId, integrationId), eq(contentTaxonomy.taxonomy, taxonomy)))
    .all()
    .map((r) => r.id)
}
