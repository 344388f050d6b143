// The database handle every service takes, on either engine: embedded SQLite (./sqlite) or PostgreSQL
// (./postgres). Queries are written once with Drizzle's builder over the tables in ./schema; the few raw
// statements go through `allRows`/`runSql` below, and the one transaction helper is `withTx`.
import { count, type SQL } from 'drizzle-orm'
import type { SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import * as schema from './schema'
import { closeSqlite, openSqlite, sqliteOf, sqliteRows, sqliteTransaction, withStablePlans } from './sqlite'
import { readInWorker, stopReader } from './reader'
import { closePostgres, openPostgres, pgTransaction, writeWithCommit } from './postgres'

export type Engine = 'sqlite' | 'postgres'
/** Typed as Drizzle's async SQLite database: the builder API both engines share (see ./postgres for why it runs there). */
export type Db = SqliteRemoteDatabase<typeof schema> & { readonly engine: Engine }

/** Opens a SQLite file, or PostgreSQL when given a postgres:// URL. */
export function openDb(target: string): Db {
  return /^postgres(ql)?:\/\//.test(target) ? openPostgres(target) : openSqlite(target)
}

export async function closeDb(db: Db): Promise<void> {
  if (db.engine === 'sqlite') {
    stopReader(sqliteOf(db).filename)
    closeSqlite(db)
  } else await closePostgres(db)
}

export type TxOptions = {
  /**
   * What the transaction reads and then writes, e.g. `integration:12`. On SQLite every write transaction is
   * IMMEDIATE (one writer at a time), so it is only a name there; on PostgreSQL it is a transaction-scoped
   * advisory lock, so two nodes changing the same thing take turns while different things go in parallel.
   */
  lock?: string
}

/** Runs `body` in one transaction (committed when it resolves, rolled back when it throws); nested calls join it. */
export function withTx<T>(db: Db, body: (tx: Db) => Promise<T>, options: TxOptions = {}): Promise<T> {
  if (db.engine === 'sqlite') return sqliteTransaction(db, () => body(db))
  return pgTransaction(db, body, options.lock === undefined ? undefined : lockKey(options.lock))
}

/**
 * The last writes of a transaction body (nothing may follow them in it): on PostgreSQL they go out together with
 * COMMIT, one round trip fewer while the transaction's lock is held, and a failed one still fails the transaction
 * (withTx throws; PostgreSQL turned the COMMIT into a rollback). On SQLite they are simply awaited.
 */
export async function finalWrites(tx: Db, writes: Promise<unknown>[]): Promise<void> {
  if (tx.engine === 'postgres' && writeWithCommit(tx, writes)) return
  await Promise.all(writes)
}

/**
 * `query`, locking the rows of `table` it reads until the transaction ends, on PostgreSQL (`SELECT … FOR UPDATE OF`):
 * for a read-modify-write that others may change unlocked in between (see storePushes). On SQLite, where one writer
 * at a time already excludes the others, `query` as it is.
 */
export function lockingRows<Q>(db: Db, query: Q, table: SQLiteTable): Q {
  if (db.engine === 'sqlite') return query
  return (query as unknown as { for(strength: 'update', config: { of: SQLiteTable }): Q }).for('update', { of: table })
}

/** A stable 63-bit advisory-lock key for a name (positive, so it never collides with the negative fixed keys). */
export function lockKey(name: string): bigint {
  return BigInt.asUintN(63, Bun.hash.wyhash(name, 0x1938n))
}

const sqliteDialect = withStablePlans(new SQLiteAsyncDialect())

/** Rows of a raw statement as plain objects, on either engine. */
export async function allRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  if (db.engine === 'sqlite') {
    const { sql: text, params } = sqliteDialect.sqlToQuery(query)
    return sqliteRows<T>(db, text, params)
  }
  return [...((await (db as unknown as { execute: (q: SQL) => Promise<T[]> }).execute(query)) as T[])]
}

/**
 * Rows of a long read (one that may scan many rows) as arrays in its column order: on a SQLite file it runs in a
 * worker on its own connection, so the server's thread is not held up meanwhile (see ./reader); on PostgreSQL (a
 * query there never blocks the thread) and on an in-memory SQLite database it runs as usual.
 */
export async function longRead(db: Db, query: SQL | { getSQL(): SQL }): Promise<unknown[][]> {
  const statement = 'getSQL' in query ? query.getSQL() : query
  const file = db.engine === 'sqlite' ? sqliteOf(db).filename : ''
  if (file && file !== ':memory:') {
    const { sql: text, params } = sqliteDialect.sqlToQuery(statement)
    return await readInWorker(file, text, params)
  }
  return (await allRows(db, statement)).map((row) => Object.values(row))
}

/** The first row of a raw statement, or undefined. */
export const firstRow = async <T = Record<string, unknown>>(db: Db, query: SQL): Promise<T | undefined> => (await allRows<T>(db, query))[0]

/** Runs a raw statement; answers how many rows it changed. */
export async function runSql(db: Db, query: SQL): Promise<number> {
  if (db.engine === 'sqlite') return changesOf(await db.run(query))
  return changesOf(await (db as unknown as { execute: (q: SQL) => Promise<unknown> }).execute(query))
}

/** Rows changed by an update/delete/insert on either engine (bun:sqlite says `changes`, postgres.js `count`). */
export const changesOf = (result: unknown): number => {
  const r = result as { changes?: number; count?: number }
  return r.changes ?? r.count ?? 0
}

/** SELECT count(*) for a table and optional condition, as a plain number. */
export async function countRows(db: Db, table: SQLiteTable, where?: SQL): Promise<number> {
  const [row] = await db.select({ n: count() }).from(table).where(where)
  return row!.n
}
