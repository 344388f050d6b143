// A stored change as the contract shows it.
import type { ChangeState, ContentChange } from '../db/schema'
import type { FieldConflict } from './merge'

/** What conflict_json keeps: the per-field conflict the API shows, and WordPress's version it was found against. */
export type StoredConflict = {
  fields: Record<string, FieldConflict>
  /** WordPress's values of every field of the change and its modified_gmt: the new base once resolved. */
  wordpress: Record<string, unknown>
  wordpress_modified_at: string | null
}

export const parseJson = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

export function serializeChange(c: ContentChange) {
  const conflict = parseJson<StoredConflict | null>(c.conflictJson, null)
  return {
    id: c.id,
    kind: c.kind,
    external_id: c.externalId,
    post_type: c.postType,
    fields: parseJson<Record<string, unknown>>(c.fieldsJson, {}),
    base_modified_at: c.baseModifiedAt,
    state: c.state,
    delivery: c.delivery,
    attempts: c.attempts,
    error: c.error,
    conflict: conflict ? { fields: conflict.fields } : null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    applied_at: c.appliedAt,
  }
}
export type ChangeView = ReturnType<typeof serializeChange>

/** A change's state, for views (which import no schema module). */
export type { ChangeState }
