// The embedded engine: one bun:sqlite connection behind Drizzle's async (proxy) SQLite driver, so the service
// layer is written once, asynchronously, for SQLite and PostgreSQL alike.
//
// One connection serves every request of the process, so a transaction that awaits between its statements must
// not let another request's statement run inside it (it would commit or roll back with it). Transactions hold
// the connection through `transactionScope`: while one is open, a statement from any other async context waits
// until it ends. With no transaction open (the common case) a statement pays one null check.
import { AsyncLocalStorage } from 'node:async_hooks'
import { closeSync, openSync, readSync } from 'node:fs'
import { Database, type Statement } from 'bun:sqlite'
import * as drizzleOrm from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/sqlite-proxy'
import * as schema from './schema'
import type { Db } from './client'
import { newTransactions, transaction, type Transactions } from './group-commit'

type Native = {
  sqlite: Database
  statements: Map<string, Statement>
  tx: Transactions
  /** Where the WAL-index header is read (see commitsSeen); null where there is none, undefined until first asked. */
  walIndex?: WalIndex | null
}

const scope = new AsyncLocalStorage<symbol>()
const natives = new WeakMap<object, Native>()
// Statements are compiled once per SQL text (Drizzle builds the same text for the same query shape); the cap
// only guards against an unbounded set of texts, which the code does not produce.
const STATEMENT_CACHE_LIMIT = 512
/** Pages (4 KB each) of WAL after which a commit checkpoints; while the server runs, ./checkpointer does it instead. */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000

/** Opens (creating if needed) the database file with the pragmas every connection needs. */
export function openSqlite(file: string): Db {
  const sqlite = new Database(file, { create: true, strict: true })
  // WAL lets readers run beside the one writer; busy_timeout makes a second
  // process (e.g. `igny8 cron run-now` beside the server) wait instead of failing.
  sqlite.exec('PRAGMA journal_mode = WAL')
  sqlite.exec('PRAGMA busy_timeout = 5000')
  sqlite.exec('PRAGMA foreign_keys = ON')
  sqlite.exec('PRAGMA synchronous = NORMAL')
  // Reads come from the memory map (no copy in the page cache); the cache holds what transactions write. 16 MB of
  // it: 64 MB measured the same ingest at a million items (57-60k items/s) and pushes, and filled with the pages of
  // sync events written, so the server held ~85 MB more after 15 s of pushes (215 against 131 MB).
  sqlite.exec('PRAGMA cache_size = -16384')
  sqlite.exec('PRAGMA mmap_size = 268435456')
  sqlite.exec('PRAGMA temp_store = MEMORY')
  // Checkpoint the WAL every ~40 MB instead of every 4 MB: content batches write a lot, and each
  // checkpoint runs (with an fsync) inside the request that crosses the line. Cut it back after.
  sqlite.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
  sqlite.exec('PRAGMA journal_size_limit = 67108864')
  const native: Native = { sqlite, statements: new Map(), tx: newTransactions() }
  const db = drizzle(
    async (text, params, method) => {
      if (heldByAnother(native)) await untilFree(native)
      const stmt = statementFor(native, text)
      if (method === 'run') return { rows: [], ...stmt.run(...params) }
      const rows = stmt.values(...params)
      return { rows: method === 'get' ? rows[0]! : rows }
    },
    { schema },
  ) as unknown as Db
  withStablePlans((db as unknown as { dialect: ParamEscaping }).dialect)
  Object.defineProperty(db, 'engine', { value: 'sqlite' })
  natives.set(db, native)
  return db
}

type ParamEscaping = { escapeParam: (n: number) => string }

/**
 * Makes a SQLite dialect write every parameter as `+?` instead of `?`. SQLite marks a statement for recompiling on
 * each new binding wherever its planner looked at a bound value (any parameter in a join's WHERE, LIMIT, IN lists),
 * so a cached statement was compiled again on every run: ~8 µs per join, and most requests run several. The unary
 * plus is a no-op on every value and keeps the column's affinity in comparisons; the plans stay the same (the
 * query-plan tests check them), the planner just stops planning around one particular value.
 */
