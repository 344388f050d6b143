// The plugin's side of delivery: its result for a leased change, and registering its nudge endpoint.
import { randomBytes } from 'node:crypto'
import type { Caller } from '../auth/caller'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { pluginEndpoints, type ContentChange } from '../db/schema'
import { Conflict, Invalid } from '../http/errors'
import { addressCheck, resolveTarget } from '../pull/address-policy'
import { PullError } from '../pull/errors'
import { sealPassword } from '../pull/secret-box'
import { keyOwner, markSeen, requirePlugin } from './lease'
import type { ResultInput } from './model'
import { serializeChange } from './serialize'
import { parseItem, settle, type Attempt } from './settle'
import { queued } from './signal'
import { changeOf, nowIso } from './store'

/**
 * POST …/changes/{cid}/result/: only the key holding the lease may answer (409 otherwise). A lease that ran out
 * but was not taken by anyone else still counts: the plugin may have written to WordPress just before it ran out.
 */
export async function answerResult(db: Db, caller: Caller, integrationId: number, cid: number, body: ResultInput) {
  await requirePlugin(db, caller, integrationId)
  await markSeen(db, integrationId)
  const owner = keyOwner(caller)
  const held = (c: { state: string; leaseOwner: string | null }) =>
    c.leaseOwner === owner && (c.state === 'delivering' || c.state === 'pending')
  const change = await changeOf(db, integrationId, cid)
  if (!held(change))
    throw new Conflict(
      'This change is not leased to this API key (the lease ran out and was taken, or it is already settled).',
      'not_lease_holder',
    )
  const attempt = toAttempt(change, body)
  const settled = await settle(db, change, attempt, 'plugin', held)
  if (!settled) throw new Conflict('This change is not leased to this API key any more.', 'not_lease_holder')
  if (settled.state === 'pending') queued(db, integrationId)
  return serializeChange(settled)
}

function toAttempt(change: ContentChange, body: ResultInput): Attempt {
  if (body.status === 'failed') return body
  const item = parseItem(body.item)
  if (body.status === 'conflict') {
    if (change.kind === 'create') throw Invalid.field('status', 'A new post cannot conflict: answer applied or failed.')
    if (item.external_id !== change.externalId) throw Invalid.field('item.external_id', `This change is for post ${change.externalId}.`)
    return { status: 'conflict', item }
  }
  if (change.kind === 'update' && body.external_id !== change.externalId)
    throw Invalid.field('external_id', `This change is for post ${change.externalId}.`)
  if (item.external_id !== body.external_id) throw Invalid.field('item.external_id', 'Must equal external_id.')
  if (item.post_type !== change.postType) throw Invalid.field('item.post_type', 'Must be the post type of the change.')
  return { status: 'applied', externalId: body.external_id, item }
}

/** A new nudge secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes (the HMAC key). */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`

/**
 * PUT …/plugin-endpoint/: registers where to nudge the plugin and answers a fresh secret, shown this once and stored
 * encrypted. The URL passes the same SSRF guard as pulls (400 naming `url`).
 */
export async function registerEndpoint(db: Db, config: Config, caller: Caller, integrationId: number, url: string) {
  await requirePlugin(db, caller, integrationId)
  try {
    await resolveTarget(new URL(url), addressCheck(config.pullAllowPrivate))
  } catch (e) {
    if (e instanceof PullError) throw Invalid.field('url', e.message)
    throw e
  }
  const secret = newWebhookSecret()
  const values = { url, secretEnc: sealPassword(config.secret, integrationId, secret), registeredAt: nowIso(), lastSeenAt: nowIso() }
  await db
    .insert(pluginEndpoints)
    .values({ integrationId, ...values })
    .onConflictDoUpdate({ target: pluginEndpoints.integrationId, set: values })
    .run()
  // Changes may already be waiting: the worker nudges the new endpoint.
  queued(db, integrationId)
  return { url, secret }
}
