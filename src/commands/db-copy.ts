// `igny8 db copy --to postgres://…`: moves an existing SQLite install into an empty PostgreSQL database, all in
// one PostgreSQL transaction (a failed copy leaves the target empty), then checks every table's row count.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fail } from './shared'
import { ConfigError, configSchema, dbFile, type Config } from '../config'
import { closeDb, openDb, withTx, type Db } from '../db/client'
import { migrateDb } from '../db/migrate'
import { connectionError } from '../db/migrate-pg'
import { sqliteOf } from '../db/sqlite'
import { describeSafely } from '../http/errors'
import { copyTable, copyTables, nonEmpty, resetSequences, sourceCount, targetCount, type CopyTable } from './db-copy-tables'

/** A table whose copy does not hold the source's rows; the transaction is rolled back. */
class Mismatch extends Error {}
/** A table's rows could not be written (the message names it). */
class CopyFailed extends Error {}

type Copied = { table: CopyTable; rows: number; left: number }

export async function dbCopy(config: Config, to: string | undefined): Promise<number> {
  if (!to) return fail('db copy needs --to postgres://user:password@host:5432/database (an empty database)')
  // The URL carries a password: it is checked, never echoed.
  if (!configSchema.shape.databaseUrl.safeParse(to).success)
    return fail('invalid --to: must be a postgres:// URL, e.g. postgres://igny8:password@127.0.0.1:5432/igny8')
  const file = dbFile(config)
  if (!existsSync(file)) return fail(`there is no database at ${file} (check --data-dir)`)
  process.stdout.write(`copying ${file} (a snapshot: stop the server on it first, or later changes are not copied)\n`)

  const source = openDb(file)
  const target = openDb(to)
  let copied: Copied[]
  try {
    await migrateDb(source)
    await migrateDb(target)
    copied = await copy(source, target)
  } catch (e) {
    // The migrator's messages name the server's flag; here the target came from --to.
    if (e instanceof ConfigError || e instanceof Mismatch) return fail(e.message.replace('at --database-url', 'at --to'))
    // Drizzle wraps a failed statement; postgres.js's own error (with its code) is the cause.
    let pgError: unknown = e
    while ((pgError as { cause?: unknown }).cause) pgError = (pgError as { cause?: unknown }).cause
    const code = (pgError as { code?: string }).code
    if (code && /^(ECONN|ENOTFOUND|EAI_|CONNECT_TIMEOUT|ETIMEDOUT|28|3D000|CONNECTION_)/.test(code))
      return fail(`${connectionError(pgError).message.replace('at --database-url', 'at --to')}; nothing was copied`)
    const why = e instanceof CopyFailed ? e.message : describeSafely(e)
    return fail(`the copy failed and was rolled back, the PostgreSQL database holds none of it: ${why}`)
  } finally {
    await closeDb(target).catch(() => {})
    await closeDb(source)
  }

  for (const { table, rows, left } of copied)
    process.stdout.write(`${table.name}: ${rowsText(rows)}${left ? ` (${rowsText(left)} left out: locks of live processes)` : ''}\n`)
  const total = copied.reduce((n, c) => n + c.rows, 0)
  process.stdout.write(
    `copied and verified: ${copied.length} tables, ${rowsText(total)}. Start every node with --database-url and the same ` +
      `--secret this install used (its --secret, or the file ${join(config.dataDir, 'secret')}): sessions, tokens and stored ` +
      'credentials are sealed with it\n',
  )
  return 0
}

/**
 * Reads the SQLite file in one read transaction (every table from the same snapshot) and writes PostgreSQL in one
 * transaction: refuse a non-empty target, copy, reset the identity sequences, compare counts, commit.
 */
async function copy(source: Db, target: Db): Promise<Copied[]> {
  const sqlite = sqliteOf(source)
  const tables = copyTables()
  sqlite.exec('BEGIN')
  try {
    const counts = tables.map((t) => sourceCount(sqlite, t))
    return await withTx(target, async (tx) => {
      const full = await nonEmpty(tx, tables)
      if (full.length)
        throw new ConfigError(
          `the PostgreSQL database already holds igny8 data (${full.join(', ')}); db copy only fills an empty one (createdb a new database)`,
        )
      const written = []
      for (const t of tables) {
        try {
          written.push(await copyTable(sqlite, tx, t))
        } catch (e) {
          throw new CopyFailed(`${t.name}: ${describeSafely(e)}`, { cause: e })
        }
      }
      await resetSequences(tx, tables)
      const result: Copied[] = []
      for (const [i, t] of tables.entries()) {
        const want = counts[i]!.copied
        const have = await targetCount(tx, t)
        if (have !== want || written[i] !== want)
          throw new Mismatch(`the copy of ${t.name} does not match: ${want} rows in SQLite, ${have} in PostgreSQL; nothing was kept`)
        result.push({ table: t, rows: have, left: counts[i]!.all - want })
      }
      return result
    })
  } finally {
    sqlite.exec('ROLLBACK') // a read transaction: nothing to keep
  }
}

const rowsText = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`
