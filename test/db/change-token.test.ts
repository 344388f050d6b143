// changeToken (src/db/sqlite.ts): equal tokens mean no connection of any process committed in between; on a file
// database it is read from the WAL-index header, without a statement.
import { afterEach, describe, expect, it } from 'bun:test'
import { Database } from 'bun:sqlite'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { runSql, withTx } from '../../src/db/client'
import { changeToken, closeSqlite, openSqlite, sqliteOf } from '../../src/db/sqlite'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function fileDb() {
  const dir = mkdtempSync(join(tmpdir(), 'igny8-token-'))
  dirs.push(dir)
  const file = join(dir, 'igny8.db')
  const db = openSqlite(file)
  sqliteOf(db).exec('create table t (x integer)')
  return { db, file }
}
/** A write by another process, committed before this returns. */
function otherProcessWrites(file: string, statement: string) {
  const child = Bun.spawnSync([
    process.execPath,
    '-e',
    `new (require('bun:sqlite').Database)(${JSON.stringify(file)}).exec(${JSON.stringify(statement)})`,
  ])
  expect(child.exitCode).toBe(0)
}

describe('changeToken on a file database', () => {
  it('stays the same while nothing is committed, reads included', () => {
    const { db } = fileDb()
    const before = changeToken(db)
    sqliteOf(db).query('select count(*) from t').all()
    expect(changeToken(db)).toBe(before!)
    closeSqlite(db)
  })

  it('comes from the WAL-index header (four numbers), not from a statement (two)', () => {
    const { db } = fileDb()
    expect(changeToken(db)!.split(':')).toHaveLength(4)
    closeSqlite(db)
  })

  it("changes with this connection's commit, another connection's, another process's, and a WAL started over", () => {
    const { db, file } = fileDb()
    const seen = new Set<string>()
    const expectNew = () => {
      const token = changeToken(db)!
      expect(seen.has(token)).toBe(false)
      seen.add(token)
    }
    expectNew()
    sqliteOf(db).exec('insert into t values (1)')
    expectNew()
    const other = new Database(file)
    other.exec('insert into t values (2)')
    expectNew()
    otherProcessWrites(file, 'insert into t values (3)')
    expectNew()
    // The other connection checkpoints everything, so the next write starts the WAL over from its first frame.
    other.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    changeToken(db) // a checkpoint changes no data; whether the token moves with it does not matter
    seen.add(changeToken(db)!)
    other.exec('insert into t values (4)')
    expectNew()
    otherProcessWrites(file, 'update t set x = x + 1')
    expectNew()
    other.close()
    closeSqlite(db)
  })

  it('is undefined inside a transaction, and changes with its commit', async () => {
    const { db } = fileDb()
    const before = changeToken(db)
    await withTx(db, async (tx) => {
      await runSql(tx, sql`insert into t values (5)`)
      expect(changeToken(db)).toBeUndefined()
    })
    expect(changeToken(db)).not.toBe(before!)
    closeSqlite(db)
  })
})

describe('changeToken without a WAL-index', () => {
  it('on an in-memory database comes from a statement and still changes with each write', () => {
    const db = openSqlite(':memory:')
    sqliteOf(db).exec('create table t (x integer)')
    const before = changeToken(db)!
    expect(before.split(':')).toHaveLength(2)
    sqliteOf(db).exec('insert into t values (1)')
    expect(changeToken(db)).not.toBe(before)
    closeSqlite(db)
  })
})

describe('reading the WAL-index header', () => {
  it("leaves SQLite's locks on the -shm file in place (a lost lock would let another process reset the file)", () => {
    const { db, file } = fileDb()
    const ino = statSync(`${file}-shm`).ino
    const locks = () =>
      readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .filter((l) => l.includes(`:${ino} `)).length
    const before = locks()
    expect(before).toBeGreaterThan(0)
    changeToken(db)
    sqliteOf(db).exec('insert into t values (1)')
    changeToken(db)
    expect(locks()).toBe(before)
    closeSqlite(db)
  })
})

describe('changeToken with exclusive locking', () => {
  it('does not trust an -shm file SQLite no longer writes, and still sees every write', () => {
    const { db } = fileDb()
    sqliteOf(db).exec('PRAGMA locking_mode = EXCLUSIVE')
    sqliteOf(db).exec('insert into t values (1)') // the WAL-index now lives in this process's memory
    const before = changeToken(db)!
    expect(before.split(':')).toHaveLength(2)
    sqliteOf(db).exec('insert into t values (2)')
    expect(changeToken(db)).not.toBe(before)
    closeSqlite(db)
  })
})
