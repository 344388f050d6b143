// The plugin's structure push, and admin overrides of enabled/fetch_limit (the content-types read: ./content-types.ts).
import { eq, sql } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import { finalWrites, type Db, withTx } from '../db/client'
import { coalesced, type Outcome } from '../db/coalesce'
import { prepared } from '../db/prepared'
import { integrations } from '../db/schema'
import { Invalid, NotFound } from '../http/errors'
import { parseConfig, TYPE_KINDS, type IntegrationConfig, type Override } from './config'
import { recordEvent } from '../sync-log/service'
import { planPushes, type PushRequest } from './push-plan'
import { storeUnlocked } from './push-unlocked'
import type { ContentTypeOverridesPatch, StructurePush } from './model'
import { getVisibleIntegration, lockedIntegrationWithSite } from './service'
import { readContentTypes } from './content-types'

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
