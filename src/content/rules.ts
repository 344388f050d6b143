// Which items a batch may store: the type must be in the last structure, enabled (after admin
// overrides), and a new item must fit under the type's fetch_limit.
import type { EffectiveType } from '../integrations/config'

export type SkipReason = { external_id: number; reason: string }
export type Noun = 'Post type' | 'Taxonomy'

/** Reason a type refuses writes altogether, or null. */
export function typeRefusal(noun: Noun, slug: string, type: EffectiveType | undefined): string | null {
  if (!type) return `${noun} "${slug}" is not in the site's last structure.`
  if (!type.enabled) return `${noun} "${slug}" is disabled.`
  return null
}

export const limitReason = (noun: Noun, slug: string, limit: number) => `${noun} "${slug}" has reached its fetch limit (${limit}).`

/** Stored counts per slug, updated as the batch goes so the limit check sees this batch's own creations. */
export class CounterDelta {
  private readonly delta = new Map<string, number>()
  constructor(private readonly stored: Map<string, number>) {}
  count(slug: string) {
    return (this.stored.get(slug) ?? 0) + (this.delta.get(slug) ?? 0)
  }
  add(slug: string, n: number) {
    this.delta.set(slug, (this.delta.get(slug) ?? 0) + n)
  }
  changes(): [string, number][] {
    return [...this.delta].filter(([, n]) => n !== 0)
  }
}

export type Stored = { type: string; fingerprint: string }

/**
 * Sorts a batch into skipped / unchanged / to-write, in order, the same way for items and terms:
 * the type must accept writes, an identical fingerprint is unchanged, and a row that would add to a
 * type (new, or moved from another type) must fit under that type's fetch_limit.
 */
export function classifyBatch<T extends { external_id: number }>(
  rows: T[],
  o: {
    noun: Noun
    typeOf: (row: T) => string
    storedOf: (row: T) => Stored | undefined
    types: Record<string, EffectiveType>
    counts: CounterDelta
    result: { created: number; updated: number; unchanged: number; skipped: SkipReason[] }
    fingerprint: (row: T) => string
  },
): { row: T; fingerprint: string }[] {
  const writes: { row: T; fingerprint: string }[] = []
  for (const row of rows) {
    const type = o.typeOf(row)
    const refusal = typeRefusal(o.noun, type, o.types[type])
    if (refusal) {
      o.result.skipped.push({ external_id: row.external_id, reason: refusal })
      continue
    }
    const print = o.fingerprint(row)
    const before = o.storedOf(row)
    if (before?.fingerprint === print) {
      o.result.unchanged++
      continue
    }
    // Updates never hit the limit, except a row moving into another (full) type.
    if (!before || before.type !== type) {
      const limit = o.types[type]!.fetch_limit
      if (o.counts.count(type) >= limit) {
        o.result.skipped.push({ external_id: row.external_id, reason: limitReason(o.noun, type, limit) })
        continue
      }
      o.counts.add(type, 1)
      if (before) o.counts.add(before.type, -1)
    }
    if (before) o.result.updated++
    else o.result.created++
    writes.push({ row, fingerprint: print })
  }
  return writes
}
