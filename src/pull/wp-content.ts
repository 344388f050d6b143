// Pulls terms and items of the enabled types (after admin overrides) up to each fetch_limit, in the shapes
// sync-terms and sync-content take, and feeds them through the same services with source 'pull'.
import type { BatchResult } from '../content/batch'
import { syncContent } from '../content/items'
import { storedItemIds, storedTermIds } from '../content/listing'
import { MAX_BATCH, type ItemInput, type TermInput } from '../content/model'
import { syncTerms } from '../content/terms'
import type { Db } from '../db/client'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'
import { renderedToText } from './html-entities'
import type { WpClient } from './wp-rest'
import type { SiteStructure } from './wp-structure'

export type ContentTotals = Record<
  'items' | 'terms',
  { created: number; updated: number; unchanged: number; deleted: number; skipped: number }
>
const PER_PAGE = 100 // WordPress's maximum

type RestTerm = { id?: unknown; name?: unknown; slug?: unknown; parent?: unknown; description?: unknown }
type RestItem = Record<string, unknown> & {
  id?: unknown
  title?: { rendered?: unknown }
  slug?: unknown
  status?: unknown
  link?: unknown
  modified_gmt?: unknown
}

/** Pulls terms first (so items' term ids resolve), then items; answers what the batches did. */
export async function pullContent(
  db: Db,
  integrationId: number,
  client: WpClient,
  structure: SiteStructure,
  config: IntegrationConfig,
): Promise<ContentTotals> {
  const totals: ContentTotals = { items: zero(), terms: zero() }
  const taxonomies = effectiveTypes(config, 'taxonomies')
  const terms = new Batcher<TermInput>((batch) =>
    add(totals.terms, syncTerms(db, null, integrationId, { terms: batch, deleted: [] }, 'pull')),
  )
  const goneTerms: { taxonomy: string; external_id: number }[] = []
  for (const tax of structure.taxonomies) {
    const rule = taxonomies[tax.slug]
    if (!rule?.enabled) continue
    const seen = new Set<number>()
    const read = pages<RestTerm>(client, tax.route, { _fields: 'id,name,slug,parent,description' }, rule.fetch_limit)
    for await (const page of read.rows) for (const t of page) if (firstSight(seen, t.id)) terms.push(toTerm(tax.slug, t.id, t))
    if (read.complete())
      for (const id of storedTermIds(db, integrationId, tax.slug))
        if (!seen.has(id)) goneTerms.push({ taxonomy: tax.slug, external_id: id })
  }
  terms.flush()
  for (let i = 0; i < goneTerms.length; i += MAX_BATCH)
    add(totals.terms, syncTerms(db, null, integrationId, { terms: [], deleted: goneTerms.slice(i, i + MAX_BATCH) }, 'pull'))

  const postTypes = effectiveTypes(config, 'post_types')
  const items = new Batcher<ItemInput>((batch) =>
    add(totals.items, syncContent(db, null, integrationId, { items: batch, deleted: [] }, 'pull')),
  )
  const restBaseOf = new Map(structure.taxonomies.map((t) => [t.slug, t.restBase]))
  const goneItems: number[] = []
  for (const type of structure.postTypes) {
    const rule = postTypes[type.slug]
    if (!rule?.enabled) continue
    // Each item lists its term ids under the taxonomy's rest_base (categories, tags, product_cat).
    const termFields = type.taxonomies.flatMap((slug) => (restBaseOf.has(slug) ? [[slug, restBaseOf.get(slug)!] as const] : []))
    const fields = ['id', 'title', 'slug', 'status', 'link', 'modified_gmt', ...termFields.map(([, base]) => base)].join(',')
    const seen = new Set<number>()
    const read = pages<RestItem>(client, type.route, { _fields: fields }, rule.fetch_limit)
    for await (const page of read.rows)
      for (const item of page) if (firstSight(seen, item.id)) items.push(toItem(type.slug, item.id, item, termFields))
    // Only published items are listed, so only published items can be known to be gone.
    if (read.complete()) for (const id of storedItemIds(db, integrationId, type.slug, 'publish')) if (!seen.has(id)) goneItems.push(id)
  }
  items.flush()
  for (let i = 0; i < goneItems.length; i += MAX_BATCH)
    add(totals.items, syncContent(db, null, integrationId, { items: [], deleted: goneItems.slice(i, i + MAX_BATCH) }, 'pull'))
  return totals
}

/**
 * Pages through a collection (published items by default) until `limit` rows or the last page.
 * `complete()` tells afterwards whether every row WordPress has was read (not cut by the limit),
 * which is when stored rows it no longer lists can be deleted.
 */
function pages<T>(client: WpClient, route: string, query: Record<string, string>, limit: number) {
  let complete = false
  async function* rows(): AsyncGenerator<T[]> {
    const perPage = Math.max(1, Math.min(PER_PAGE, limit))
    let fetched = 0
    for (let page = 1; fetched < limit; page++) {
      const { data, headers } = await client.get<unknown>(route, { ...query, per_page: perPage, page })
      const list = Array.isArray(data) ? (data as T[]) : []
      const kept = list.slice(0, limit - fetched)
      fetched += kept.length
      if (kept.length) yield kept
      const totalPages = Number(headers.get('x-wp-totalpages') ?? 0)
      if (list.length < perPage || !(page < totalPages)) {
        complete = kept.length === list.length && Array.isArray(data)
        return
      }
    }
  }
  return { rows: rows(), complete: () => complete }
}

class Batcher<T> {
  private rows: T[] = []
  constructor(private readonly send: (rows: T[]) => void) {}
  push(row: T) {
    this.rows.push(row)
    if (this.rows.length >= MAX_BATCH) this.flush()
  }
  flush() {
    if (this.rows.length) this.send(this.rows.splice(0))
  }
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0
/** A valid id not met before in this collection (pages can shift while WordPress changes underneath). */
const firstSight = (seen: Set<number>, id: unknown): id is number => isId(id) && !seen.has(id) && !!seen.add(id)
const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '')
const zero = () => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0 })
const add = (into: ReturnType<typeof zero>, r: BatchResult) => {
  into.created += r.created
  into.updated += r.updated
  into.unchanged += r.unchanged
  into.deleted += r.deleted
  into.skipped += r.skipped.length
}

function toTerm(taxonomy: string, id: number, t: RestTerm): TermInput {
  return {
    external_id: id,
    taxonomy,
    name: renderedToText(str(t.name, 2000)).slice(0, 400),
    slug: str(t.slug, 400),
    parent: isId(t.parent) ? t.parent : 0,
    description: str(t.description, 10_000),
  }
}

function toItem(postType: string, id: number, item: RestItem, termFields: (readonly [string, string])[]): ItemInput {
  const modified = str(item.modified_gmt, 40)
  return {
    external_id: id,
    post_type: postType,
    title: renderedToText(str(item.title?.rendered, 5000)).slice(0, 1000),
    slug: str(item.slug, 400),
    status: str(item.status, 40) || 'publish',
    url: str(item.link, 2000),
    // REST's modified_gmt is UTC without an offset; the contract wants RFC 3339 with one.
    modified_at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(modified) ? `${modified}Z` : null,
    terms: Object.fromEntries(
      termFields.map(([slug, base]) => [slug, Array.isArray(item[base]) ? [...new Set((item[base] as unknown[]).filter(isId))] : []]),
    ),
  }
}
