// What a PostgreSQL handle sends, seen from the driver: postgres.js's `unsafe` is what Drizzle sends every query with.
import type { Db } from '../../src/db/client'

type Unsafe = (...args: unknown[]) => unknown
type Client = { unsafe: Unsafe }

/** Runs `run` with each statement `db` sends passed through `wrap` (given the driver's own `unsafe` and its arguments). */
export async function wrappingStatements<T>(db: Db, wrap: (unsafe: Unsafe, args: unknown[]) => unknown, run: () => Promise<T>): Promise<T> {
  const client = (db as unknown as { $client: Client }).$client
  const unsafe = client.unsafe
  const own: Unsafe = (...args) => unsafe.apply(client, args)
  client.unsafe = (...args: unknown[]) => wrap(own, args)
  try {
    return await run()
  } finally {
    client.unsafe = unsafe
  }
}

/** How many statements `db` sends while `run` runs. */
export async function statementsDuring(db: Db, run: () => Promise<unknown>): Promise<number> {
  let n = 0
  await wrappingStatements(db, (unsafe, args) => (n++, unsafe(...args)), run)
  return n
}
