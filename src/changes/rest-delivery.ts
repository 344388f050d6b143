// Delivery over the stock WordPress REST API with the pull credentials (no plugin needed): read the post
// (context=edit), check it against the change's base, write what is left, store WordPress's answer as the item.
import type { Config } from '../config'
import type { ItemInput } from '../content/model'
import type { Db } from '../db/client'
import type { ContentChange } from '../db/schema'
import { loadCredentials } from '../pull/credentials'
import { PullError } from '../pull/errors'
import { policyFor } from '../pull/run'
import { WpClient } from '../pull/wp-rest'
import { leaseAgain, leaseDue } from './lease'
import type { FieldValues } from './merge'
import { parseJson } from './serialize'
import { parseItem, settle, type Attempt } from './settle'

export const SEO_NEEDS_PLUGIN =
  'SEO fields need the IGNY8 plugin: the WordPress REST API cannot write them. Install the plugin, or edit the SEO fields in WordPress.'

const REST_BATCH = 5
const MAX_PER_RUN = 200

type Types = { routeOf: Map<string, string>; termBases: Map<string, [slug: string, restBase: string][]> }
type RestPost = Record<string, unknown> & { id?: number; modified_gmt?: string; date_gmt?: string | null }

/** Delivers the integration's due changes over REST; answers how many it settled. Never throws. */
export async function deliverOverRest(db: Db, config: Config, integrationId: number, owner: string, signal?: AbortSignal): Promise<number> {
  let creds
  try {
    creds = await loadCredentials(db, config.secret, integrationId)
  } catch (e) {
    creds = e instanceof PullError ? e : null
  }
  if (!creds) return 0
  // A few at a time, so each lease (5 min) comfortably covers its deliveries even against a slow site.
  let leased = await leaseDue(db, integrationId, owner, 'rest', REST_BATCH)
  if (!leased.length) return 0
  const held = (c: ContentChange) => c.leaseOwner === owner && c.state === 'delivering'
  const finish = async (c: ContentChange, a: Attempt) => await settle(db, c, a, 'pull', held)
  const failAll = async (error: string) => {
    for (const c of leased) await finish(c, { status: 'failed', error, retry: true })
    return leased.length
  }
  if (creds instanceof PullError) return await failAll(creds.message)
  let client: WpClient
  let types: Types
  try {
    client = (await WpClient.connect(creds, policyFor(config, { signal }))).client
    types = await readTypes(client)
  } catch (e) {
    return await failAll(e instanceof PullError ? e.message : 'WordPress could not be reached.')
  }
  const again = async (c: ContentChange) => await leaseAgain(db, c.id, owner, 'rest')
  let done = 0
  while (leased.length) {
    for (const change of leased) {
      // On shutdown the rest keep their lease until it runs out, then return to pending for the next start.
      if (signal?.aborted) return done
      await deliverOne(client, types, change, finish, again)
      done++
    }
    if (done >= MAX_PER_RUN) break
    leased = await leaseDue(db, integrationId, owner, 'rest', REST_BATCH)
  }
  return done
}

async function deliverOne(
  client: WpClient,
  types: Types,
  change: ContentChange,
  finish: (c: ContentChange, a: Attempt) => Promise<ContentChange | null>,
  again: (c: ContentChange) => Promise<ContentChange | null>,
) {
  const fields = parseJson<FieldValues>(change.fieldsJson, {})
  if (fields.seo !== undefined) return finish(change, { status: 'failed', error: SEO_NEEDS_PLUGIN, retry: false })
  const route = types.routeOf.get(change.postType)
  if (!route) return finish(change, { status: 'failed', error: `WordPress has no post type "${change.postType}" any more.`, retry: false })
  const toItem = (p: RestPost) => restToItem(change.postType, p, types.termBases.get(change.postType) ?? [])
  try {
    let current = change
    if (change.kind === 'update') {
      const now = toItem((await client.get<RestPost>(`${route}/${change.externalId}`, { context: 'edit' })).data)
      if (!sameInstant(now.modified_at, change.baseModifiedAt)) {
        // Changed in WordPress since the edit: merge as for the plugin's conflict answer; re-based → write on now.
        const after = await finish(change, { status: 'conflict', item: now })
        if (!after || after.state !== 'pending') return after
        const next = await again(after)
        if (!next) return after
        current = next
      }
    }
    const write = parseJson<FieldValues>(current.fieldsJson, {})
    const target = current.kind === 'update' ? `${route}/${current.externalId}` : route
    const answer = await client.post<RestPost>(target, restBody(write, types.termBases.get(change.postType) ?? []), { context: 'edit' })
    const item = toItem(answer)
    return finish(current, { status: 'applied', externalId: item.external_id, item })
  } catch (e) {
    if (!(e instanceof PullError)) throw e
    if (e.code === 'not_found' && change.kind === 'update')
      return finish(change, { status: 'failed', error: 'The post was deleted in WordPress.', retry: false })
    // WordPress refusing a value (rest_invalid_param and the like) will refuse it again; anything else may pass later.
    const final = !!e.wpCode && /^rest_(invalid|cannot|post_invalid)/.test(e.wpCode)
    return finish(change, { status: 'failed', error: e.message, retry: !final })
  }
}

