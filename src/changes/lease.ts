// Leases: a change handed to a deliverer (the plugin's poll or this server's REST worker) for 5 minutes. A lease that
// runs out returns the change to `pending`, checked lazily on every read and by the worker, so a dead holder never
// keeps a change.
import { and, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Caller } from '../auth/caller'
import { type Db, withTx } from '../db/client'
import { contentChanges, pluginEndpoints } from '../db/schema'
import { Forbidden } from '../http/errors'
import { getVisibleIntegration } from '../integrations/service'
import { serializeChange } from './serialize'
import { nowIso } from './store'

export const LEASE_MS = 5 * 60_000
export const MAX_LEASED = 50

/** Returns expired leases (of one integration, or all) to `pending`; the holder stays recorded so its late answer still counts. */
export async function expireLeases(db: Pick<Db, 'update'>, integrationId?: number, now = Date.now()): Promise<number> {
  const rows = await db
    .update(contentChanges)
    .set({ state: 'pending', leaseExpiresAt: null, updatedAt: nowIso() })
    .where(
      and(
        eq(contentChanges.state, 'delivering'),
        lt(contentChanges.leaseExpiresAt, now),
        integrationId === undefined ? undefined : eq(contentChanges.integrationId, integrationId),
      ),
    )
    .returning({ id: contentChanges.id })
    .all()
  return rows.length
}

/** Pending changes due now (not waiting out a backoff), oldest first. */
export const dueNow = (now: number) =>
  and(eq(contentChanges.state, 'pending'), or(isNull(contentChanges.nextAttemptAt), lte(contentChanges.nextAttemptAt, now)))

/** Leases up to `limit` due changes of an integration to `owner`, oldest first, in one immediate transaction. */
export async function leaseDue(
  db: Db,
  integrationId: number,
  owner: string,
  delivery: 'plugin' | 'rest',
  limit = MAX_LEASED,
  now = Date.now(),
) {
  return await withTx(
    db,
    async (tx) => {
      await expireLeases(tx, integrationId, now)
      const ids = (
        await tx
          .select({ id: contentChanges.id })
          .from(contentChanges)
          .where(and(eq(contentChanges.integrationId, integrationId), dueNow(now)))
          .orderBy(contentChanges.id)
          .limit(limit)
          .all()
      ).map((r) => r.id)
      if (!ids.length) return []
      return (
        await tx
          .update(contentChanges)
          .set({ state: 'delivering', delivery, leaseOwner: owner, leaseExpiresAt: now + LEASE_MS, updatedAt: new Date(now).toISOString() })
          .where(inArray(contentChanges.id, ids))
          .returning()
          .all()
      ).sort((a, b) => a.id - b.id)
    },
    { lock: `changes:${integrationId}` },
  )
}

/** The lease holder name of a site API key: only that key may answer for the changes it took. */
export const keyOwner = (caller: Caller) => (caller.kind === 'apiKey' ? `key:${caller.keyId}` : '')

/** The site's API key on an active integration, else 403 (users never deliver). */
export async function requirePlugin(db: Db, caller: Caller, integrationId: number) {
  const { integration, site } = await getVisibleIntegration(db, caller, integrationId)
  if (caller.kind !== 'apiKey') throw new Forbidden('Only the site’s plugin (its API key) delivers changes.')
  if (!site.isActive || !integration.isActive) throw new Forbidden('Only active sites can take changes.', 'inactive')
  return integration
}

/** GET …/changes/pending/: the plugin's poll. Leases up to 50 due changes to its key and records that it was seen. */
export async function pollPending(db: Db, caller: Caller, integrationId: number) {
  await requirePlugin(db, caller, integrationId)
  await markSeen(db, integrationId)
  return (await leaseDue(db, integrationId, keyOwner(caller), 'plugin')).map(serializeChange)
}

/** The plugin polled or registered just now: the plugin path is live for the next 24 h. */
export async function markSeen(db: Db, integrationId: number): Promise<void> {
  const now = nowIso()
  await db
    .insert(pluginEndpoints)
    .values({ integrationId, lastSeenAt: now })
    .onConflictDoUpdate({ target: pluginEndpoints.integrationId, set: { lastSeenAt: sql`${now}` } })
    .run()
}

/** Takes one pending change again (a re-based change the REST worker delivers on in the same run); null if gone meanwhile. */
export async function leaseAgain(db: Db, id: number, owner: string, delivery: 'plugin' | 'rest', now = Date.now()) {
  return (
    (await db
      .update(contentChanges)
      .set({ state: 'delivering', delivery, leaseOwner: owner, leaseExpiresAt: now + LEASE_MS, updatedAt: new Date(now).toISOString() })
      .where(and(eq(contentChanges.id, id), eq(contentChanges.state, 'pending')))
      .returning()
      .get()) ?? null
  )
}