export function withStablePlans<D extends ParamEscaping>(dialect: D): D {
  dialect.escapeParam = () => '+?'
  return dialect
}

/** Whether a transaction other than the caller's (by its async scope) holds the connection. */
const heldByAnother = (native: Native): boolean => native.tx.open !== null && scope.getStore() !== native.tx.open.token

/**
 * Waits until no other request's transaction holds the connection. Callers check heldByAnother first: an await
 * costs a turn of the event loop even when the connection is free.
 */
async function untilFree(native: Native): Promise<void> {
  while (heldByAnother(native)) await native.tx.open!.done
}

function statementFor(native: Native, text: string): Statement {
  let stmt = native.statements.get(text)
  if (stmt === undefined) {
    if (native.statements.size >= STATEMENT_CACHE_LIMIT) native.statements.clear()
    native.statements.set(text, (stmt = native.sqlite.prepare(text)))
  }
  return stmt
}

/** The bun:sqlite connection behind a SQLite Db, for what only SQLite has (pragmas, workers, migrations). */
export function sqliteOf(db: Db): Database {
  const native = natives.get(db)
  if (!native) throw new Error('not a SQLite database')
  return native.sqlite
}

/** Rows as objects for raw SQL (Drizzle's proxy hands raw queries back as arrays), inside the caller's scope. */
export async function sqliteRows<T>(db: Db, text: string, params: unknown[]): Promise<T[]> {
  const native = natives.get(db)!
  if (heldByAnother(native)) await untilFree(native)
  return statementFor(native, text).all(...(params as never[])) as T[]
}

/**
 * Runs `body` in an IMMEDIATE transaction that no other request's statement can enter, committed on its own or
 * with the transactions queued behind it (./group-commit); nested calls join the transaction they are in.
 */
export function sqliteTransaction<T>(db: Db, body: () => Promise<T>): Promise<T> {
  const native = natives.get(db)!
  if (native.tx.open && !heldByAnother(native)) return body()
  return transaction(native.tx, native.sqlite, scope, body)
}

/**
 * A text that differs whenever the database may have changed since it was taken, by this connection or any other in
 * any process. Equal texts mean nothing was committed in between, for a read answered from memory instead of the
 * database. Undefined on PostgreSQL, and while a transaction is open on the connection (what it wrote is not committed
 * yet).
 */
export function changeToken(db: Db): string | undefined {
  const native = natives.get(db)
  if (!native || native.tx.open || native.sqlite.inTransaction) return undefined
  return commitsSeen(native) ?? statementToken(native)
}

// The WAL-index header, read from the `-shm` file that every connection to the database shares (SQLite's documented
// format for the unix VFS, https://sqlite.org/walformat.html): its first copy, which a commit writes last, holds the
// WAL's salts and its last committed frame. Every commit that changes a page appends frames (the frame count grows)
// or starts the WAL over (new salts), and is in the header before the commit returns to its writer. So an unchanged
// header means no connection of any process has committed since: one pread (~0.7 µs, no lock) where a statement
// cost ~2 µs plus SQLite's file locks, which took content-types from ~25,000 to ~40,000 req/s. A header caught while
// a commit writes it differs from the one before, and a statement run after reading it sees at least that commit, so
// a token is always taken before the read it stands for. (Words of 32 bits: 0 iVersion, 2 iChange, 4 mxFrame, 8 and 9
// the salts.)
const WAL_INDEX_VERSION = 3007000
type WalIndex = { fd: number; bytes: Uint8Array; words: Uint32Array }

/** The header as a text, or undefined where there is none to read (an in-memory database, no WAL). */
function commitsSeen(native: Native): string | undefined {
  if (native.walIndex === undefined) native.walIndex = openWalIndex(native.sqlite)
  const w = native.walIndex
  if (w === null || readSync(w.fd, w.bytes, 0, 48, 0) < 48 || w.words[0] !== WAL_INDEX_VERSION) return undefined
  return `${w.words[2]}:${w.words[4]}:${w.words[8]}:${w.words[9]}`
}

