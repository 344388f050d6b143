// The daily job: pull every integration that has credentials, note which ones turned stale, housekeeping,
// and one `cron` event saying what it did. Never two runs at once, in this process or beside another, and each
// scheduled slot once, however many nodes share the database.
import { asc, eq } from 'drizzle-orm'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { integrations, pullCredentials, sites, type SyncEvent } from '../db/schema'
import { HttpError, describeSafely } from '../http/errors'
import { isStale, parseConfig, STALE_AFTER_MS, structureReceivedAt } from '../integrations/config'
import type { Logger } from '../log'
import { runPull } from '../pull/service'
import { recordEventRow } from '../sync-log/service'
import { acquireLock, keepLockAlive, readState, releaseLock, STATE, type LockHolder } from './app-state'
import { housekeeping, type HousekeepingReport } from './housekeeping'
import { tryPgJobLock } from './pg-job-lock'
import { markRun } from './schedule'
import { claimSlot } from './slot'

export type JobDeps = { db: Db; config: Config; log: Logger }
export type JobOptions = {
  trigger?: 'schedule' | 'catch-up' | 'cli' | 'manual'
  signal?: AbortSignal
  /** How often the lock's heartbeat is refreshed (HEARTBEAT_MS); tests shorten it. */
  heartbeatMs?: number
  /** The scheduled time this run stands for (schedule and catch-up runs): each slot runs once across nodes. */
  slot?: Date
}
export type PullOutcome = { integration: number; wp_url: string; status: 'ok' | 'error' | 'skipped'; summary: string; error: string | null }
export type DailyJobResult =
  | { ran: true; event: SyncEvent; pulls: PullOutcome[]; newlyStale: number[]; staleTotal: number; housekeeping: HousekeepingReport }
  | { ran: false; reason: string; holder?: LockHolder; slotDone?: true }

// Data dirs with a run in progress in this process; the job lock covers other processes and nodes.
const runningIn = new Set<string>()

/**
 * Runs the daily job once at `now` (injectable for tests), unless a run is already in progress, or `opts.slot`
 * (the scheduled time a timer fired for) has already been run by this or another node.
 */
export async function runDailyJob(deps: JobDeps, now = new Date(), opts: JobOptions = {}): Promise<DailyJobResult> {
  const key = deps.config.dataDir
  if (runningIn.has(key)) return { ran: false, reason: 'The daily job is already running in this server.' }
  runningIn.add(key)
  try {
    const lock = await takeJobLock(deps.db, opts.heartbeatMs)
    if (!lock.acquired) return lock.refused
    try {
      if (opts.slot && !(await claimSlot(deps.db, opts.slot)))
        return { ran: false, reason: `The run scheduled for ${opts.slot.toISOString()} has already run.`, slotDone: true }
      return await run(deps, now, opts)
    } finally {
      await lock.release()
    }
  } finally {
    runningIn.delete(key)
  }
}

type JobLock = { acquired: true; release(): Promise<void> } | { acquired: false; refused: Extract<DailyJobResult, { ran: false }> }

/**
 * PostgreSQL: a session advisory lock, gone with its holder's connection (nodes may sit on different machines).
 * SQLite: the app_state lock with a heartbeat, which also tells `cron run-now` which process holds it.
 */
async function takeJobLock(db: Db, heartbeatMs?: number): Promise<JobLock> {
  if (db.engine === 'postgres') {
    const lock = await tryPgJobLock(db)
    if (lock) return { acquired: true, release: lock.release }
    return { acquired: false, refused: { ran: false, reason: 'The daily job is already running (on this or another node).' } }
  }
  const lock = await acquireLock(db)
  if (!lock.acquired) {
    const { pid, acquired_at } = lock.holder
    return {
      acquired: false,
      refused: { ran: false, reason: `The daily job is already running (process ${pid}, since ${acquired_at}).`, holder: lock.holder },
    }
  }
  const stopHeartbeat = keepLockAlive(db, lock.token, heartbeatMs)
  return {
    acquired: true,
    async release() {
      stopHeartbeat()
      await releaseLock(db, lock.token)
    },
  }
}

