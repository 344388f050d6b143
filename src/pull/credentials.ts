// Pull credentials per integration: saved with the Application Password encrypted, shown without it.
import { eq } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { pullCredentials } from '../db/schema'
import { Invalid } from '../http/errors'
import { getVisibleIntegration } from '../integrations/service'
import { addressCheck, resolveTarget } from './address-policy'
import { PullError } from './errors'
import type { CredentialsInput } from './model'
import { openPassword, sealPassword } from './secret-box'
import type { WpCredentials } from './wp-rest'

/** What the API and admin pages show: never the password. */
export type CredentialsView = { wp_url: string | null; username: string | null; configured: boolean; include_content: boolean }

const NONE: CredentialsView = { wp_url: null, username: null, configured: false, include_content: false }

/** Refuses a URL whose host is (or resolves to) loopback/private/link-local unless the server allows it: 400 naming wp_url. */
export async function checkWpUrl(config: Pick<Config, 'pullAllowPrivate'>, wpUrl: string): Promise<void> {
  try {
    await resolveTarget(new URL(wpUrl), addressCheck(config.pullAllowPrivate))
  } catch (e) {
    if (e instanceof PullError) throw Invalid.field('wp_url', e.message)
    throw e
  }
}

/** PUT: stores (or replaces) the credentials of a visible integration. Users only. */
export async function saveCredentials(
  db: Db,
  config: Config,
  caller: Caller,
  integrationId: number,
  input: CredentialsInput,
): Promise<CredentialsView> {
  requireUser(caller)
  await getVisibleIntegration(db, caller, integrationId)
  await checkWpUrl(config, input.wp_url)
  const sealed = sealPassword(config.secret, integrationId, input.app_password)
  const now = new Date().toISOString()
  const row = await db
    .insert(pullCredentials)
    .values({
      integrationId,
      wpUrl: input.wp_url,
      username: input.username,
      appPasswordEnc: sealed,
      includeContent: input.include_content ?? false,
    })
    .onConflictDoUpdate({
      target: pullCredentials.integrationId,
      set: {
        wpUrl: input.wp_url,
        username: input.username,
        appPasswordEnc: sealed,
        updatedAt: now,
        ...(input.include_content !== undefined && { includeContent: input.include_content }),
      },
    })
    .returning()
    .get()
  return { wp_url: row.wpUrl, username: row.username, configured: true, include_content: row.includeContent }
}

/** GET: the saved URL and user, or `configured: false`. Users only. */
export async function getCredentials(db: Db, caller: Caller, integrationId: number): Promise<CredentialsView> {
  requireUser(caller)
  await getVisibleIntegration(db, caller, integrationId)
  const row = await db.select().from(pullCredentials).where(eq(pullCredentials.integrationId, integrationId)).get()
  return row ? { wp_url: row.wpUrl, username: row.username, configured: true, include_content: row.includeContent } : NONE
}

/** DELETE: forgets the credentials (nothing to forget is fine). Users only. */
export async function deleteCredentials(db: Db, caller: Caller, integrationId: number): Promise<void> {
  requireUser(caller)
  await getVisibleIntegration(db, caller, integrationId)
  await db.delete(pullCredentials).where(eq(pullCredentials.integrationId, integrationId)).run()
}

/** The decrypted credentials for the server's own work (a pull), or null when none are saved. */
export async function loadCredentials(
  db: Db,
  secret: string,
  integrationId: number,
): Promise<(WpCredentials & { includeContent: boolean }) | null> {
  const row = await db.select().from(pullCredentials).where(eq(pullCredentials.integrationId, integrationId)).get()
  if (!row) return null
  return {
    wpUrl: row.wpUrl,
    username: row.username,
    appPassword: openPassword(secret, integrationId, row.appPasswordEnc),
    includeContent: row.includeContent,
  }
}
