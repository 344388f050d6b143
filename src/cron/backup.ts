// Consistent SQLite copies with VACUUM INTO (a snapshot, safe beside a running server), and the dated
// backups the daily job keeps in <data-dir>/backups. `igny8 backup FILE` and the daily job share writeBackup.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../db/client'
import { backupInWorker } from './db-worker'

/**
 * Writes a consistent, owner-only copy of the database to `file`, which must not exist yet. The copy is made
 * in a worker on its own connection: a large database takes seconds, and the server keeps answering meanwhile.
 */
export const writeBackup = (db: Db, file: string): Promise<void> => backupInWorker(db, file)

const NAME = /^igny8-(\d{8}-\d{6})(?:-(\d+))?\.db$/
const stamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15) // YYYYMMDD-HHMMSS

export const backupDir = (dataDir: string) => join(dataDir, 'backups')

/** Writes backups/igny8-YYYYMMDD-HHMMSS.db (UTC) and removes all but the newest `keep`; keep 0 turns them off. */
export async function datedBackup(db: Db, dataDir: string, keep: number, now: Date): Promise<{ file: string | null; removed: string[] }> {
  if (keep <= 0) return { file: null, removed: [] }
  const dir = backupDir(dataDir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  let name = `igny8-${stamp(now)}.db`
  for (let n = 1; existsSync(join(dir, name)); n++) name = `igny8-${stamp(now)}-${n}.db`
  const file = join(dir, name)
  await writeBackup(db, file)
  return { file, removed: pruneBackups(dir, keep) }
}

/** Deletes dated backups beyond the newest `keep` (by the time in their name); other files are left alone. */
export function pruneBackups(dir: string, keep: number): string[] {
  const dated = readdirSync(dir)
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null)
    .sort((a, b) => (a.m[1]! === b.m[1]! ? Number(b.m[2] ?? 0) - Number(a.m[2] ?? 0) : a.m[1]! < b.m[1]! ? 1 : -1))
  const removed = dated.slice(keep).map((f) => f.name)
  for (const name of removed) rmSync(join(dir, name), { force: true })
  return removed
}
