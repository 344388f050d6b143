// Pulls terms and items of the enabled types (after admin overrides) up to each fetch_limit, in the shapes
// sync-terms and sync-content take, and feeds them through the same services with source 'pull'. Deletions
// come last, once every collection was read in full and WordPress confirmed each missing id absent.
import type { BatchResult } from '../content/batch'
import { syncContent } from '../content/items'
import { MAX_BATCH, type ItemInput, type TermInput } from '../content/model'
import { syncTerms } from '../content/terms'
import { withTx, type Db } from '../db/client'
import { effectiveTypes, type IntegrationConfig } from '../integrations/config'
import { renderedToText } from './html-entities'
import { confirmAbsent, storedBefore, untouchedSince } from './reconcile'
import { readPages } from './wp-pages'
import type { WpClient } from './wp-rest'
import type { PulledType, SiteStructure } from './wp-structure'

type Counts = { created: number; updated: number; unchanged: number; deleted: number; skipped: number }
export type ContentTotals = Record<'items' | 'terms', Counts>
/** What every step of one content pull shares; `startedAt` (ISO) tells rows pushed during the pull apart. */
type Run = { db: Db; integrationId: number; client: WpClient; config: IntegrationConfig; startedAt: string }

type RestTerm = { id?: unknown; name?: unknown; slug?: unknown; parent?: unknown; description?: unknown }
/** A post as `context=edit` answers it: raw fields (what the plugin sends) beside rendered ones. */
type RestItem = Record<string, unknown> & {
  id?: unknown
  title?: { raw?: unknown; rendered?: unknown }
  content?: { raw?: unknown }
  excerpt?: { raw?: unknown }
  slug?: unknown
  status?: unknown
  link?: unknown
  modified_gmt?: unknown
  date_gmt?: unknown
  author?: unknown
  _embedded?: { author?: { id?: unknown; name?: unknown }[] }
}
type TermFields = (readonly [slug: string, restBase: string])[]

/** Pulls terms first (so items' term ids resolve), then items, then deletes what is confirmed gone. */
export async function pullContent(
  db: Db,
  integrationId: number,
  client: WpClient,
  structure: SiteStructure,
  config: IntegrationConfig,
  startedAt: Date,
): Promise<ContentTotals> {
  const run: Run = { db, integrationId, client, config, startedAt: startedAt.toISOString() }
  const totals: ContentTotals = { items: zero(), terms: zero() }
  const goneTerms = await pullTerms(run, structure, totals.terms)
  const goneItems = await pullItems(run, structure, totals.items)
  await deleteTerms(run, goneTerms, totals.terms)
  await deleteItems(run, goneItems, totals.items)
  return totals
}

/** Stores every enabled taxonomy's terms; answers the stored ones WordPress confirmed gone, per taxonomy. */
async function pullTerms(run: Run, structure: SiteStructure, into: Counts): Promise<Map<string, number[]>> {
  const rules = effectiveTypes(run.config, 'taxonomies')
  const batch = new Batcher<TermInput>(async (terms) =>
    add(into, await syncTerms(run.db, null, run.integrationId, { terms, deleted: [] }, 'pull')),
  )
  const gone = new Map<string, number[]>()
  for (const tax of structure.taxonomies) {
    const rule = rules[tax.slug]
    if (!rule?.enabled) continue
    const query = { _fields: 'id,name,slug,parent,description' }
    const push = (t: RestTerm) => batch.push(toTerm(tax.slug, t.id as number, t))
    gone.set(tax.slug, await readCollection(run, 'terms', tax.slug, tax.route, query, rule.fetch_limit, push))
  }
  await batch.flush()
  return gone
}

/**
 * Items are read as the plugin sends them: `context=edit` gives the raw title, block markup and excerpt, and naming
 * only `*.raw` in `_fields` spares WordPress rendering every body. The author's name comes embedded (one internal
 * request per author per page, cached by WordPress), so it costs no extra round trip.
 */
const ITEM_QUERY = {
  context: 'edit',
  _embed: 'author',
  _fields: 'id,title.raw,slug,status,link,modified_gmt,date_gmt,content.raw,excerpt.raw,author,_links.author,_embedded.author',
}

/** Stores every enabled post type's published items; answers the stored ones WordPress confirmed gone. */
async function pullItems(run: Run, structure: SiteStructure, into: Counts): Promise<number[]> {
  const rules = effectiveTypes(run.config, 'post_types')
  const batch = new Batcher<ItemInput>(async (items) =>
    add(into, await syncContent(run.db, null, run.integrationId, { items, deleted: [] }, 'pull')),
  )
  const restBaseOf = new Map(structure.taxonomies.map((t) => [t.slug, t.restBase]))
  const gone: number[] = []
  for (const type of structure.postTypes) {
    const rule = rules[type.slug]
    if (!rule?.enabled) continue
    const termFields = termFieldsOf(type, restBaseOf)
    const query = { ...ITEM_QUERY, _fields: [ITEM_QUERY._fields, ...termFields.map(([, base]) => base)].join(',') }
    const push = (item: RestItem) => batch.push(toItem(type.slug, item.id as number, item, termFields))
    gone.push(...(await readCollection(run, 'items', type.slug, type.route, query, rule.fetch_limit, push)))
  }
  await batch.flush()
  return gone
}

