// What storing a batch of structure pushes to one integration means, apart from how it is stored (src/integrations/
// structure.ts with the row locked, ./push-unlocked.ts over the row version on PostgreSQL).
import type { Caller } from '../auth/caller'
import type { Outcome } from '../db/coalesce'
import type { Integration, Site } from '../db/schema'
import { Forbidden, NotFound } from '../http/errors'
import { canSeeSite } from '../sites/service'
import type { NewEvent } from '../sync-log/service'
import { applyStructurePush, parseConfig, type IntegrationConfig } from './config'
import type { StructurePush } from './model'

export type PushRequest = { caller: Caller | null; push: StructurePush; source: 'plugin' | 'pull'; started: Date }

export type PushPlan = {
  outcomes: Outcome<IntegrationConfig>[]
  /** The config to store, or null when no push of the batch may be stored. */
  stored: { id: number; configJson: string; updatedAt: string } | null
  events: NewEvent[]
}

/** The batch's pushes applied in turn to the integration's stored config, and what to write for them. */
export function planPushes(id: number, row: { integration: Integration; site: Site } | undefined, batch: PushRequest[]): PushPlan {
  let config = row && parseConfig(row.integration.configJson)
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
  return { outcomes, stored, events }
}
