// The three-way, per-field merge of a push-back change (contract "Conflicts (three-way, per field)"): given the base
// the editor saw, IGNY8's edit and WordPress's current post, decide what is still to write. Pure: no db, no clock.

export const CHANGE_FIELDS = ['title', 'slug', 'status', 'content', 'excerpt', 'terms', 'seo'] as const
export type ChangeField = (typeof CHANGE_FIELDS)[number]
export type FieldValues = Partial<Record<ChangeField, unknown>>
export type ConflictPolicy = 'manual' | 'wordpress_wins' | 'igny8_wins'
export type FieldConflict = { base: unknown; igny8: unknown; wordpress: unknown }
export type MergeOutcome =
  // fields to write (may be empty = nothing left to do); dropped = fields removed (same value on both sides, changed
  // only in WordPress, or wordpress_wins); merged = WordPress had changed at least one of the change's fields since the base
  | { kind: 'deliver'; fields: FieldValues; dropped: ChangeField[]; merged: boolean }
  // manual policy, ≥1 conflicting field; fields = the non-conflicting ones still to deliver
  | { kind: 'conflict'; conflicts: Partial<Record<ChangeField, FieldConflict>>; fields: FieldValues }
  // post deleted in WordPress / post type removed
  | { kind: 'gone'; reason: string }

const SEO_KEYS = ['title', 'description'] as const

/** A text value as the contract reads it: `null`, absent and `""` all mean "empty". */
const text = (v: unknown): unknown => (v === null || v === undefined ? '' : v)

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** One taxonomy's ids as a sorted set (order and duplicates carry no meaning in WordPress). */
function idSet(v: unknown): string {
  const ids = Array.isArray(v) ? v.map(Number) : []
  return [...new Set(ids)].sort((a, b) => a - b).join(',')
}

/** Terms are equal when every taxonomy holds the same set of ids; an absent taxonomy equals an empty list. */
function sameTerms(a: unknown, b: unknown): boolean {
  const ta = isRecord(a) ? a : {}
  const tb = isRecord(b) ? b : {}
  for (const tax of new Set([...Object.keys(ta), ...Object.keys(tb)])) if (idSet(ta[tax]) !== idSet(tb[tax])) return false
  return true
}

/** SEO is equal when title and description are; a missing object or key equals an empty string. */
function sameSeo(a: unknown, b: unknown): boolean {
  const sa = isRecord(a) ? a : {}
  const sb = isRecord(b) ? b : {}
  return SEO_KEYS.every((k) => text(sa[k]) === text(sb[k]))
}

/** Whether two values of a field mean the same thing to WordPress (terms as sets, seo per key, text with null = ""). */
export function sameValue(field: ChangeField, a: unknown, b: unknown): boolean {
  if (field === 'terms') return sameTerms(a, b)
  if (field === 'seo') return sameSeo(a, b)
  const x = text(a)
  const y = text(b)
  if (typeof x === 'string' && typeof y === 'string') return x === y
  return JSON.stringify(x) === JSON.stringify(y)
}

/**
 * A change sets only the taxonomies (and SEO keys) it names, so the other ones are not part of it: the base and
 * WordPress values are cut down to those before comparing, and an edit of the tags never conflicts with a new category.
 */
function scope(field: ChangeField, ours: unknown, value: unknown): unknown {
  if ((field !== 'terms' && field !== 'seo') || !isRecord(ours)) return value
  const src = isRecord(value) ? value : {}
  const keys = field === 'terms' ? Object.keys(ours) : SEO_KEYS.filter((k) => k in ours)
  const out: Record<string, unknown> = {}
  for (const k of keys) out[k] = field === 'terms' ? (Array.isArray(src[k]) ? src[k] : []) : (src[k] ?? null)
  return out
}

/**
 * Decide what of a change still goes to WordPress. A field WordPress does not report (`undefined` in `wordpress`) is
 * taken as unchanged there, since nothing shows otherwise; a field missing from `base` is taken as having been empty.
 */
export function mergeChange(input: {
  kind: 'create' | 'update'
  base: FieldValues
  igny8: FieldValues
  wordpress: FieldValues | null
  postTypeExists?: boolean
  policy: ConflictPolicy
}): MergeOutcome {
  const { kind, base, igny8, wordpress, policy } = input
  if (input.postTypeExists === false) return { kind: 'gone', reason: 'The post type no longer exists in WordPress.' }
  const named = CHANGE_FIELDS.filter((f) => igny8[f] !== undefined)
  if (kind === 'create') {
    // Nothing exists in WordPress yet, so there is nothing to merge with.
    const fields: FieldValues = {}
    for (const f of named) fields[f] = igny8[f]
    return { kind: 'deliver', fields, dropped: [], merged: false }
  }
  if (wordpress === null) return { kind: 'gone', reason: 'The post was deleted in WordPress.' }

  const fields: FieldValues = {}
  const dropped: ChangeField[] = []
  const conflicts: Partial<Record<ChangeField, FieldConflict>> = {}
  let merged = false
  for (const f of named) {
    const ours = igny8[f]
    const b = scope(f, ours, base[f])
    const theirsReported = wordpress[f] !== undefined
    const theirs = scope(f, ours, wordpress[f])
    const oursChanged = !sameValue(f, b, ours)
    const theirsChanged = theirsReported && !sameValue(f, b, theirs)
    if (theirsChanged) merged = true
    if (!theirsChanged) {
      // Changed only in IGNY8 → deliver; changed nowhere (an edit back to the stored value) → nothing to write.
      if (oursChanged) fields[f] = ours
      else dropped.push(f)
    } else if (!oursChanged || sameValue(f, ours, theirs)) {
      // Changed only in WordPress (its value is kept), or both sides made the same edit.
      dropped.push(f)
    } else if (policy === 'igny8_wins') {
      fields[f] = ours
    } else if (policy === 'wordpress_wins') {
      dropped.push(f)
    } else {
      conflicts[f] = { base: b, igny8: ours, wordpress: theirs }
    }
  }
  if (Object.keys(conflicts).length > 0) return { kind: 'conflict', conflicts, fields }
  return { kind: 'deliver', fields, dropped, merged }
}
