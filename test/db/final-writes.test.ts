// finalWrites (src/db/client.ts): a transaction's last writes, sent with COMMIT on PostgreSQL. On both engines
// they are committed with the rest, and one that fails rolls the whole transaction back and fails withTx.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allRows, closeDb, finalWrites, openDb, runSql, withTx, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { sharedPostgres } from '../helpers/postgres'

const dir = mkdtempSync(join(tmpdir(), 'igny8-final-writes-'))
const engines: Record<string, Db> = {}

beforeAll(async () => {
  engines.sqlite = openDb(join(dir, 'igny8.db'))
  engines.postgres = openDb(await (await sharedPostgres()).createDatabase())
  for (const db of Object.values(engines)) await migrateDb(db)
}, 60_000)

afterAll(async () => {
  for (const db of Object.values(engines)) await closeDb(db)
  rmSync(dir, { recursive: true, force: true })
})

const addUser = (db: Db, email: string) =>
  runSql(db, sql`insert into users (email, name, password_hash) values (${email}, 'x', 'not-a-hash')`)
const emails = async (db: Db, like: string) =>
  (await allRows<{ email: string }>(db, sql`select email from users where email like ${like} order by email`)).map((r) => r.email)

for (const engine of ['sqlite', 'postgres']) {
  describe(`finalWrites on ${engine}`, () => {
    it('commits the last writes with the rest of the transaction and answers the body’s value', async () => {
      const db = engines[engine]!
      const value = await withTx(
        db,
        async (tx) => {
          await addUser(tx, 'a1@ok.example.com')
          await finalWrites(tx, [addUser(tx, 'a2@ok.example.com'), addUser(tx, 'a3@ok.example.com')])
          return 42
        },
        { lock: 'test:final-writes' },
      )
      expect(value).toBe(42)
      expect(await emails(db, '%@ok.example.com')).toEqual(['a1@ok.example.com', 'a2@ok.example.com', 'a3@ok.example.com'])
    })

    it('rolls everything back and fails when one of them fails', async () => {
      const db = engines[engine]!
      const attempt = withTx(
        db,
        async (tx) => {
          await addUser(tx, 'b1@bad.example.com')
          // The second is a duplicate email: a unique violation after a write that succeeds.
          await finalWrites(tx, [addUser(tx, 'b2@bad.example.com'), addUser(tx, 'b1@bad.example.com')])
          return 'committed'
        },
        { lock: 'test:final-writes' },
      )
      await expect(attempt).rejects.toThrow()
      expect(await emails(db, '%@bad.example.com')).toEqual([])
      // The connection went back to the pool usable: the next transaction commits.
      await withTx(db, async (tx) => void (await addUser(tx, 'c1@after.example.com')))
      expect(await emails(db, '%@after.example.com')).toEqual(['c1@after.example.com'])
    })
  })
}
