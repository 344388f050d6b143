// Applies drizzle-kit's migrations with Drizzle's public migrator, with foreign keys off so that a table
// rebuild (CREATE __new_x, copy, DROP x, RENAME) cannot cascade-delete x's children; then checks every reference.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { migrate } from 'drizzle-orm/bun-sqlite/migrator'
import { ConfigError } from '../config'
import type { Db } from './client'
import { sqliteOf } from './sqlite'
import { migratePostgres } from './migrate-pg'
import { writeMigrationFolder } from './migration-files'
import { migrationJournal, migrationSql } from './migrations.generated'

/** Rows point at a missing parent after migrating. A ConfigError, so the CLI says it in one line and exits 2. */
export class MigrationError extends ConfigError {}

type Violation = { table: string; rowid: number | null; parent: string }

/** Applies the migrations in `migrationsFolder` (meta/_journal.json + <tag>.sql), as drizzle-kit wrote them. */
export function migrateFolder(db: Db, migrationsFolder: string): void {
  const sqlite = sqliteOf(db)
  // The migrator runs every pending migration in one transaction, and PRAGMA foreign_keys is a no-op inside
  // a transaction: the `PRAGMA foreign_keys=OFF` drizzle-kit writes does nothing. So it is set here, before.
  sqlite.exec('PRAGMA foreign_keys = OFF')
  try {
    // Drizzle's migrator is per driver: a bun-sqlite handle over the same connection runs it.
    migrate(drizzle({ client: sqlite }), { migrationsFolder })
    refuseOrphans(db)
  } finally {
    sqlite.exec('PRAGMA foreign_keys = ON')
  }
}

/** Every reference checked: rows whose parent is missing make the database unusable (one line, exit 2). */
function refuseOrphans(db: Db): void {
  const broken = sqliteOf(db).query('PRAGMA foreign_key_check').all() as Violation[]
  if (broken.length > 0) {
    const tables = [...new Set(broken.map((v) => `${v.table} → ${v.parent}`))].join(', ')
    throw new MigrationError(
      `the database has ${broken.length} row(s) whose parent row is missing (${tables}) after its migrations; ` +
        'igny8 will not use it: restore the last backup from <data-dir>/backups and report this',
    )
  }
}

/**
 * Applies the migrations embedded at build time (src/db/migrations.generated.ts, or the PostgreSQL ones). The public
 * migrator reads a folder, and the compiled executable has none: the embedded files are written to a private temp
 * folder for it.
 */
export async function migrateDb(db: Db): Promise<void> {
  if (db.engine === 'postgres') return migratePostgres(db)
  if (upToDate(db)) return refuseOrphans(db) // checked at every start, as after migrating
  const folder = mkdtempSync(join(tmpdir(), 'igny8-migrations-'))
  try {
    writeMigrations(folder)
    migrateFolder(db, folder)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/**
 * True when the newest embedded migration is already applied: Drizzle's migrator applies exactly the migrations
 * newer than the newest `created_at` it recorded, so there is nothing for it to do. Every start but the first
 * after an upgrade then skips the temp folder and the migrator.
 */
function upToDate(db: Db): boolean {
  const sqlite = sqliteOf(db)
  const table = sqlite.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get()
  if (!table) return false
  const row = sqlite.query('SELECT max(created_at) AS newest FROM __drizzle_migrations').get() as { newest: number | null }
  return row.newest !== null && Number(row.newest) >= migrationJournal.entries.at(-1)!.when
}

/** Writes the embedded SQLite journal and SQL files into `folder` (tests pass a subset of `entries`). */
export const writeMigrations = (folder: string, entries = migrationJournal.entries) =>
  writeMigrationFolder(folder, migrationJournal, migrationSql, entries)
