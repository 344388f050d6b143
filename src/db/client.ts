// Opens the SQLite database with the pragmas every connection needs; migrations are in ./migrate.
import { Database } from 'bun:sqlite'
import { count, type SQL } from 'drizzle-orm'
import { drizzle, type BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as schema from './schema'

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database }

/** Opens (creating if needed) the database file and returns a Drizzle handle. */
export function openDb(file: string): Db {
  const sqlite = new Database(file, { create: true, strict: true })
  // WAL lets readers run beside the one writer; busy_timeout makes a second
  // process (e.g. `igny8 cron run-now` beside the server) wait instead of failing.
  sqlite.exec('PRAGMA journal_mode = WAL')
  sqlite.exec('PRAGMA busy_timeout = 5000')
  sqlite.exec('PRAGMA foreign_keys = ON')
  sqlite.exec('PRAGMA synchronous = NORMAL')
  // A 64 MB page cache and memory-mapped reads keep the content indexes hot at a million rows.
  sqlite.exec('PRAGMA cache_size = -65536')
  sqlite.exec('PRAGMA mmap_size = 268435456')
  sqlite.exec('PRAGMA temp_store = MEMORY')
  // Checkpoint the WAL every ~40 MB instead of every 4 MB: content batches write a lot, and each
  // checkpoint runs (with an fsync) inside the request that crosses the line. Cut it back after.
  sqlite.exec('PRAGMA wal_autocheckpoint = 10000')
  sqlite.exec('PRAGMA journal_size_limit = 67108864')
  return drizzle({ client: sqlite, schema }) as Db
}

// Migrations live in ./migrate (public migrator, foreign keys off while they run); re-exported for callers.
export { migrateDb } from './migrate'

/** Rows changed by a run(); bun:sqlite returns them though Drizzle's type says void. */
export const changesOf = (result: unknown): number => (result as { changes: number }).changes

/** SELECT count(*) for a table and optional condition, as a plain number. */
export function countRows(db: Db, table: SQLiteTable, where?: SQL): number {
  return db.select({ n: count() }).from(table).where(where).get()!.n
}
