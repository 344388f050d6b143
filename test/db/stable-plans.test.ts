// SQLite statements are written with `+?` parameters (withStablePlans in src/db/sqlite.ts), so a cached statement
// keeps its compiled plan across bindings instead of being recompiled on every run. These tests hold the two
// halves of that: every path that turns a query into SQLite text writes `+?`, and `+?` compares, stores and
// limits exactly as `?` does, including SQLite's type affinity (a text '5' still matches an integer 5).
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { and, eq, sql } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allRows, closeDb, openDb, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { sqliteOf } from '../../src/db/sqlite'
import { apiKeys, sites, users } from '../../src/db/schema'

const dir = mkdtempSync(join(tmpdir(), 'igny8-stable-plans-'))
let db: Db

beforeAll(async () => {
  db = openDb(join(dir, 'igny8.db'))
  await migrateDb(db)
})

afterAll(async () => {
  await closeDb(db)
  rmSync(dir, { recursive: true, force: true })
})

describe('SQLite parameters', () => {
  it('are written as +? by the query builder and by raw statements', () => {
    const built = db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .innerJoin(sites, eq(sites.id, apiKeys.siteId))
      .where(and(eq(apiKeys.keyHash, 'h'), eq(sites.id, 3)))
      .limit(5)
      .toSQL().sql
    expect(built).toContain('= +?')
    expect(built).toContain('limit +?')
    expect(built.replaceAll('+?', '')).not.toContain('?')
  })

  it('answer raw statements through allRows with the same values', async () => {
    const rows = await allRows<{ a: number; b: string; c: null }>(db, sql`select ${1} + 1 as a, ${'x'} || 'y' as b, ${null} as c`)
    expect(rows).toEqual([{ a: 2, b: 'xy', c: null }])
  })

  it('find the same rows as ? would, with the column’s affinity applied', async () => {
    const [u] = await db.insert(users).values({ email: 'aff@example.com', passwordHash: 'x' }).returning({ id: users.id })
    // A text parameter against an integer column and a number against a text column: SQLite converts both.
    const byTextId = await allRows<{ email: string }>(db, sql`select email from users where id = ${String(u!.id)}`)
    const byNumberEmail = await allRows<{ n: number }>(db, sql`select count(*) as n from users where email = ${42}`)
    expect(byTextId).toEqual([{ email: 'aff@example.com' }])
    expect(byNumberEmail).toEqual([{ n: 0 }])

    // The same comparisons written by hand with plain ? on a scratch table agree with +? for every kind of value.
    const scratch = new Database(':memory:')
    scratch.exec(`create table t (i integer, r real, s text, b blob, n numeric)`)
    scratch.exec(`insert into t values (5, 1.5, '5', x'00ff', '7')`)
    for (const value of [5, '5', 1.5, '1.5', 7, '7', 'x', null, new Uint8Array([0, 255]), 5n, true])
      for (const column of ['i', 'r', 's', 'b', 'n']) {
        const plain = scratch.query(`select count(*) as n from t where ${column} = ?`).get(value as never)
        const plus = scratch.query(`select count(*) as n from t where ${column} = +?`).get(value as never)
        expect({ column, value: String(value), plus }).toEqual({ column, value: String(value), plus: plain })
      }
    scratch.close()
  })

  it('keep the index a lookup uses', () => {
    const text = db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .innerJoin(sites, eq(sites.id, apiKeys.siteId))
      .where(eq(apiKeys.keyHash, 'h'))
      .toSQL()
    const plan = (
      sqliteOf(db)
        .query(`explain query plan ${text.sql}`)
        .all(...(text.params as never[])) as { detail: string }[]
    ).map((r) => r.detail)
    expect(plan.join('\n')).toContain('USING INDEX api_keys_key_hash_unique (key_hash=?)')
  })
})
