// Edits made in IGNY8: an update of a synced post (PATCH …/content/{external_id}/) or a new post (POST …/content/).
import { requireUser, type Caller } from '../auth/caller'
import { type Db, withTx } from '../db/client'
import { contentChanges, type ContentChange } from '../db/schema'
import { Forbidden, NotFound } from '../http/errors'
import { parseConfig } from '../integrations/config'
import { getVisibleIntegration } from '../integrations/service'
import type { FieldValues } from './merge'
import type { CreateContent, PatchContent } from './model'
import { serializeChange } from './serialize'
import { queued } from './signal'
import { mergeFields, nowIso, openChangeFor, setChange, storedItem, storedValues } from './store'
import { checkPostType, checkTerms } from './validate'

/** An editable integration of the caller's (users only; an inactive one refuses edits like it refuses batches). */
async function editable(db: Db, caller: Caller, integrationId: number) {
  const user = requireUser(caller)
  const { integration, site } = await getVisibleIntegration(db, caller, integrationId)
  if (!site.isActive || !integration.isActive) throw new Forbidden('Only active sites can take edits.', 'inactive')
  return { user, config: parseConfig(integration.configJson) }
}

const fieldsOf = (body: Partial<PatchContent & CreateContent>): FieldValues => {
  const { base_modified_at: _b, post_type: _p, ...fields } = body
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
}

/**
 * PATCH: queues an update of a stored post. A second edit while the post's change is still `pending` or in `conflict`
 * merges into it (later fields win) and answers the same change.
 */
export async function editContent(db: Db, caller: Caller, integrationId: number, externalId: number, body: PatchContent) {
  const { user, config } = await editable(db, caller, integrationId)
  const item = await storedItem(db, integrationId, externalId)
  if (!item) throw new NotFound('Content item')
  if (body.terms) await checkTerms(db, integrationId, config, item.postType, body.terms)
  const edit = fieldsOf(body)
  const change = await withTx(
    db,
    async (tx): Promise<ContentChange> => {
      const open = await openChangeFor(tx, integrationId, externalId)
      if (open) {
        const base = JSON.parse(open.baseJson) as FieldValues
        // Fields new to the change get the stored value as their base; the ones it had keep the base seen first.
        const fresh = await storedValues(tx, item, edit)
        for (const [f, v] of Object.entries(fresh)) {
          const key = f as keyof FieldValues
          if (base[key] === undefined) base[key] = v
          else if (key === 'terms' || key === 'seo') base[key] = { ...(v as object), ...(base[key] as object) }
        }
        const fields = mergeFields(JSON.parse(open.fieldsJson) as FieldValues, edit)
        return await setChange(tx, open.id, { fieldsJson: JSON.stringify(fields), baseJson: JSON.stringify(base) })
      }
      return await tx
        .insert(contentChanges)
        .values({
          integrationId,
          kind: 'update',
          externalId,
          postType: item.postType,
          fieldsJson: JSON.stringify(edit),
          baseJson: JSON.stringify(await storedValues(tx, item, edit)),
          baseModifiedAt: body.base_modified_at ?? item.modifiedAt,
          createdBy: user.id,
        })
        .returning()
        .get()
    },
    { lock: `changes:${integrationId}` },
  )
  if (change.state === 'pending') queued(db, integrationId)
  return serializeChange(change)
}

/** POST: queues a new post of a post type the site has (status `draft` unless given). */
export async function createContent(db: Db, caller: Caller, integrationId: number, body: CreateContent) {
  const { user, config } = await editable(db, caller, integrationId)
  checkPostType(config, body.post_type)
  if (body.terms) await checkTerms(db, integrationId, config, body.post_type, body.terms)
  const now = nowIso()
  const change = await db
    .insert(contentChanges)
    .values({
      integrationId,
      kind: 'create',
      externalId: null,
      postType: body.post_type,
      fieldsJson: JSON.stringify(fieldsOf(body)),
      baseJson: '{}',
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get()
  queued(db, integrationId)
  return serializeChange(change)
}
