// What a delivery attempt ends in, whoever made it (the plugin's result or the REST worker): applied, re-based and
// pending again, stopped in conflict, retried after a backoff, or failed. Each outcome is a `pushback` sync event.
import { syncContent } from '../content/items'
import { syncContentBody, type ItemInput } from '../content/model'
import { type Db, withTx } from '../db/client'
import { contentChanges, type ContentChange } from '../db/schema'
import { eq } from 'drizzle-orm'
import { Invalid, issuesToFieldErrors } from '../http/errors'
import { parseConfig } from '../integrations/config'
import { getIntegrationWithSite } from '../integrations/service'
import { recordEvent, type EventSource } from '../sync-log/service'
import { CHANGE_FIELDS, mergeChange, type FieldValues } from './merge'
import { parseJson, type StoredConflict } from './serialize'
import { nowIso, setChange } from './store'

/** Backoff after the 1st…5th failed attempt; the 6th failure is final. */
export const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 12 * 3600_000]

export type Attempt =
  | { status: 'applied'; externalId: number; item: ItemInput }
  | { status: 'conflict'; item: ItemInput }
  | { status: 'failed'; error: string; retry: boolean }

/** Checks a result's item with sync-content's own schema; errors name `item.<field>`. */
export function parseItem(raw: unknown): ItemInput {
  const parsed = syncContentBody.safeParse({ items: [raw] })
  if (parsed.success) return parsed.data.items[0]!
  const errors: Record<string, string[]> = {}
  for (const [path, msgs] of Object.entries(issuesToFieldErrors(parsed.error.issues))) errors[path.replace(/^items\.0/, 'item')] = msgs
  const first = Object.entries(errors)[0]!
  throw new Invalid(`Invalid field ${first[0]}: ${first[1][0]}`, errors)
}

/** The change's fields as WordPress has them in `item` (a field the item does not carry is left out: unknown there). */
export function itemValues(item: ItemInput): FieldValues {
  const any = item as Record<string, unknown>
  const out: FieldValues = {}
  for (const f of CHANGE_FIELDS) if (any[f] !== undefined) out[f] = any[f]
  return out
}

/** Stores the post as WordPress has it now, exactly as a sync-content batch of one would (so its echo is `unchanged`). */
export async function storeItem(db: Db, integrationId: number, item: ItemInput, source: EventSource) {
  return await syncContent(db, null, integrationId, { items: [item], deleted: [] }, source)
}

/**
 * Applies an attempt's outcome to the change, if `stillHeld` agrees inside the write transaction (the lease may have
 * passed to someone else meanwhile). Answers the updated change, or null when it was no longer held.
 */
export async function settle(
  db: Db,
  change: ContentChange,
  attempt: Attempt,
  source: EventSource,
  stillHeld: (c: ContentChange) => boolean,
) {
  const startedAt = new Date()
  if (attempt.status !== 'failed') await storeItem(db, change.integrationId, attempt.item, source)
  return await withTx(
    db,
    async (tx) => {
      const current = await tx.select().from(contentChanges).where(eq(contentChanges.id, change.id)).get()
      if (!current || !stillHeld(current)) return null
      const { values, status, summary, error } = await decide(tx, current, attempt)
      const updated = await setChange(tx, current.id, { ...values, leaseOwner: null, leaseExpiresAt: null })
      await recordEvent(tx, {
        integrationId: current.integrationId,
        kind: 'pushback',
        source,
        status,
        summary: `Change ${current.id} (${current.kind} ${current.postType}${current.externalId ? ` ${current.externalId}` : ''}): ${summary}`,
        counts: { change: current.id, state: updated.state, attempts: updated.attempts },
        error,
        startedAt,
      })
      return updated
    },
    { lock: `changes:${change.integrationId}` },
  )
}

type Decision = { values: Partial<ContentChange>; status: 'ok' | 'error'; summary: string; error?: string }

async function decide(db: Db, change: ContentChange, attempt: Attempt): Promise<Decision> {
  if (attempt.status === 'applied')
    return {
      values: { state: 'applied', appliedAt: nowIso(), externalId: attempt.externalId, error: null, nextAttemptAt: null },
      status: 'ok',
      summary: `applied as WordPress post ${attempt.externalId}`,
    }
  if (attempt.status === 'failed') return failure(change, attempt.error, attempt.retry)

  const fields = parseJson<FieldValues>(change.fieldsJson, {})
  const wordpress = itemValues(attempt.item)
  const policy = parseConfig((await getIntegrationWithSite(db, change.integrationId)).integration.configJson).conflict_policy ?? 'manual'
  const outcome = mergeChange({ kind: change.kind, base: parseJson(change.baseJson, {}), igny8: fields, wordpress, policy })
  if (outcome.kind === 'gone') return failure(change, outcome.reason, false)
  const seen = attempt.item.modified_at
  if (outcome.kind === 'conflict') {
    const names = Object.keys(outcome.conflicts)
    const stored: StoredConflict = {
      fields: outcome.conflicts as StoredConflict['fields'],
      wordpress,
      wordpress_modified_at: seen,
    }
    const kept: FieldValues = { ...outcome.fields }
    for (const f of names) kept[f as keyof FieldValues] = fields[f as keyof FieldValues]
    return {
      values: { state: 'conflict', fieldsJson: JSON.stringify(kept), conflictJson: JSON.stringify(stored), error: null },
      status: 'error',
      summary: `changed in WordPress too; in conflict on ${names.join(', ')}`,
      error: `Conflict on ${names.join(', ')}: WordPress changed ${names.length > 1 ? 'them' : 'it'} differently since the edit.`,
    }
  }
  const names = Object.keys(outcome.fields)
  if (!names.length)
    // WordPress already has every value of the change (or kept its own under the policy): nothing is left to write.
    return {
      values: { state: 'applied', appliedAt: nowIso(), error: null, fieldsJson: '{}' },
      status: 'ok',
      summary: 'merged; WordPress already had it',
    }
  const base: FieldValues = {}
  for (const f of names) base[f as keyof FieldValues] = wordpress[f as keyof FieldValues]
  return {
    values: {
      state: 'pending',
      fieldsJson: JSON.stringify(outcome.fields),
      baseJson: JSON.stringify(base),
      baseModifiedAt: seen,
      error: null,
      nextAttemptAt: null,
    },
    status: 'ok',
    summary: `merged with WordPress's version; re-based and queued again (${names.join(', ')})`,
  }
}

function failure(change: ContentChange, error: string, retry: boolean): Decision {
  const attempts = change.attempts + 1
  const wait = retry ? BACKOFF_MS[attempts - 1] : undefined
  if (wait === undefined)
    return { values: { state: 'failed', attempts, error, nextAttemptAt: null }, status: 'error', summary: 'failed', error }
  return {
    values: { state: 'pending', attempts, error, nextAttemptAt: Date.now() + wait },
    status: 'error',
    summary: `failed (attempt ${attempts}); retried in ${Math.round(wait / 60_000)} min`,
    error,
  }
}