async function run({ db, config, log }: JobDeps, now: Date, opts: JobOptions): Promise<DailyJobResult> {
  const t0 = performance.now()
  const lastRun = await readState(db, STATE.lastRunAt)
  const pulls: PullOutcome[] = []
  for (const t of await pullTargets(db)) {
    const outcome = { integration: t.integrationId, wp_url: t.wpUrl }
    if (opts.signal?.aborted) pulls.push({ ...outcome, status: 'skipped', summary: 'Not pulled: the server is shutting down', error: null })
    else if (!t.active)
      pulls.push({ ...outcome, status: 'skipped', summary: 'Not pulled: the site or integration is inactive', error: null })
    else {
      try {
        const e = await runPull({ db, config, log }, t.integrationId, { source: 'cron', signal: opts.signal })
        pulls.push({ ...outcome, status: e.status, summary: e.summary, error: e.error })
      } catch (e) {
        // A pull already running (409) or gone meanwhile; one integration never stops the others.
        const message = e instanceof HttpError ? e.message : describeSafely(e)
        pulls.push({ ...outcome, status: 'skipped', summary: `Not pulled: ${message}`, error: null })
      }
    }
  }
  // After the pulls, so a site the job just refreshed is not reported.
  const { newlyStale, staleTotal } = await findStale(db, now, lastRun)
  await markRun(db, now)
  const hk = await housekeeping(db, config, now)

  const count = (s: PullOutcome['status']) => pulls.filter((p) => p.status === s).length
  const counts = {
    trigger: opts.trigger ?? 'manual',
    pulls_ok: count('ok'),
    pulls_failed: count('error'),
    pulls_skipped: count('skipped'),
    newly_stale: newlyStale,
    stale_total: staleTotal,
    ...hk,
  }
  const summary =
    `Daily job: ${pulls.length} pulls (${counts.pulls_ok} ok, ${counts.pulls_failed} failed, ${counts.pulls_skipped} skipped), ` +
    `${newlyStale.length} newly stale; pruned ${hk.refresh_tokens_pruned} refresh tokens, ${hk.events_pruned} sync events, ` +
    `${hk.sessions_pruned} admin sessions; ${hk.backup ? `backup ${hk.backup}` : (hk.backup_note ?? 'no backup')}`
  const event = await recordEventRow(db, {
    integrationId: null,
    kind: 'cron',
    source: 'cron',
    status: hk.failures.length ? 'error' : 'ok',
    summary,
    counts,
    error: hk.failures.length ? hk.failures.join('; ') : null,
    startedAt: now,
    durationMs: performance.now() - t0,
  })
  log.info('daily job finished', { summary, duration_ms: event.durationMs })
  return { ran: true, event, pulls, newlyStale, staleTotal, housekeeping: hk }
}

async function pullTargets(db: Db) {
  return (
    await db
      .select({
        integrationId: pullCredentials.integrationId,
        wpUrl: pullCredentials.wpUrl,
        integrationActive: integrations.isActive,
        siteActive: sites.isActive,
      })
      .from(pullCredentials)
      .innerJoin(integrations, eq(integrations.id, pullCredentials.integrationId))
      .innerJoin(sites, eq(sites.id, integrations.siteId))
      .orderBy(asc(pullCredentials.integrationId))
      .all()
  ).map((r) => ({ ...r, active: r.integrationActive && r.siteActive }))
}

/** Stale integrations, and those that turned stale since the last run (all of them before any run). */
async function findStale(db: Db, now: Date, lastRun: string | null) {
  const since = lastRun ? Date.parse(lastRun) : -Infinity
  const newlyStale: number[] = []
  let staleTotal = 0
  for (const row of await db
    .select({ id: integrations.id, configJson: integrations.configJson })
    .from(integrations)
    .orderBy(asc(integrations.id))
    .all()) {
    const config = parseConfig(row.configJson)
    if (!isStale(config, now.getTime())) continue
    staleTotal++
    const turnedStaleAt = structureReceivedAt(config)! + STALE_AFTER_MS
    if (turnedStaleAt > since) newlyStale.push(row.id)
  }
  return { newlyStale, staleTotal }
}
