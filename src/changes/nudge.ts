// Nudges the plugin when changes wait: a small POST signed as Standard Webhooks do, so the plugin delivers at once
// instead of at its next 5-minute poll. Sent by the worker, never inside a request.
import { createHmac, randomUUID } from 'node:crypto'
import { and, count, eq } from 'drizzle-orm'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { contentChanges, pluginEndpoints } from '../db/schema'
import { PullError } from '../pull/errors'
import { policyFor } from '../pull/run'
import { safeFetch } from '../pull/safe-fetch'
import { openPassword } from '../pull/secret-box'

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64-decoded part of a `whsec_` secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`
}

export type NudgeResult = { sent: boolean; status?: number; error?: string }

/** POSTs {"integration", "pending"} to the registered endpoint when changes are pending; never throws. */
export async function sendNudge(db: Db, config: Config, integrationId: number, signal?: AbortSignal): Promise<NudgeResult> {
  const ep = await db.select().from(pluginEndpoints).where(eq(pluginEndpoints.integrationId, integrationId)).get()
  if (!ep?.url || !ep.secretEnc) return { sent: false }
  const pending = (await db
    .select({ n: count() })
    .from(contentChanges)
    .where(and(eq(contentChanges.integrationId, integrationId), eq(contentChanges.state, 'pending')))
    .get())!.n
  if (!pending) return { sent: false }
  try {
    const secret = openPassword(config.secret, integrationId, ep.secretEnc)
    const body = JSON.stringify({ integration: integrationId, pending })
    const id = `msg_${randomUUID()}`
    const timestamp = Math.floor(Date.now() / 1000)
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(secret, id, timestamp, body),
    }
    const res = await safeFetch(
      new URL(ep.url),
      headers,
      { ...policyFor(config, { signal }), timeoutMs: 10_000, maxBytes: 64 * 1024 },
      {
        method: 'POST',
        body,
      },
    )
    return { sent: res.status >= 200 && res.status < 300, status: res.status }
  } catch (e) {
    return { sent: false, error: e instanceof PullError ? e.message : 'The nudge could not be sent.' }
  }
}
