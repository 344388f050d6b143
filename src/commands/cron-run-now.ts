// `igny8 cron run-now`: runs the daily job once (alone, or beside a server on the same data dir) and prints
// what it did. Exit 0 when the job ran, even if some pulls failed (they are in the sync log); 2 when it could not run.
import { ensureDataDir, type Config } from '../config'
import { markInstalled } from '../cron/schedule'
import { runDailyJob, type DailyJobResult } from '../cron/service'
import { createLogger } from '../log'
import { fail, withDb } from './shared'

export async function cronRunNow(config: Config): Promise<number> {
  ensureDataDir(config.dataDir)
  return withDb(config, async (db) => {
    const now = new Date()
    await markInstalled(db, now)
    // Warnings and errors go to stderr as JSON lines; stdout gets the readable summary.
    const log = createLogger('warn', (line) => process.stderr.write(line + '\n'))
    const result = await runDailyJob({ db, config, log }, now, { trigger: 'cli' })
    if (!result.ran) return fail(`${result.reason} Nothing was done; try again when it has finished.`)
    process.stdout.write(formatReport(result))
    return 0
  })
}

/** The job's result as a few plain lines for a terminal. */
export function formatReport(r: Extract<DailyJobResult, { ran: true }>): string {
  const hk = r.housekeeping
  const lines = [
    `daily job ${r.event.status === 'ok' ? 'finished' : 'finished with errors'} in ${(r.event.durationMs / 1000).toFixed(1)} s`,
    `  pulls: ${r.pulls.length === 0 ? 'none (no integration has pull credentials)' : ''}`,
    ...r.pulls.map((p) => `    #${p.integration} ${p.wp_url}: ${p.status}${p.error ? ` — ${p.error}` : ` — ${p.summary}`}`),
    `  stale integrations: ${r.staleTotal}${r.newlyStale.length ? ` (newly stale: ${r.newlyStale.map((id) => `#${id}`).join(', ')})` : ''}`,
    `  pruned: ${hk.refresh_tokens_pruned} refresh tokens, ${hk.events_pruned} sync events, ${hk.sessions_pruned} admin sessions`,
    `  backup: ${hk.backup ? `backups/${hk.backup}${hk.backups_removed ? ` (${hk.backups_removed} older removed)` : ''}` : hk.failures.some((f) => f.startsWith('backup')) ? 'failed' : 'none (backup-keep is 0)'}`,
    ...hk.failures.map((f) => `  failed: ${f}`),
  ]
  return lines.map((l) => l.trimEnd()).join('\n') + '\n'
}