const sameInstant = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && Date.parse(a) === Date.parse(b)

/** Post type routes and, per type, its taxonomies' REST fields (as the pull reads them: public, show_ui). */
async function readTypes(client: WpClient): Promise<Types> {
  type T = { rest_base?: string; rest_namespace?: string; taxonomies?: string[] }
  type X = { rest_base?: string; visibility?: { public?: boolean; show_ui?: boolean } }
  const types = (await client.get<Record<string, T>>('/wp/v2/types', { context: 'edit' })).data ?? {}
  const taxes = (await client.get<Record<string, X>>('/wp/v2/taxonomies', { context: 'edit' })).data ?? {}
  const routeOf = new Map<string, string>()
  const termBases = new Map<string, [string, string][]>()
  for (const [slug, t] of Object.entries(types)) {
    routeOf.set(slug, `/${t.rest_namespace || 'wp/v2'}/${t.rest_base || slug}`)
    const bases = (t.taxonomies ?? []).flatMap((tax): [string, string][] => {
      const x = taxes[tax]
      return x && x.visibility?.public && x.visibility?.show_ui ? [[tax, x.rest_base || tax]] : []
    })
    termBases.set(slug, bases)
  }
  return { routeOf, termBases }
}

const raw = (v: unknown): string | undefined =>
  v && typeof v === 'object' && typeof (v as { raw?: unknown }).raw === 'string'
    ? (v as { raw: string }).raw
    : typeof v === 'string'
      ? v
      : undefined
const gmt = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(v) ? `${v}Z` : null)

/** A post as `context=edit` shows it, in sync-content's item shape (raw title, content and excerpt). */
function restToItem(postType: string, p: RestPost, termBases: [string, string][]): ItemInput {
  const ids = (v: unknown) => (Array.isArray(v) ? [...new Set(v.filter((x) => Number.isSafeInteger(x) && x > 0))] : [])
  return parseItem({
    external_id: p.id,
    post_type: postType,
    title: (raw(p.title) ?? '').slice(0, 1000),
    slug: typeof p.slug === 'string' ? p.slug : '',
    status: typeof p.status === 'string' ? p.status : 'draft',
    url: typeof p.link === 'string' ? p.link.slice(0, 2000) : '',
    modified_at: gmt(p.modified_gmt),
    terms: Object.fromEntries(termBases.filter(([, base]) => Array.isArray(p[base])).map(([slug, base]) => [slug, ids(p[base])])),
    content: raw(p.content) ?? null,
    excerpt: raw(p.excerpt) ?? null,
    published_at: gmt(p.date_gmt),
  })
}

/** The REST body of a change: WordPress's own field names, terms under each taxonomy's rest_base. */
function restBody(fields: FieldValues, termBases: [string, string][]): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of ['title', 'slug', 'status', 'content', 'excerpt'] as const) if (fields[f] !== undefined) body[f] = fields[f] ?? ''
  const terms = (fields.terms ?? {}) as Record<string, number[]>
  for (const [tax, ids] of Object.entries(terms)) {
    const base = termBases.find(([slug]) => slug === tax)?.[1] ?? tax
    body[base] = ids
  }
  return body
}
