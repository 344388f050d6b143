// Which errors mean "the database is unavailable" (503 db_unavailable, one warn line) and which stay our bug (500):
// real errors from postgres.js through Drizzle, a refused connection and a working server's own error.
import { afterAll, describe, expect, it } from 'bun:test'
import { ParseError } from 'elysia'
import { sql } from 'drizzle-orm'
import { allRows, closeDb, openDb, type Db } from '../../src/db/client'
import { DB_UNAVAILABLE, toErrorResponse } from '../../src/http/errors'
import { createLogger } from '../../src/log'
import { freePort } from '../multi-process/serve-process'
import { sharedPostgres } from '../helpers/postgres'

const opened: Db[] = []
afterAll(async () => void (await Promise.all(opened.map((db) => closeDb(db)))))

/** What a query on `db` throws. */
async function failureOf(db: Db, query = sql`select 1`): Promise<unknown> {
  try {
    await allRows(db, query)
  } catch (e) {
    return e
  }
  throw new Error('the query did not fail')
}

function answer(code: string, error: unknown) {
  const lines: string[] = []
  const res = toErrorResponse(
    code,
    error,
    createLogger('debug', (l) => lines.push(l)),
    'req-1',
  )
  return { ...res, lines: lines.map((l) => JSON.parse(l)) }
}

describe('toErrorResponse for database failures', () => {
  it('answers 503 db_unavailable, with Retry-After and one warn line without SQL, when nothing listens at the address', async () => {
    const db = openDb(`postgres://igny8:nopass@127.0.0.1:${freePort()}/igny8`)
    opened.push(db)
    const error = await failureOf(db)
    const res = answer('UNKNOWN', error)
    expect(res.status).toBe(503)
    expect(res.body).toEqual({ success: false, error: DB_UNAVAILABLE, code: 'db_unavailable' })
    expect(res.headers).toEqual({ 'Retry-After': '5' })
    expect(res.lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'database unavailable', request_id: 'req-1', code: 'ECONNREFUSED' }),
    ])
    expect(JSON.stringify(res.lines)).not.toMatch(/select/i)
  })

  it('answers 503, not 400 malformed_json, when the bearer check in the parse hook could not reach the database', async () => {
    const db = openDb(`postgres://igny8:nopass@127.0.0.1:${freePort()}/igny8`)
    opened.push(db)
    // Elysia wraps whatever its parse hook throws in a ParseError, with the thrown error as `cause`.
    const res = answer('PARSE', new ParseError((await failureOf(db)) as Error))
    expect(res.status).toBe(503)
    expect(res.body.code).toBe('db_unavailable')
  })

  it('answers 503 for a session the server ended (pg_terminate_backend: 57P01 or the closed socket)', async () => {
    const url = await (await sharedPostgres()).createDatabase()
    const db = openDb(url)
    const killer = openDb(url)
    opened.push(db, killer)
    const [{ pid }] = (await allRows<{ pid: number }>(db, sql`select pg_backend_pid() as pid`)) as [{ pid: number }]
    // The only connection of `db` is the one just used; another session ends it while it sleeps.
    const sleeping = failureOf(db, sql`select pg_sleep(5)`)
    await Bun.sleep(200)
    await allRows(killer, sql`select pg_terminate_backend(${pid})`)
    const res = answer('UNKNOWN', await sleeping)
    expect(res.status).toBe(503)
    // The backend's 57P01 message and the closed socket race; postgres.js reports whichever it saw first.
    expect(res.lines[0]).toMatchObject({ msg: 'database unavailable' })
    expect(['57P01', 'CONNECTION_CLOSED']).toContain(res.lines[0].code)
    // And the pool reconnects on the next query.
    expect(await allRows(db, sql`select 1 as one`)).toEqual([{ one: 1 }])
    // The dead connection's query is not taken for one still running: closing does not wait out its 5 s timeout
    // (a node's shutdown after a PostgreSQL restart; scripts/patch-deps.cjs).
    const closing = performance.now()
    await closeDb(db)
    expect(performance.now() - closing).toBeLessThan(1000)
  })

  it('still answers 500 internal_error for an error of a working database', async () => {
    const db = openDb(await (await sharedPostgres()).createDatabase())
    opened.push(db)
    const res = answer('UNKNOWN', await failureOf(db, sql`select * from no_such_table`))
    expect(res.status).toBe(500)
    expect(res.body.code).toBe('internal_error')
  })
})
