// What content and term batches share: access checks, the transaction, counting and the sync-log event.
import type { Caller } from '../auth/caller'
import type { Db } from '../db/client'
import { Forbidden } from '../http/errors'
import { parseConfig, type IntegrationConfig } from '../integrations/config'
import { getIntegrationWithSite, getVisibleIntegration } from '../integrations/service'
import { recordEvent, type EventSource } from '../sync-log/service'
import type { Tx } from './counters'
import type { SkipReason } from './rules'

export type BatchResult = { created: number; updated: number; unchanged: number; deleted: number; skipped: SkipReason[] }
export const emptyResult = (): BatchResult => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: [] })

/** Checks access, then runs `apply` and records its event in one immediate transaction. */
export function runBatch(
  db: Db,
  caller: Caller | null,
  integrationId: number,
  kind: 'content' | 'terms',
  source: EventSource,
  apply: (tx: Tx, config: IntegrationConfig) => BatchResult,
): BatchResult {
  const { integration, site } = caller ? getVisibleIntegration(db, caller, integrationId) : getIntegrationWithSite(db, integrationId)
  if (!site.isActive || !integration.isActive) throw new Forbidden('Only active sites can sync content.', 'inactive')
  const startedAt = new Date()
  return db.transaction(
    (tx) => {
      // Read inside the transaction: an admin override saved a moment ago must already apply.
      const result = apply(tx, parseConfig(getIntegrationWithSite(db, integrationId).integration.configJson))
      const noun = kind === 'content' ? 'Content' : 'Terms'
      recordEvent(tx, {
        integrationId,
        kind,
        source,
        status: 'ok',
        summary: `${noun} batch: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.deleted} deleted, ${result.skipped.length} skipped`,
        counts: {
          created: result.created,
          updated: result.updated,
          unchanged: result.unchanged,
          deleted: result.deleted,
          skipped: result.skipped.length,
        },
        startedAt,
      })
      return result
    },
    { behavior: 'immediate' },
  )
}

/** A stable fingerprint of what was sent, so a repeated batch is recognised as unchanged. */
export const fingerprint = (value: unknown): string => Bun.hash(JSON.stringify(value)).toString(36)
