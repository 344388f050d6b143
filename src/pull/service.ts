// Pull mode: fetch a site's structure (and optionally content) from its stock REST API, store it exactly as a
// plugin push, and record one `pull` event whatever happens.
import { eq } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { pullCredentials, type SyncEvent } from '../db/schema'
import { Conflict, Forbidden, HttpError, Invalid, describeSafely } from '../http/errors'
import { parseConfig } from '../integrations/config'
import { getIntegrationWithSite, getVisibleIntegration } from '../integrations/service'
import { pushStructure } from '../integrations/structure'
import type { Logger } from '../log'
import { recordEvent, serializeEvent } from '../sync-log/service'
import { addressCheck } from './address-policy'
import { checkWpUrl, loadCredentials } from './credentials'
import { PullError } from './errors'
import type { TestConnectionInput } from './model'
import { DEFAULT_LIMITS, type FetchPolicy } from './safe-fetch'
import { pullContent, type ContentTotals } from './wp-content'
import { WpClient, type WpCredentials } from './wp-rest'
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

// Integrations being pulled right now, per database, so a second "pull now" gets 409 instead of doubling the work.
const running = new WeakMap<Db, Set<number>>()

/** POST …/pull/: a user's "pull now"; answers the event it recorded. */
export async function pullNow(deps: PullDeps, caller: Caller, integrationId: number, content?: boolean) {
  requireUser(caller)
  getVisibleIntegration(deps.db, caller, integrationId)
  return serializeEvent(await runPull(deps, integrationId, { content, source: 'admin' }))
}

/**
 * Runs one pull and records its `pull` event. Failures talking to WordPress end up in the event
 * (status 'error'), not thrown; only preconditions throw (403 inactive, 400 no credentials, 409 running).
 */
export async function runPull(deps: PullDeps, integrationId: number, opts: PullOptions): Promise<SyncEvent> {
  const { db, config, log } = deps
  const { integration, site } = getIntegrationWithSite(db, integrationId)
  if (!site.isActive || !integration.isActive) throw new Forbidden('Only active sites can be pulled.', 'inactive')
  const saved = db
    .select({ wpUrl: pullCredentials.wpUrl, includeContent: pullCredentials.includeContent })
    .from(pullCredentials)
    .where(eq(pullCredentials.integrationId, integrationId))
    .get()
  if (!saved) throw new Invalid('Save pull credentials (WordPress URL, user, Application Password) for this integration first.')
  const busy = running.get(db) ?? new Set<number>()
  running.set(db, busy)
  if (busy.has(integrationId)) throw new Conflict('A pull of this integration is already running.', 'pull_running')
  busy.add(integrationId)

  const startedAt = new Date()
  const withContent = opts.content ?? saved.includeContent
  const counts: Record<string, unknown> = { content: withContent }
  let client: WpClient | undefined
  let error: string | null = null
  const deadlineMs = opts.deadlineMs ?? PULL_DEADLINE_MS
  const deadline = AbortSignal.timeout(deadlineMs)
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline
  try {
    const creds = loadCredentials(db, config.secret, integrationId)!
    client = (await WpClient.connect(creds, policyFor(config, { ...opts, signal }))).client
    const structure = await readStructure(client)
    const previous = parseConfig(getIntegrationWithSite(db, integrationId).integration.configJson)
    pushStructure(db, null, integrationId, toStructurePush(structure, previous, new Date().toISOString()), 'pull')
    counts.post_types = structure.postTypes.length
    counts.taxonomies = structure.taxonomies.length
    if (withContent) {
      const config = parseConfig(getIntegrationWithSite(db, integrationId).integration.configJson)
      Object.assign(counts, flatten(await pullContent(db, integrationId, client, structure, config)))
    }
  } catch (e) {
    // Batches stored before the deadline stay stored (each is its own transaction); say so.
    if (deadline.aborted && !opts.signal?.aborted)
      error = `The pull was stopped after ${formatDuration(deadlineMs)}; what it stored until then is kept. Lower the fetch limits or pull structure only.`
    else if (e instanceof PullError || e instanceof HttpError) error = e.message
    else {
      log.error('pull failed', { integration_id: integrationId, error: describeSafely(e) })
      error = 'The pull failed because of an internal error; the server log has details.'
    }
  } finally {
    busy.delete(integrationId)
  }
  counts.requests = client?.requests ?? 0
  const host = new URL(saved.wpUrl).host
  return recordEvent(db, {
    integrationId,
    kind: 'pull',
    source: opts.source,
    status: error ? 'error' : 'ok',
    summary: error ? `Pull from ${host} failed` : summarize(host, counts),
    counts,
    error,
    startedAt,
  })
}

/** Proves credentials (given, or the saved ones) without storing anything: `{ ok, message | error }`. */
export async function testConnection(deps: PullDeps, caller: Caller, integrationId: number, input: TestConnectionInput) {
  requireUser(caller)
  getVisibleIntegration(deps.db, caller, integrationId)
  let creds: WpCredentials | null
  if (input.wp_url && input.username && input.app_password) {
    await checkWpUrl(deps.config, input.wp_url)
    creds = { wpUrl: input.wp_url, username: input.username, appPassword: input.app_password }
  } else {
    const saved = deps.db.select().from(pullCredentials).where(eq(pullCredentials.integrationId, integrationId)).get()
    if (!saved)
      throw new Invalid('No pull credentials are saved for this integration; send wp_url, username and app_password to test them.')
    try {
      creds = loadCredentials(deps.db, deps.config.secret, integrationId)
    } catch (e) {
      if (e instanceof PullError) return { ok: false as const, error: e.message, code: e.code }
      throw e
    }
  }
  try {
    const { client, user } = await WpClient.connect(creds!, policyFor(deps.config, {}))
    // The pull reads types with context=edit, which needs more than a login; prove that too.
    await client.get('/wp/v2/types', { context: 'edit' })
    const name = typeof user.name === 'string' ? user.name : 'this user'
    return { ok: true as const, message: `Connected to WordPress at ${new URL(creds!.wpUrl).host} as ${name}.`, route_style: client.style }
  } catch (e) {
    if (e instanceof PullError) return { ok: false as const, error: e.message, code: e.code }
    throw e
  }
}

/** Whether a pull of this integration is running in this process (for the admin pages). */
export const isPullRunning = (db: Db, integrationId: number) => running.get(db)?.has(integrationId) ?? false

function policyFor(config: Pick<Config, 'pullAllowPrivate'>, opts: Pick<Partial<PullOptions>, 'signal' | 'limits'>): FetchPolicy {
  return { ...DEFAULT_LIMITS, ...opts.limits, allowed: addressCheck(config.pullAllowPrivate), signal: opts.signal }
}

const formatDuration = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 100) / 10} s`)

const flatten = (t: ContentTotals) =>
  Object.fromEntries(Object.entries(t).flatMap(([kind, c]) => Object.entries(c).map(([k, n]) => [`${kind}_${k}`, n])))

function summarize(host: string, c: Record<string, unknown>): string {
  const base = `Pulled ${c.post_types} post types and ${c.taxonomies} taxonomies from ${host}`
  if (!c.content) return base
  const part = (kind: string) =>
    `${kind}: ${c[`${kind}_created`]} created, ${c[`${kind}_updated`]} updated, ${c[`${kind}_unchanged`]} unchanged, ${c[`${kind}_skipped`]} skipped`
  return `${base}; ${part('items')}; ${part('terms')}`
}
