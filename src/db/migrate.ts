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
    const broken = sqlite.query('PRAGMA foreign_key_check').all() as Violation[]
    if (broken.length > 0) {
      const tables = [...new Set(broken.map((v) => `${v.table} → ${v.parent}`))].join(', ')
      throw new MigrationError(
        `the database has ${broken.length} row(s) whose parent row is missing (${tables}) after its migrations; ` +
          'igny8 will not use it: restore the last backup from <data-dir>/backups and report this',
      )
    }
  } finally {
    sqlite.exec('PRAGMA foreign_keys = ON')
  }
}

/**
 * Applies the migrations embedded at build time (src/db/migrations.generated.ts, or the PostgreSQL ones). The public
 * migrator reads a folder, and the compiled executable has none: the embedded files are written to a private temp
 * folder for it.
 */
export async function migrateDb(db: Db): Promise<void> {
  if (db.engine === 'postgres') return migratePostgres(db)
  const folder = mkdtempSync(join(tmpdir(), 'igny8-migrations-'))
  try {
    writeMigrations(folder)
    migrateFolder(db, folder)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** Writes the embedded SQLite journal and SQL files into `folder` (tests pass a subset of `entries`). */
export const writeMigrations = (folder: string, entries = migrationJournal.entries) =>
  writeMigrationFolder(folder, migrationJournal, migrationSql, entries)
