// Which way an integration's changes travel: the plugin when it was seen lately, else the stock REST API with the pull
// credentials, else nowhere yet (the change waits and the admin is told why).
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { pluginEndpoints, pullCredentials } from '../db/schema'

export const PLUGIN_FRESH_MS = 24 * 3600_000

export type DeliveryPath = { path: 'plugin' | 'rest' | null; reason: string }

/** Plugin if it polled or registered its endpoint in the last 24 h, else rest if pull credentials are saved, else null. */
export async function deliveryPath(db: Db, integrationId: number, now = Date.now()): Promise<DeliveryPath> {
  const ep = await db.select().from(pluginEndpoints).where(eq(pluginEndpoints.integrationId, integrationId)).get()
  const last = Math.max(Date.parse(ep?.lastSeenAt ?? '') || 0, Date.parse(ep?.registeredAt ?? '') || 0)
  if (last && now - last <= PLUGIN_FRESH_MS)
    return { path: 'plugin', reason: `The IGNY8 plugin was last seen ${new Date(last).toISOString()}; it delivers the changes.` }
  const creds = await db
    .select({ id: pullCredentials.integrationId })
    .from(pullCredentials)
    .where(eq(pullCredentials.integrationId, integrationId))
    .get()
  if (creds)
    return {
      path: 'rest',
      reason: last
        ? `The IGNY8 plugin has not been seen for more than 24 h; changes go through the WordPress REST API with the pull credentials.`
        : 'Changes go through the WordPress REST API with the pull credentials (the IGNY8 plugin has not been seen).',
    }
  return {
    path: null,
    reason: last
      ? 'Changes wait: the IGNY8 plugin has not been seen for more than 24 h and no pull credentials are saved.'
      : 'Changes wait: the IGNY8 plugin has never polled and no pull credentials are saved. Install the plugin or save pull credentials.',
  }
}
