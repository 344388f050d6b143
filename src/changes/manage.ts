// Reading, cancelling and resolving changes (users; API keys may read their own site's changes).
import { and, count, desc, eq, type SQL } from 'drizzle-orm'
import { requireUser, type Caller } from '../auth/caller'
import { type Db, withTx } from '../db/client'
import { contentChanges, type ChangeState } from '../db/schema'
import { offsetOf, type Page } from '../http/envelope'
import { Conflict, Invalid, issuesToFieldErrors } from '../http/errors'
import { parseConfig } from '../integrations/config'
import { getVisibleIntegration } from '../integrations/service'
import { CHANGE_FIELDS, type ChangeField, type FieldValues } from './merge'
import { fieldSchemas, type ResolveInput } from './model'
import { parseJson, serializeChange, type StoredConflict } from './serialize'
import { queued } from './signal'
import { changeOf, setChange } from './store'
import { expireLeases } from './lease'
import { checkTerms } from './validate'

/** Newest first, optionally of one state. */
export async function listChanges(db: Db, caller: Caller, integrationId: number, q: Page & { state?: ChangeState }) {
  await getVisibleIntegration(db, caller, integrationId)
  await expireLeases(db, integrationId)
  const conditions: SQL[] = [eq(contentChanges.integrationId, integrationId)]
  if (q.state) conditions.push(eq(contentChanges.state, q.state))
  const where = and(...conditions)
  const total = (await db.select({ n: count() }).from(contentChanges).where(where).get())!.n
  const rows = await db
    .select()
    .from(contentChanges)
    .where(where)
    .orderBy(desc(contentChanges.id))
    .limit(q.page_size)
    .offset(offsetOf(q))
    .all()
  return { count: total, results: rows.map(serializeChange) }
}

export async function getChange(db: Db, caller: Caller, integrationId: number, cid: number) {
  await getVisibleIntegration(db, caller, integrationId)
  await expireLeases(db, integrationId)
  return serializeChange(await changeOf(db, integrationId, cid))
}

/** DELETE: cancels a `pending` or `conflict` change; any other state is 409. */
export async function cancelChange(db: Db, caller: Caller, integrationId: number, cid: number) {
  requireUser(caller)
  await getVisibleIntegration(db, caller, integrationId)
  await expireLeases(db, integrationId)
  return await withTx(
    db,
    async (tx) => {
      const change = await changeOf(tx, integrationId, cid)
      if (change.state !== 'pending' && change.state !== 'conflict')
        throw new Conflict(`Only a pending change or one in conflict can be cancelled; this one is ${change.state}.`, 'change_not_open')
      return serializeChange(await setChange(tx, cid, { state: 'cancelled', leaseOwner: null, leaseExpiresAt: null }))
    },
    { lock: `changes:${integrationId}` },
  )
}

/**
 * POST …/resolve/: every conflicting field must be named. The change goes back to `pending` with WordPress's version as
 * its new base; fields resolved to `wordpress` leave it, and a change left with no fields ends `cancelled`.
 */
export async function resolveChange(db: Db, caller: Caller, integrationId: number, cid: number, input: ResolveInput) {
  requireUser(caller)
  const { integration } = await getVisibleIntegration(db, caller, integrationId)
  const change = await changeOf(db, integrationId, cid)
  if (change.state !== 'conflict')
    throw new Conflict(`Only a change in conflict can be resolved; this one is ${change.state}.`, 'not_in_conflict')
  const stored = parseJson<StoredConflict | null>(change.conflictJson, null)
  const conflicting = Object.keys(stored?.fields ?? {}) as ChangeField[]
  const values = checkChoices(input, conflicting)
  if (values.terms)
    await checkTerms(db, integrationId, parseConfig(integration.configJson), change.postType, values.terms as Record<string, number[]>)

  const fields = parseJson<FieldValues>(change.fieldsJson, {})
  for (const f of conflicting) {
    const choice = input.fields[f]!
    if (choice === 'wordpress') delete fields[f]
    else if (choice !== 'igny8') fields[f] = values[f]
  }
  const left = Object.keys(fields).length > 0
  const result = await withTx(
    db,
    async (tx) => {
      // Checked again inside the write: a concurrent resolve or cancel must not be overwritten.
      if ((await changeOf(tx, integrationId, cid)).state !== 'conflict')
        throw new Conflict('This change was changed meanwhile; reload it.', 'not_in_conflict')
      const base: FieldValues = {}
      for (const f of Object.keys(fields) as ChangeField[]) base[f] = stored?.wordpress[f]
      return await setChange(tx, cid, {
        state: left ? 'pending' : 'cancelled',
        fieldsJson: JSON.stringify(fields),
        baseJson: JSON.stringify(base),
        baseModifiedAt: stored?.wordpress_modified_at ?? change.baseModifiedAt,
        conflictJson: null,
        error: null,
        attempts: 0,
        nextAttemptAt: null,
      })
    },
    { lock: `changes:${integrationId}` },
  )
  if (left) queued(db, integrationId)
  return serializeChange(result)
}

/** 400 naming every conflicting field left out (and any field that is not in conflict); answers the `{"value"}` ones parsed. */
function checkChoices(input: ResolveInput, conflicting: ChangeField[]): FieldValues {
  const errors: Record<string, string[]> = {}
  for (const f of conflicting)
    if (!Object.hasOwn(input.fields, f)) errors[`fields.${f}`] = ['This field is in conflict: choose igny8, wordpress or a value.']
  for (const f of Object.keys(input.fields))
    if (!(conflicting as string[]).includes(f)) errors[`fields.${f}`] = ['This field is not in conflict.']
  const values: FieldValues = {}
  for (const f of conflicting) {
    const choice = input.fields[f]
    if (!choice || typeof choice === 'string' || !(CHANGE_FIELDS as readonly string[]).includes(f)) continue
    const parsed = fieldSchemas[f].safeParse(choice.value)
    if (parsed.success) values[f] = parsed.data
    else
      for (const [path, msgs] of Object.entries(issuesToFieldErrors(parsed.error.issues)))
        errors[`fields.${f}.value${path === 'non_field_errors' ? '' : `.${path}`}`] = msgs
  }
  const first = Object.entries(errors)[0]
  if (first) throw new Invalid(`Invalid field ${first[0]}: ${first[1][0]}`, errors)
  return values
}
