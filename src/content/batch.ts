// What content and term batches share: access checks, the transaction, counting and the sync-log event.
import type { Caller } from '../auth/caller'
import { type Db, withTx } from '../db/client'
import { Forbidden } from '../http/errors'
import { readConfig, type IntegrationConfig } from '../integrations/config'
import { getIntegrationWithSite, getVisibleIntegration } from '../integrations/service'
import { recordEvent, type EventSource } from '../sync-log/service'
import type { Tx } from './counters'
import type { SkipReason } from './rules'

export type BatchResult = { created: number; updated: number; unchanged: number; deleted: number; skipped: SkipReason[] }
export const emptyResult = (): BatchResult => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: [] })

/** Checks access, then runs `apply` and records its event in one immediate transaction. */
export async function runBatch(
  db: Db,
  caller: Caller | null,
  integrationId: number,
  kind: 'content' | 'terms',
  source: EventSource,
  apply: (tx: Tx, config: IntegrationConfig) => Promise<BatchResult>,
): Promise<BatchResult> {
  const { integration, site } = caller
    ? await getVisibleIntegration(db, caller, integrationId)
    : await getIntegrationWithSite(db, integrationId)
  if (!site.isActive || !integration.isActive) throw new Forbidden('Only active sites can sync content.', 'inactive')
  const startedAt = new Date()
  return await withTx(
    db,
    async (tx) => {
      // Read inside the transaction: an admin override saved a moment ago must already apply.
      const result = await apply(tx, readConfig((await getIntegrationWithSite(tx, integrationId)).integration.configJson))
      const noun = kind === 'content' ? 'Content' : 'Terms'
      await recordEvent(tx, {
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
    { lock: `integration:${integrationId}` },
  )
}

/**
 * Fingerprints rows (so a repeated batch is recognised as unchanged) and keeps each row's JSON, so
 * the rows written are serialised once, not twice.
 */
export function jsonFingerprints<T extends object>(project: (row: T) => object = (row) => row) {
  const json = new WeakMap<T, string>()
  return {
    /** Hash of the row's JSON (of `project(row)`: what the row statement writes, when some fields travel apart). */
    fingerprint(row: T): string {
      const text = JSON.stringify(project(row))
      json.set(row, text)
      return Bun.hash(text).toString(36)
    },
    /** A JSON array of the rows as sent (projected), each with a "fingerprint" key added, for json_each. */
    rows(writes: { row: T; fingerprint: string }[]): string {
      // Splices the key into the row's JSON text ("{…" → "{"fingerprint":…,…"); rows always have keys.
      return `[${writes.map((w) => `{"fingerprint":"${w.fingerprint}",${(json.get(w.row) ?? JSON.stringify(project(w.row))).slice(1)}`).join(',')}]`
    },
  }
}
