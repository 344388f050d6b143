// Group commit for the one SQLite connection: transactions that queue up while one runs are committed together.
//
// A commit is the expensive part of a small write on SQLite (the WAL frames of every page it touched are written
// and the WAL index updated): ~45 µs for a structure push whose statements take ~9 µs. Under load, requests queue for
// the connection anyway; so instead of BEGIN … COMMIT for each, a group begins at the next turn of the event loop
// with every transaction the requests at hand asked for, runs each inside its own SAVEPOINT, and commits once; the
// transactions asked for meanwhile make the next group.
//
// What each caller sees is unchanged:
// - its body runs alone on the connection (bodies run one after another, never interleaved);
// - its result is answered only after the COMMIT that made it durable, never before;
// - a body that throws has its own writes rolled back (ROLLBACK TO its savepoint) and gets its error, while the
//   others in the group go on; if SQLite rolled the whole transaction back (disk full, I/O error) or the COMMIT
//   fails, every body of the group whose writes were lost gets the error;
// - statements from outside wait for the whole group, as they waited for one transaction, and run before the next
//   group begins (a group is capped in bodies and in time, so reads are not starved by a stream of writes).
import type { AsyncLocalStorage } from 'node:async_hooks'

/** What a group needs of the connection (bun:sqlite's Database has both). */
export type Connection = { exec(sql: string): unknown; readonly inTransaction: boolean }

/** The open transaction: statements carrying its token (in `scope`) run in it; others wait for `done`. */
export type Open = { token: symbol; done: Promise<void> }

type Pending = { body: () => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }

/** `starting`: when a group was asked for that has not begun yet (performance.now()), else null. */
export type Transactions = { open: Open | null; pending: Pending[]; starting: number | null }

/** At most this many bodies, and bodies begun within this long of the group's start, share one commit. */
const GROUP_MAX_BODIES = 64
const GROUP_MAX_MS = 5
/**
 * A group is begun at the next turn of the event loop (see transaction), or by the next transaction asked for once it
 * has waited this long: Bun runs immediates and timers only after the socket events at hand, and a flood of them
 * (clients connecting and leaving by the thousand) held an immediate back for seconds.
 */
const GROUP_START_MAX_WAIT_MS = 1

export const newTransactions = (): Transactions => ({ open: null, pending: [], starting: null })

/** Runs `body` in a transaction of its own or of a group; answers once its writes are committed. */
export function transaction<T>(
  state: Transactions,
  connection: Connection,
  scope: AsyncLocalStorage<symbol>,
  body: () => Promise<T>,
): Promise<T> {
  const result = new Promise<T>((resolve, reject) => state.pending.push({ body, resolve: resolve as (v: unknown) => void, reject }))
  if (state.open) return result
  if (state.starting === null) {
    // Not at once: each request runs in a task of its own, and a body runs to its end without waiting for anything but
    // the database, so a group begun now would hold this body alone (measured: all 19,398 groups of a 5 s run of
    // pushes at 64 connections had one). At the next turn it takes every transaction the requests at hand asked for.
    state.starting = performance.now()
    setImmediate(() => begin(state, connection, scope))
  } else if (performance.now() - state.starting >= GROUP_START_MAX_WAIT_MS) begin(state, connection, scope)
  return result
}

function begin(state: Transactions, connection: Connection, scope: AsyncLocalStorage<symbol>) {
  if (state.starting === null || state.open) return // begun already
  state.starting = null
  void runGroup(state, connection, scope)
}

async function runGroup(state: Transactions, connection: Connection, scope: AsyncLocalStorage<symbol>): Promise<void> {
  let release!: () => void
  const open: Open = { token: Symbol('transaction'), done: new Promise<void>((r) => (release = r)) }
  state.open = open
  const started = performance.now()
  const succeeded: [Pending, unknown][] = []
  let bodies = 0
  try {
    // IMMEDIATE takes the write lock up front: a read-then-write transaction begun deferred fails at once with
    // SQLITE_BUSY (no busy_timeout wait) when another process wrote in between.
    try {
      connection.exec('BEGIN IMMEDIATE')
    } catch (error) {
      // Another process held the write lock past busy_timeout: the first in line fails as it would have alone.
      state.pending.shift()!.reject(error)
      return
    }
    while (state.pending.length && bodies < GROUP_MAX_BODIES && (bodies === 0 || performance.now() - started < GROUP_MAX_MS)) {
      const pending = state.pending.shift()!
      bodies++
      connection.exec('SAVEPOINT igny8_body')
      try {
        const value = await scope.run(open.token, pending.body)
        connection.exec('RELEASE igny8_body')
        succeeded.push([pending, value])
      } catch (error) {
        pending.reject(error)
        if (!connection.inTransaction) throw error // SQLite rolled everything back: the earlier bodies' writes too
        connection.exec('ROLLBACK TO igny8_body')
        connection.exec('RELEASE igny8_body')
      }
    }
    connection.exec('COMMIT')
    for (const [pending, value] of succeeded) pending.resolve(value)
  } catch (error) {
    try {
      if (connection.inTransaction) connection.exec('ROLLBACK')
    } catch {
      // A connection that cannot even roll back (closed under us): the callers get the first error, below.
    }
    for (const [pending] of succeeded) pending.reject(error)
  } finally {
    state.open = null
    release()
    // The next group starts after the statements that waited for this one (their wake-ups are queued already).
    if (state.pending.length) {
      state.starting = performance.now()
      queueMicrotask(() => begin(state, connection, scope))
    }
  }
}
