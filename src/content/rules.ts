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
