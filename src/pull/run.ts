// One pull from start to recorded event: the preconditions and the lock (synchronous, so a refusal is immediate),
// then reading WordPress under a deadline and the shutdown signal, then one `pull` event whatever happened.
import { eq } from 'drizzle-orm'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { pullCredentials, type SyncEvent } from '../db/schema'
import { Conflict, Forbidden, HttpError, Invalid, describeSafely } from '../http/errors'
import { parseConfig } from '../integrations/config'
import { getIntegrationWithSite } from '../integrations/service'
import { pushStructure } from '../integrations/structure'
import type { Logger } from '../log'
import { recordEventRow } from '../sync-log/service'
import { addressCheck } from './address-policy'
import { loadCredentials } from './credentials'
import { PullError } from './errors'
import { takePullLock, type PullLock } from './pull-lock'
import { shutdownSignal } from './runs'
import { DEFAULT_LIMITS, type FetchPolicy } from './safe-fetch'
import { pullContent, type ContentTotals } from './wp-content'
import { WpClient } from './wp-rest'
import { readStructure, toStructurePush } from './wp-structure'

export type PullDeps = { db: Db; config: Config; log: Logger }
export type PullOptions = {
  /** Pull content too; absent: as the credentials' include_content says. */
  content?: boolean
  /** Who asked: an admin ('admin') or the daily job ('cron'). */
  source: 'admin' | 'cron'
  signal?: AbortSignal
  limits?: Partial<typeof DEFAULT_LIMITS>
  /** Cap on the whole pull (every request has its own timeout too); default PULL_DEADLINE_MS. */
  deadlineMs?: number
}

/** A pull of a large site must still end: after this the rest waits for the next run. */
export const PULL_DEADLINE_MS = 15 * 60_000

/** A pull that may start: its integration, what its credentials say, the lock it holds, when it began. */
export type PreparedPull = { integrationId: number; wpUrl: string; includeContent: boolean; lock: PullLock; startedAt: Date }
type Counts = Record<string, unknown>

/** Checks what a pull needs and takes its lock; throws 403 (inactive), 400 (no credentials) or 409 (running). */
export async function preparePull(db: Db, integrationId: number): Promise<PreparedPull> {
  const { integration, site } = await getIntegrationWithSite(db, integrationId)
  if (!site.isActive || !integration.isActive) throw new Forbidden('Only active sites can be pulled.', 'inactive')
  const saved = await db
    .select({ wpUrl: pullCredentials.wpUrl, includeContent: pullCredentials.includeContent })
    .from(pullCredentials)
    .where(eq(pullCredentials.integrationId, integrationId))
    .get()
  if (!saved) throw new Invalid('Save pull credentials (WordPress URL, user, Application Password) for this integration first.')
  const lock = await takePullLock(db, integrationId)
  if (!lock) throw new Conflict('A pull of this integration is already running.', 'pull_running')
  return { integrationId, ...saved, lock, startedAt: new Date() }
}

/**
 * Runs a prepared pull and records its `pull` event, then releases its lock. Failures talking to WordPress end
 * up in the event (status 'error'), never thrown.
 */
export async function executePull(deps: PullDeps, job: PreparedPull, opts: PullOptions): Promise<SyncEvent> {
  const counts: Counts = { content: opts.content ?? job.includeContent }
  const stop = stopSignals(deps.db, opts)
  const progress: { client?: WpClient } = {}
  let error: string | null = null
  try {
    await pullInto(deps, job, progress, counts, { ...opts, signal: stop.signal })
  } catch (e) {
    error = failureMessage(deps.log, job.integrationId, e, stop)
  }
  try {
    counts.requests = progress.client?.requests ?? 0
    return await record(deps.db, job, opts.source, counts, error)
  } finally {
    await job.lock.release()
  }
}

/** The structure (stored in one go once read), then the content if asked. */
async function pullInto(deps: PullDeps, job: PreparedPull, progress: { client?: WpClient }, counts: Counts, opts: PullOptions) {
  const { db, config } = deps
  const creds = (await loadCredentials(db, config.secret, job.integrationId))!
  const client = (progress.client = (await WpClient.connect(creds, policyFor(config, opts))).client)
  const structure = await readStructure(client)
  const timestamp = new Date().toISOString()
  await pushStructure(db, null, job.integrationId, toStructurePush(structure, await configOf(db, job.integrationId), timestamp), 'pull')
  counts.post_types = structure.postTypes.length
  counts.taxonomies = structure.taxonomies.length
  if (!counts.content) return
  const totals = await pullContent(db, job.integrationId, client, structure, await configOf(db, job.integrationId), job.startedAt)
  Object.assign(counts, flatten(totals))
}

/** The pull's own deadline, and what stops it from outside: the caller's signal and this process's shutdown. */
function stopSignals(db: Db, opts: PullOptions) {
  const deadlineMs = opts.deadlineMs ?? PULL_DEADLINE_MS
  const deadline = AbortSignal.timeout(deadlineMs)
  const outside = opts.signal ? AbortSignal.any([opts.signal, shutdownSignal(db)]) : shutdownSignal(db)
  return { deadlineMs, deadline, outside, signal: AbortSignal.any([outside, deadline]) }
}

function failureMessage(log: Logger, integrationId: number, e: unknown, stop: ReturnType<typeof stopSignals>): string {
  // Batches stored before the deadline stay stored (each is its own transaction); say so.
  if (stop.deadline.aborted && !stop.outside.aborted)
    return `The pull was stopped after ${formatDuration(stop.deadlineMs)}; what it stored until then is kept. Lower the fetch limits or pull structure only.`
  if (e instanceof PullError || e instanceof HttpError) return e.message
  log.error('pull failed', { integration_id: integrationId, error: describeSafely(e) })
  return 'The pull failed because of an internal error; the server log has details.'
}

async function record(db: Db, job: PreparedPull, source: PullOptions['source'], counts: Counts, error: string | null): Promise<SyncEvent> {
  const host = new URL(job.wpUrl).host
  return await recordEventRow(db, {
    integrationId: job.integrationId,
    kind: 'pull',
    source,
    status: error ? 'error' : 'ok',
    summary: error ? `Pull from ${host} failed` : summarize(host, counts),
    counts,
    error,
    startedAt: job.startedAt,
  })
}

export function policyFor(config: Pick<Config, 'pullAllowPrivate'>, opts: Pick<Partial<PullOptions>, 'signal' | 'limits'>): FetchPolicy {
  return { ...DEFAULT_LIMITS, ...opts.limits, allowed: addressCheck(config.pullAllowPrivate), signal: opts.signal }
}

const configOf = async (db: Db, integrationId: number) =>
  parseConfig((await getIntegrationWithSite(db, integrationId)).integration.configJson)

const formatDuration = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 100) / 10} s`)

const flatten = (t: ContentTotals) =>
  Object.fromEntries(Object.entries(t).flatMap(([kind, c]) => Object.entries(c).map(([k, n]) => [`${kind}_${k}`, n])))

function summarize(host: string, c: Counts): string {
  const base = `Pulled ${c.post_types} post types and ${c.taxonomies} taxonomies from ${host}`
  if (!c.content) return base
  const part = (kind: string) =>
    `${kind}: ${c[`${kind}_created`]} created, ${c[`${kind}_updated`]} updated, ${c[`${kind}_unchanged`]} unchanged, ${c[`${kind}_skipped`]} skipped`
  return `${base}; ${part('items')}; ${part('terms')}`
}
