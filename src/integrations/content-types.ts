// The content-types read: the plugin's structure with admin overrides applied and the synced counts, as the plugin,
// the admin and the pages see it. The most frequent read of all, so kept in memory between changes.
import { eq, sql, type SQL } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { coalesced, type Outcome } from '../db/coalesce'
import { prepared } from '../db/prepared'
import { integrations, sites, typeCounters, type Site } from '../db/schema'
import { changeToken } from '../db/sqlite'
import { NotFound } from '../http/errors'
import { canSeeSite } from '../sites/service'
import { deepFreeze, effectiveTypes, isStale, readConfig, TYPE_KINDS, type IntegrationConfig } from './config'

const countersOf = (db: Db) =>
  prepared(db, 'integrations.counters', (d) =>
    d
      .select({ kind: typeCounters.kind, slug: typeCounters.slug, n: typeCounters.syncedCount })
      .from(typeCounters)
      .where(eq(typeCounters.integrationId, sql.placeholder('id')))
      .prepare(),
  )

type Counter = { kind: string; slug: string; n: number }

/** Structure with admin overrides applied and synced counts from the kept counters (one indexed read, whatever the volume). */
export async function readContentTypes(db: Db, integrationId: number, config: IntegrationConfig, now = Date.now()) {
  return contentTypesView(config, await countersOf(db).execute({ id: integrationId }), now)
}

type ContentTypesView = ReturnType<typeof contentTypesView>

function contentTypesView(config: IntegrationConfig, counters: Counter[], now = Date.now()) {
  const synced = new Map(counters.map((c) => [`${c.kind}:${c.slug}`, c.n]))
  const section = (kind: (typeof TYPE_KINDS)[number], counterKind: 'post_type' | 'taxonomy') =>
    Object.fromEntries(
      Object.entries(effectiveTypes(config, kind)).map(([slug, e]) => [
        slug,
        {
          label: e.label,
          count: e.count,
          synced_count: synced.get(`${counterKind}:${slug}`) ?? 0,
          enabled: e.enabled,
          fetch_limit: e.fetch_limit,
          overridden: e.overridden,
        },
      ]),
    )
  return {
    post_types: section('post_types', 'post_type'),
    taxonomies: section('taxonomies', 'taxonomy'),
    last_structure_fetch: config.content_types?.last_structure_fetch ?? null,
    plugin_connection_enabled: config.plugin_connection_enabled ?? true,
    two_way_sync_enabled: config.two_way_sync_enabled ?? true,
    stale: isStale(config, now),
    site_url: config.content_types?.site_url ?? null,
    wordpress_version: config.content_types?.wordpress_version ?? null,
  }
}

/** `[[kind, slug, synced_count], …]` of an integration's kept counters, as JSON text (the same shape on both engines). */
const countersJson = (engine: Db['engine']) =>
  engine === 'postgres'
    ? sql<string>`coalesce((select json_agg(json_build_array(${typeCounters.kind}, ${typeCounters.slug}, ${typeCounters.syncedCount}))::text from ${typeCounters} where ${typeCounters.integrationId} = ${integrations.id}), '[]')`
    : sql<string>`(select json_group_array(json_array(${typeCounters.kind}, ${typeCounters.slug}, ${typeCounters.syncedCount})) from ${typeCounters} where ${typeCounters.integrationId} = ${integrations.id})`

// content-types is the most frequent read: the integration, its site (for the tenant check) and the counters in one
// statement. On PostgreSQL that is one round trip instead of two; on SQLite (with parameters that keep the plan,
// see withStablePlans) ~20 µs against ~30 µs for two lookups and their row mapping. `where` picks the integrations.
const contentTypesQuery = (d: Db, where: SQL) =>
  d
    .select({ id: integrations.id, configJson: integrations.configJson, site: sites, counters: countersJson(d.engine) })
    .from(integrations)
    .innerJoin(sites, eq(sites.id, integrations.siteId))
    .where(where)
    .prepare()

const contentTypesRow = (db: Db) =>
  prepared(db, 'integrations.contentTypes', (d) => contentTypesQuery(d, eq(integrations.id, sql.placeholder('id'))))

