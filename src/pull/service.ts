// Pull mode: fetch a site's structure (and optionally content) from its stock REST API, store it exactly as a
// plugin push, and record one `pull` event whatever happens (the steps are in run.ts).
import { eq } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { pullCredentials, type SyncEvent } from '../db/schema'
import { Invalid } from '../http/errors'
import { getVisibleIntegration } from '../integrations/service'
import { serializeEvent } from '../sync-log/service'
import { checkWpUrl, loadCredentials } from './credentials'
import { PullError } from './errors'
import type { TestConnectionInput } from './model'
import { isPullLocked } from './pull-lock'
import { executePull, policyFor, preparePull, type PullDeps, type PullOptions } from './run'
import { track } from './runs'
import { WpClient, type WpCredentials } from './wp-rest'

export { PULL_DEADLINE_MS, type PullDeps, type PullOptions } from './run'

/** POST …/pull/: a user's "pull now"; answers the event it recorded once the pull is done. */
export async function pullNow(deps: PullDeps, caller: Caller, integrationId: number, content?: boolean) {
  return serializeEvent(await (await startPull(deps, caller, integrationId, content)).done)
}

/**
 * Starts a user's pull and hands back its promise (`done`) once it has started, so a page need not wait for it: refusals (404, 403,
 * 400 no credentials, 409 already running) throw here, before anything runs; the promise resolves with the
 * recorded event (a failed pull is an event too).
 */
export async function startPull(
  deps: PullDeps,
  caller: Caller,
  integrationId: number,
  content?: boolean,
): Promise<{ done: Promise<SyncEvent> }> {
  requireUser(caller)
  await getVisibleIntegration(deps.db, caller, integrationId)
  const job = await preparePull(deps.db, integrationId)
  return { done: track(deps.db, executePull(deps, job, { content, source: 'admin' })) }
}

/**
 * Runs one pull (the daily job's, or a test's) and records its `pull` event. Failures talking to WordPress end up
 * in the event, not thrown; only preconditions throw (403 inactive, 400 no credentials, 409 running).
 */
export async function runPull(deps: PullDeps, integrationId: number, opts: PullOptions): Promise<SyncEvent> {
  const job = await preparePull(deps.db, integrationId)
  return track(deps.db, executePull(deps, job, opts))
}

/** Whether a pull of this integration is running, in this process or another on the same database. */
export const isPullRunning = async (db: Db, integrationId: number) => await isPullLocked(db, integrationId)

/** Proves credentials (given, or the saved ones) without storing anything: `{ ok, message | error }`. */
export async function testConnection(deps: PullDeps, caller: Caller, integrationId: number, input: TestConnectionInput) {
  requireUser(caller)
  await getVisibleIntegration(deps.db, caller, integrationId)
  let creds: WpCredentials | null
  if (input.wp_url && input.username && input.app_password) {
    await checkWpUrl(deps.config, input.wp_url)
    creds = { wpUrl: input.wp_url, username: input.username, appPassword: input.app_password }
  } else {
    const saved = await deps.db.select().from(pullCredentials).where(eq(pullCredentials.integrationId, integrationId)).get()
    if (!saved)
      throw new Invalid('No pull credentials are saved for this integration; send wp_url, username and app_password to test them.')
    try {
      creds = await loadCredentials(deps.db, deps.config.secret, integrationId)
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
