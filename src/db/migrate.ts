// Applies drizzle-kit's migrations with Drizzle's public migrator, with foreign keys off so that a table
// rebuild (CREATE __new_x, copy, DROP x, RENAME) cannot cascade-delete x's children; then checks every reference.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/bun-sqlite/migrator'
import { ConfigError } from '../config'
import type { Db } from './client'
import { migrationJournal, migrationSql } from './migrations.generated'

/** Rows point at a missing parent after migrating. A ConfigError, so the CLI says it in one line and exits 2. */
export class MigrationError extends ConfigError {}

type Violation = { table: string; rowid: number | null; parent: string }

/** Applies the migrations in `migrationsFolder` (meta/_journal.json + <tag>.sql), as drizzle-kit wrote them. */
export function migrateFolder(db: Db, migrationsFolder: string): void {
  const sqlite = db.$client
  // The migrator runs every pending migration in one transaction, and PRAGMA foreign_keys is a no-op inside
  // a transaction: the `PRAGMA foreign_keys=OFF` drizzle-kit writes does nothing. So it is set here, before.
  sqlite.exec('PRAGMA foreign_keys = OFF')
  try {
    migrate(db, { migrationsFolder })
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
 * Applies the migrations embedded at build time (src/db/migrations.generated.ts). The public migrator reads a
 * folder, and the compiled executable has none: the embedded files are written to a private temp folder for it.
 */
export function migrateDb(db: Db): void {
  const folder = mkdtempSync(join(tmpdir(), 'igny8-migrations-'))
  try {
    writeMigrations(folder)
    migrateFolder(db, folder)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** Writes the embedded journal and SQL files into `folder`, byte for byte (Drizzle hashes the SQL text). */
export function writeMigrations(folder: string, entries = migrationJournal.entries): void {
  mkdirSync(join(folder, 'meta'), { recursive: true })
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...migrationJournal, entries }, null, 2))
  for (const entry of entries) {
    const sql = migrationSql[entry.tag]
    if (sql === undefined) throw new Error(`migration ${entry.tag} is not embedded`)
    writeFileSync(join(folder, `${entry.tag}.sql`), sql)
  }
}