type ContentTypesRow = Awaited<ReturnType<ReturnType<typeof contentTypesRow>['execute']>>[number]

// The same read for many integrations at once (PostgreSQL): `ids` is a JSON array.
const contentTypesRows = (db: Db) =>
  prepared(db, 'integrations.contentTypesMany', (d) =>
    contentTypesQuery(d, sql`${integrations.id} in (select jsonb_array_elements_text(${sql.placeholder('ids')}::jsonb)::bigint)`),
  )

// On PostgreSQL every read is a round trip, and a fleet's plugins, the admin and the pages read at once: the reads
// asked for while one is in flight wait for it and are then read together in one statement, one row per integration
// however many asked for it. That statement begins after they were asked, so each still sees every write answered
// before it. (Gathering a turn first as well measured no better: `ROUTE=ct bench/pg-cpu.ts`.) SQLite reads without a
// wait.
function contentTypesRowOf(db: Db, id: number): Promise<ContentTypesRow | undefined> {
  if (db.engine !== 'postgres')
    return contentTypesRow(db)
      .execute({ id })
      .then((rows) => rows[0])
  return coalesced(db, 'integrations:content-types', id, async (asked: number[]) => {
    const rows = await contentTypesRows(db).execute({ ids: JSON.stringify([...new Set(asked)]) })
    const byId = new Map(rows.map((row) => [row.id, row]))
    return asked.map((one): Outcome<ContentTypesRow | undefined> => ({ ok: true, value: byId.get(one) }))
  })
}

// content-types is read far more often than the structure or the counters change: the view is kept per integration,
// with the two texts it was built from (config_json and the counters as read), and built again when either differs.
// Only `stale` depends on the time, so both variants are kept, and a read answers the same (frozen) object as the
// reads before it until something changes (the route keeps its JSON text by that object). The same ids on another
// database are only a miss: the texts decide.
type BuiltView = {
  configJson: string
  counters: string
  config: Readonly<IntegrationConfig>
  /** The view with `stale` false, and true. */
  views: readonly [Readonly<ContentTypesView>, Readonly<ContentTypesView>]
}
const VIEWS_KEPT = 10_000
const views = new Map<number, BuiltView>()

// On SQLite a read finds out whether anything was committed since the last one for the integration (changeToken: the
// WAL-index header, one pread of ~0.7 µs) and, if nothing was, answers what that read found (its site for the tenant
// check, its view) instead of the statement (~12 µs). Per database: the token says nothing about another database's
// rows.
type Answered = { token: string; site: Site; built: BuiltView }
const answered = new WeakMap<Db, Map<number, Answered>>()

const variant = (built: BuiltView) => built.views[isStale(built.config, Date.now()) ? 1 : 0]

/** The integration's content types as the plugin and the admin see them; read-only, shared by every reader. */
export async function getContentTypes(db: Db, caller: Caller, id: number): Promise<Readonly<ContentTypesView>> {
  // Taken before the read: a write between the two makes the next token differ, never the other way round.
  const token = changeToken(db)
  let byId = answered.get(db)
  const last = token === undefined ? undefined : byId?.get(id)
  if (last && last.token === token) {
    if (!canSeeSite(caller, last.site)) throw new NotFound('Integration')
    return variant(last.built)
  }
  const row = await contentTypesRowOf(db, id)
  if (!row || !canSeeSite(caller, row.site)) throw new NotFound('Integration')
  let built = views.get(id)
  if (!built || built.configJson !== row.configJson || built.counters !== row.counters) {
    const config = readConfig(row.configJson)
    const counters = (JSON.parse(row.counters) as [string, string, number][]).map(([kind, slug, n]) => ({ kind, slug, n }))
    const view = contentTypesView(config, counters)
    const variants = [deepFreeze({ ...view, stale: false }), deepFreeze({ ...view, stale: true })] as const
    built = { configJson: row.configJson, counters: row.counters, config, views: variants }
    if (views.size >= VIEWS_KEPT) views.clear()
    views.set(id, built)
  }
  if (token !== undefined) {
    if (!byId) answered.set(db, (byId = new Map()))
    if (byId.size >= VIEWS_KEPT) byId.clear()
    byId.set(id, { token, site: row.site, built })
  }
  return variant(built)
}
