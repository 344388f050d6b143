// What storing a batch of structure pushes to one integration means, apart from how it is stored (src/integrations/
// structure.ts with the row locked, ./push-unlocked.ts over the row version on PostgreSQL).
import type { Caller } from '../auth/caller'
import type { Outcome } from '../db/coalesce'
import type { Integration, Site } from '../db/schema'
import { Forbidden, NotFound } from '../http/errors'
import { canSeeSite } from '../sites/service'
import type { NewEvent } from '../sync-log/service'
import { applyStructurePush, deepFreeze, parseConfig, type IntegrationConfig } from './config'
import type { StructurePush } from './model'

export type PushRequest = { caller: Caller | null; push: StructurePush; source: 'plugin' | 'pull'; started: Date }

export type PushPlan = {
  outcomes: Outcome<IntegrationConfig>[]
  /** The config to store, or null when no push of the batch may be stored. */
  stored: { id: number; configJson: string; updatedAt: string } | null
  events: NewEvent[]
}

// The config each integration was last planned to, with the text planned to be stored for it: a push that finds that
// text stored starts from the kept object instead of parsing the text again (JSON and zod, the larger part of
// planning). A push stores a new text each time (its receive time is in it), so the last one is all worth keeping. The
// text decides, so another database's integration of the same id is only a miss; the objects are frozen, shared with
// the callers the pushes answer.
const PLANNED_KEPT = 10_000
const planned = new Map<number, { json: string; config: Readonly<IntegrationConfig> }>()

const storedConfig = (id: number, json: string): IntegrationConfig => {
  const kept = planned.get(id)
  return kept?.json === json ? kept.config : parseConfig(json)
}

/** The batch's pushes applied in turn to the integration's stored config, and what to write for them. */
export function planPushes(id: number, row: { integration: Integration; site: Site } | undefined, batch: PushRequest[]): PushPlan {
  let config = row && storedConfig(id, row.integration.configJson)
  let updatedAt: string | null = null // the last stored push's time; null while none is stored
  const events: NewEvent[] = []
  const outcomes = batch.map(({ caller, push, source, started }): Outcome<IntegrationConfig> => {
    if (!row || (caller && !canSeeSite(caller, row.site))) return { ok: false, error: new NotFound('Integration') }
    if (!row.site.isActive || !row.integration.isActive) {
      return { ok: false, error: new Forbidden('Only active sites can push structure.', 'inactive') }
    }
    const now = started.toISOString()
    config = applyStructurePush(config!, push, now)
    updatedAt = now
    const counts = {
      post_types: Object.keys(config.content_types!.post_types ?? {}).length,
      taxonomies: Object.keys(config.content_types!.taxonomies ?? {}).length,
    }
    const summary = `Structure received: ${counts.post_types} post types, ${counts.taxonomies} taxonomies`
    events.push({ integrationId: id, kind: 'structure', source, status: 'ok', summary, counts, startedAt: started })
    return { ok: true, value: config }
  })
  const stored = updatedAt === null ? null : { id, configJson: JSON.stringify(config), updatedAt }
  if (stored) {
    if (planned.size >= PLANNED_KEPT) planned.clear()
    planned.set(id, { json: stored.configJson, config: deepFreeze(config!) })
  }
  return { outcomes, stored, events }
}
