// The plugin's structure push, the content-types read, and admin overrides of enabled/fetch_limit.
import { eq, sql } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import { finalWrites, type Db, withTx } from '../db/client'
import { coalesced, type Outcome } from '../db/coalesce'
import { prepared } from '../db/prepared'
import { integrations, sites, typeCounters, type Site } from '../db/schema'
import { changeToken } from '../db/sqlite'
import { Invalid, NotFound } from '../http/errors'
import { canSeeSite } from '../sites/service'
import { deepFreeze, effectiveTypes, isStale, parseConfig, readConfig, TYPE_KINDS, type IntegrationConfig, type Override } from './config'
import { recordEvent } from '../sync-log/service'
import { planPushes, type PushRequest } from './push-plan'
import { storeUnlocked } from './push-unlocked'
import type { ContentTypeOverridesPatch, StructurePush } from './model'
import { getVisibleIntegration, lockedIntegrationWithSite } from './service'

const setConfig = (db: Db) =>
  prepared(db, 'integrations.setConfig', (d) =>
    d
      .update(integrations)
      .set({ configJson: sql`${sql.placeholder('configJson')}`, updatedAt: sql`${sql.placeholder('updatedAt')}` })
      .where(eq(integrations.id, sql.placeholder('id')))
      .prepare(),
  )

/**
 * Stores a structure push in config_json, with its sync-log event, as one read-modify-write (see storePushes). Pushes
 * to the same integration that arrive while one is stored are stored together (see coalesced): one read, each push
 * applied in turn, one write and an event for each.
 */
export async function pushStructure(db: Db, caller: Caller | null, id: number, push: StructurePush, source: 'plugin' | 'pull' = 'plugin') {
  const config = await coalesced(
    db,
    `integration:${id}`,
    { caller, push, source, started: new Date() },
    (batch) => storePushes(db, id, batch),
    // On PostgreSQL the first batch takes the pushes of its turn (ROUTE=site bench/pg-cpu.ts: +0 to +20 %); SQLite's
    // group commit already waits a turn before it begins.
    { gatherTurn: db.engine === 'postgres' },
  )
  const ct = config.content_types!
  return {
    message: 'Site structure updated successfully',
    post_types_count: Object.keys(ct.post_types ?? {}).length,
    taxonomies_count: Object.keys(ct.taxonomies ?? {}).length,
    last_structure_fetch: ct.last_structure_fetch!,
  }
}

/** Conflicting writes a push tries to store over on PostgreSQL before it takes the integration's lock instead. */
const UNLOCKED_CONFLICTS = 4
/**
 * How long the pushes to an integration go straight to its lock once a store ran out of tries: while other nodes keep
 * writing the row, each try is a round trip bound to fail. With two nodes pushing to one site (docs/PERFORMANCE.md)
 * 1,552–2,064 req/s before, 2,180–2,436 with this, 2,360–2,555 always locked; yet with one node, or nodes pushing to
 * different sites, the store without the lock is far the faster, so the lock is only for a while.
 */
export const CONTENDED_MS = 1000
const contendedUntil = new WeakMap<Db, Map<number, number>>()

/**
 * The pushes in their order, as one after another: each one's config, or its own error (404, 403). On PostgreSQL
 * first without a transaction (see storeUnlocked); when other writes keep changing the row in between, and on
 * SQLite always, in one transaction that reads the row locked.
 */
