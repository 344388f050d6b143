// Applies the PostgreSQL migrations (drizzle-pg/, embedded) at start-up, under an advisory lock so that two nodes
// starting together take turns; refuses, in one line each, a server it cannot use.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import type { ReservedSql } from 'postgres'
import { ConfigError } from '../config'
import type { Db } from './client'
import { writeMigrationFolder } from './migration-files'
import { pgMigrationJournal, pgMigrationSql } from './pg-migrations.generated'
import { pgClientOf } from './postgres'

/** A fixed advisory-lock key for migrations (the transaction locks of src/db/client.ts are positive). */
const MIGRATION_LOCK = -0x1938_0001

export async function migratePostgres(db: Db): Promise<void> {
  try {
    await migrateUnderLock(db)
  } catch (e) {
    // Whatever went wrong (a refused login, a dropped connection, a failed statement) is one line at start-up.
    throw e instanceof ConfigError ? e : connectionError(e)
  }
}

async function migrateUnderLock(db: Db): Promise<void> {
  const client = pgClientOf(db)
  const conn = await client.reserve()
  const folder = mkdtempSync(join(tmpdir(), 'igny8-pg-migrations-'))
  try {
    const [row] = await conn<{ v: string }[]>`select current_setting('server_version_num') as v`
    const v = row!.v
    if (Number(v) < 150000) throw new ConfigError(`PostgreSQL ${versionText(v)} is too old: igny8 needs PostgreSQL 15 or newer`)
    await conn`select pg_advisory_lock(${MIGRATION_LOCK})`
    try {
      await refuseForeignDatabase(conn)
      writeMigrationFolder(folder, pgMigrationJournal, pgMigrationSql)
      await migrate(db as never, { migrationsFolder: folder })
    } finally {
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK})`
    }
  } finally {
    conn.release()
    rmSync(folder, { recursive: true, force: true })
  }
}

/** Tables in the database but none of our migration history: someone else's database, not to be written into. */
async function refuseForeignDatabase(conn: ReservedSql) {
  const [row] = await conn<{ ours: boolean; tables: number; db: string }[]>`
    select to_regclass('drizzle.__drizzle_migrations') is not null as ours,
      (select count(*)::int from pg_tables where schemaname not in ('pg_catalog', 'information_schema')) as tables,
      current_database() as db`
  if (!row!.ours && row!.tables > 0)
    throw new ConfigError(
      `the PostgreSQL database "${row!.db}" already has ${row!.tables} table(s) that are not igny8's; give igny8 an empty database of its own`,
    )
}

const versionText = (num: string) => `${Math.floor(Number(num) / 10000)}.${Number(num) % 10000}`

/** One line for why the server could not be reached or refused us, without the password. */
export function connectionError(e: unknown): ConfigError {
  // Drizzle wraps the driver's error (its message carries the SQL); the driver's is the one that says why.
  const err = ((e as { cause?: unknown })?.cause ?? e) as { code?: string; message?: string }
  const why =
    err.code === 'ECONNREFUSED'
      ? 'nothing answers at that address (is PostgreSQL running, and on that port?)'
      : err.code === '28P01' || err.code === '28000'
        ? 'the server refused the user name or password'
        : err.code === '3D000'
          ? 'that database does not exist (create it first: createdb)'
          : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? 'the host name does not resolve'
            : err.code === 'CONNECT_TIMEOUT' || err.code === 'ETIMEDOUT'
              ? 'the connection timed out'
              : `${err.code ?? 'error'}: ${(err.message ?? 'unknown').split('\n')[0]}`
  return new ConfigError(`cannot use the PostgreSQL database at --database-url: ${why}`)
}
