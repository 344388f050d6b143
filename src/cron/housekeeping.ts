// The daily job's housekeeping: expired tokens and sessions, sync-log retention, PRAGMA optimize, a dated backup.
// Each step runs on its own, so one failing step is reported without skipping the rest.
import { basename } from 'node:path'
import { lt } from 'drizzle-orm'
import { pruneRefreshTokens } from '../auth/service'
import type { Config } from '../config'
import { changesOf, type Db } from '../db/client'
import { adminSessions } from '../db/schema'
import { describeSafely } from '../http/errors'
import { pruneEvents } from '../sync-log/service'
import { datedBackup } from './backup'
import { optimizeInWorker } from './db-worker'

export type HousekeepingReport = {
  refresh_tokens_pruned: number
  events_pruned: number
  sessions_pruned: number
  backup: string | null
  backups_removed: number
  /** Why no backup was written by design (PostgreSQL), as opposed to one that failed. */
  backup_note?: string
  /** One line per failed step, e.g. "backup: SQLiteError: disk I/O error". */
  failures: string[]
}

export const POSTGRES_BACKUP_NOTE = 'no backup: on PostgreSQL, dated backups are the database operator’s (pg_dump)'

export async function housekeeping(
  db: Db,
  config: Pick<Config, 'dataDir' | 'backupKeep' | 'syncLogRetentionDays'>,
  now: Date,
): Promise<HousekeepingReport> {
  const report: HousekeepingReport = {
    refresh_tokens_pruned: 0,
    events_pruned: 0,
    sessions_pruned: 0,
    backup: null,
    backups_removed: 0,
    failures: [],
  }
  const step = async (name: string, run: () => unknown) => {
    try {
      await run()
    } catch (e) {
      report.failures.push(`${name}: ${describeSafely(e)}`)
    }
  }
  const t = now.getTime()
  await step('refresh tokens', async () => (report.refresh_tokens_pruned = await pruneRefreshTokens(db, t)))
  await step('sync log', async () => (report.events_pruned = await pruneEvents(db, config.syncLogRetentionDays, t)))
  await step(
    'admin sessions',
    async () => (report.sessions_pruned = changesOf(await db.delete(adminSessions).where(lt(adminSessions.expiresAt, t)).run())),
  )
  if (db.engine === 'postgres') {
    // PostgreSQL's autovacuum keeps its statistics; its backups are whoever runs the server's (pg_dump), not one node's.
    report.backup_note = POSTGRES_BACKUP_NOTE
    return report
  }
  // Both can take seconds on a large database: in a worker, so the server keeps answering meanwhile.
  await step('optimize', () => optimizeInWorker(db))
  await step('backup', async () => {
    const { file, removed } = await datedBackup(db, config.dataDir, config.backupKeep, now)
    report.backup = file && basename(file)
    report.backups_removed = removed.length
  })
  return report
}