/**
 * Reads one collection (published items, or all terms) into `push`; after a complete read, asks WordPress about
 * each stored id the listing did not show (drafts and private items count as present) and answers the absent ones.
 */
async function readCollection<T extends { id?: unknown }>(
  run: Run,
  kind: 'items' | 'terms',
  slug: string,
  route: string,
  query: Record<string, string>,
  limit: number,
  push: (row: T) => Promise<void>,
): Promise<number[]> {
  const seen = new Set<number>()
  const read = readPages<T>(run.client, route, query, limit)
  for await (const page of read.rows) for (const row of page) if (firstSight(seen, row.id)) await push(row)
  if (!read.complete()) return []
  const missing = (await storedBefore(run.db, kind, run.integrationId, slug, run.startedAt)).filter((id) => !seen.has(id))
  const verify = kind === 'items' ? { ...query, status: 'any' } : query
  return confirmAbsent<T>(run.client, route, missing, verify, async (row) => {
    if (firstSight(seen, row.id)) await push(row)
  })
}

async function deleteTerms(run: Run, gone: Map<string, number[]>, into: Counts) {
  for (const [taxonomy, ids] of gone)
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      // Checked and deleted in one transaction: a term the plugin pushed meanwhile stays.
      await withTx(
        run.db,
        async (tx) => {
          const still = await untouchedSince(tx, 'terms', run.integrationId, ids.slice(i, i + MAX_BATCH), run.startedAt, taxonomy)
          const deleted = still.map((external_id) => ({ taxonomy, external_id }))
          if (deleted.length) add(into, await syncTerms(tx, null, run.integrationId, { terms: [], deleted }, 'pull'))
        },
        { lock: `integration:${run.integrationId}` },
      )
    }
}

async function deleteItems(run: Run, gone: number[], into: Counts) {
  for (let i = 0; i < gone.length; i += MAX_BATCH) {
    await withTx(
      run.db,
      async (tx) => {
        const deleted = await untouchedSince(tx, 'items', run.integrationId, gone.slice(i, i + MAX_BATCH), run.startedAt)
        if (deleted.length) add(into, await syncContent(tx, null, run.integrationId, { items: [], deleted }, 'pull'))
      },
      { lock: `integration:${run.integrationId}` },
    )
  }
}

class Batcher<T> {
  private rows: T[] = []
  constructor(private readonly send: (rows: T[]) => Promise<void>) {}
  async push(row: T) {
    this.rows.push(row)
    if (this.rows.length >= MAX_BATCH) await this.flush()
  }
  async flush() {
    if (this.rows.length) await this.send(this.rows.splice(0))
  }
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0
/** A valid id not met before in this collection (pages can shift while WordPress changes underneath). */
const firstSight = (seen: Set<number>, id: unknown): id is number => isId(id) && !seen.has(id) && !!seen.add(id)
const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '')
const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0 })
const add = (into: Counts, r: BatchResult) => {
  into.created += r.created
  into.updated += r.updated
  into.unchanged += r.unchanged
  into.deleted += r.deleted
  into.skipped += r.skipped.length
}

/** Each item lists its term ids under the taxonomy's rest_base (categories, tags, product_cat). */
const termFieldsOf = (type: PulledType, restBaseOf: Map<string, string>): TermFields =>
  type.taxonomies.flatMap((slug) => (restBaseOf.has(slug) ? [[slug, restBaseOf.get(slug)!] as const] : []))

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

/** REST's *_gmt dates are UTC without an offset; the contract wants RFC 3339 with one. */
const gmt = (v: unknown) => {
  const d = str(v, 40)
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(d) ? `${d}Z` : null
}
/** A raw text field, or null when the type lacks it (no editor or excerpt support) or it is over the contract's limit. */
const raw = (v: unknown, max: number) => (typeof v === 'string' && v.length <= max ? v : null)

/** The post's author: its id (absent when the type has no author support) and the embedded user's name. */
function authorOf(item: RestItem): ItemInput['author'] {
  if (!Number.isSafeInteger(item.author) || (item.author as number) < 0) return null
  const user = item._embedded?.author?.find((u) => u?.id === item.author)
  return { id: item.author as number, name: str(user?.name, 400) }
}

function toItem(postType: string, id: number, item: RestItem, termFields: TermFields): ItemInput {
  return {
    external_id: id,
    post_type: postType,
    // The raw title, as the plugin sends it; a WordPress that answers without it gets the rendered one decoded.
    title:
      typeof item.title?.raw === 'string' ? item.title.raw.slice(0, 1000) : renderedToText(str(item.title?.rendered, 5000)).slice(0, 1000),
    slug: str(item.slug, 400),
    status: str(item.status, 40) || 'publish',
    url: str(item.link, 2000),
    modified_at: gmt(item.modified_gmt),
    terms: Object.fromEntries(
      termFields.map(([slug, base]) => [slug, Array.isArray(item[base]) ? [...new Set((item[base] as unknown[]).filter(isId))] : []]),
    ),
    content: raw(item.content?.raw, 2_000_000),
    excerpt: raw(item.excerpt?.raw, 10_000),
    published_at: gmt(item.date_gmt),
    author: authorOf(item),
  }
}