function openWalIndex(sqlite: Database): WalIndex | null {
  if (!sqlite.filename || sqlite.filename === ':memory:') return null
  // A database that could not switch to WAL, or one whose WAL-index lives in the process's memory (exclusive locking),
  // has no header in the file to trust (an -shm file there would be one left from before).
  if ((sqlite.query('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode !== 'wal') return null
  if ((sqlite.query('PRAGMA locking_mode').get() as { locking_mode: string }).locking_mode !== 'normal') return null
  try {
    // Read-only, and kept open until the connection closes: closing any descriptor of the file would drop the locks
    // SQLite holds on it for this process (POSIX locks belong to the process), which is also why it is not mapped
    // with Bun.mmap (that closes its descriptor at once).
    const fd = openSync(`${sqlite.filename}-shm`, 'r')
    const words = new Uint32Array(12)
    return { fd, bytes: new Uint8Array(words.buffer), words }
  } catch {
    return null
  }
}

/** The same from SQLite: another connection's commits (`data_version`) and this one's writes (`total_changes()`). */
function statementToken(native: Native): string {
  const [changes, version] = statementFor(native, 'select total_changes(), data_version from pragma_data_version').values()[0]!
  return `${version}:${changes}`
}

/** Closes the connection; its statements and its descriptor of the WAL-index go with it. */
export function closeSqlite(db: Db): void {
  const native = natives.get(db)!
  native.statements.clear()
  const walIndex = native.walIndex
  native.walIndex = null
  native.sqlite.close()
  // After the connection: closing it first would drop the connection's locks on the file (see openWalIndex). The
  // process's other connections to it are gone by now (closeDb stops the read worker first, serve the checkpoint one).
  if (walIndex) closeSync(walIndex.fd)
}

// Drizzle's own row mapping (exported at runtime, left out of its types as internal): the same objects, with the
// same column decoding (flags, nulls of left joins), as its drivers give.
type MapRow = (fields: unknown, row: unknown[], joinsNotNullableMap?: Record<string, boolean>) => unknown
const { fillPlaceholders } = drizzleOrm
const mapResultRow = (drizzleOrm as unknown as { mapResultRow: MapRow }).mapResultRow

/** What Drizzle's proxy driver keeps in a prepared query (src/db/prepared.ts builds them). */
type ProxyPrepared = {
  query: { sql: string; params: unknown[] }
  fields?: unknown
  joinsNotNullableMap?: Record<string, boolean>
  customResultMapper?: unknown
  method: 'run' | 'all' | 'values' | 'get'
  execute(values?: Record<string, unknown>): Promise<unknown>
}

/**
 * A hot-path prepared query that runs on bun:sqlite at once when the connection is free: the same statement and
 * the same row mapping as Drizzle's, without the proxy's chain of awaits (a few microseconds per lookup, three
 * lookups per plugin request). While another request's transaction holds the connection it takes Drizzle's
 * path, which waits for it.
 */
export function directPrepared<T>(db: Db, prepared: T): T {
  const p = prepared as unknown as ProxyPrepared
  const native = natives.get(db)
  if (!native || p.customResultMapper || (p.method !== 'all' && p.method !== 'run')) return prepared
  const execute = (values?: Record<string, unknown>): Promise<unknown> => {
    if (heldByAnother(native)) return p.execute(values)
    try {
      const stmt = statementFor(native, p.query.sql)
      const params = fillPlaceholders(p.query.params, values ?? {}) as never[]
      if (p.method === 'run') return Promise.resolve(stmt.run(...params))
      const rows = stmt.values(...params) as unknown[][]
      return Promise.resolve(p.fields ? rows.map((r) => mapResultRow(p.fields!, r, p.joinsNotNullableMap)) : rows)
    } catch (e) {
      return Promise.reject(e)
    }
  }
  return { execute } as unknown as T
}