async function storePushes(db: Db, id: number, batch: PushRequest[]): Promise<Outcome<IntegrationConfig>[]> {
  if (db.engine === 'postgres') {
    let contended = contendedUntil.get(db)
    if (!contended) contendedUntil.set(db, (contended = new Map()))
    if ((contended.get(id) ?? 0) <= Date.now()) {
      contended.delete(id)
      // A store that only read the row (the node had none to plan from) is followed by one that writes: not counted.
      for (let tries = 0, conflicts = 0; tries < 2 * UNLOCKED_CONFLICTS; tries++) {
        const stored = await storeUnlocked(db, id, batch)
        if ('outcomes' in stored) return stored.outcomes
        if (stored.again === 'conflict' && ++conflicts === UNLOCKED_CONFLICTS) break
      }
      if (contended.size >= 10_000) contended.clear()
      contended.set(id, Date.now() + CONTENDED_MS)
    }
  }
  return withTx(
    db,
    async (tx) => {
      // The tenant check and the config the pushes merge into, in one statement.
      const plan = planPushes(id, await lockedIntegrationWithSite(tx, id), batch)
      if (plan.stored) await finalWrites(tx, [setConfig(tx).execute(plan.stored), ...plan.events.map((e) => recordEvent(tx, e))])
      return plan.outcomes
    },
    { lock: `integration:${id}` },
  )
}

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
// see withStablePlans) ~20 µs against ~30 µs for two lookups and their row mapping.
const contentTypesRow = (db: Db) =>
  prepared(db, 'integrations.contentTypes', (d) =>
    d
      .select({ configJson: integrations.configJson, site: sites, counters: countersJson(d.engine) })
      .from(integrations)
      .innerJoin(sites, eq(sites.id, integrations.siteId))
      .where(eq(integrations.id, sql.placeholder('id')))
      .prepare(),
  )

type ContentTypesRow = Awaited<ReturnType<ReturnType<typeof contentTypesRow>['execute']>>[number]

// The same read for many integrations at once (PostgreSQL): `ids` is a JSON array.
const contentTypesRows = (db: Db) =>
  prepared(db, 'integrations.contentTypesMany', (d) =>
    d
      .select({ id: integrations.id, configJson: integrations.configJson, site: sites, counters: countersJson(d.engine) })
      .from(integrations)
      .innerJoin(sites, eq(sites.id, integrations.siteId))
      .where(sql`${integrations.id} in (select jsonb_array_elements_text(${sql.placeholder('ids')}::jsonb)::bigint)`)
      .prepare(),
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

// On SQLite a read finds out whether anything was written since the last one for the integration (changeToken, ~2.5
// µs) and, if nothing was, answers what that read found (its site for the tenant check, its view) instead of the
// statement (~12 µs). Per database: the token says nothing about another database's rows.
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

/** Applies admin overrides; a slug the last structure lacks is a 400 naming its path. Users only. */
export async function patchContentTypes(db: Db, caller: Caller, id: number, patch: ContentTypeOverridesPatch) {
  requireUser(caller)
  await getVisibleIntegration(db, caller, id)
  const config = await withTx(
    db,
    async (tx) => {
      const locked = await lockedIntegrationWithSite(tx, id)
      if (!locked) throw new NotFound('Integration') // deleted since the check above
      const current = parseConfig(locked.integration.configJson)
      const overrides = {
        post_types: { ...current.content_type_overrides?.post_types },
        taxonomies: { ...current.content_type_overrides?.taxonomies },
      }
      const errors: Record<string, string[]> = {}
      for (const kind of TYPE_KINDS) {
        for (const [slug, change] of Object.entries(patch[kind] ?? {})) {
          if (!Object.hasOwn(current.content_types?.[kind] ?? {}, slug)) {
            errors[`${kind}.${slug}`] = ['The last structure pushed for this site has no such type.']
            continue
          }
          const next: Override = { ...overrides[kind][slug] }
          for (const field of ['enabled', 'fetch_limit'] as const) {
            if (change[field] === null) delete next[field]
            else if (change[field] !== undefined) (next as Record<string, unknown>)[field] = change[field]
          }
          if (Object.keys(next).length) overrides[kind][slug] = next
          else delete overrides[kind][slug]
        }
      }
      if (Object.keys(errors).length) throw new Invalid(`Unknown content type: ${Object.keys(errors)[0]}.`, errors)
      const next = { ...current, content_type_overrides: overrides }
      await tx
        .update(integrations)
        .set({ configJson: JSON.stringify(next), updatedAt: new Date().toISOString() })
        .where(eq(integrations.id, id))
        .run()
      return next
    },
    { lock: `integration:${id}` },
  )
  return await readContentTypes(db, id, config)
}
