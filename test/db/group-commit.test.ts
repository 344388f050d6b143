// Group commit on SQLite (src/db/group-commit.ts): transactions that queue behind one another share a COMMIT,
// and each caller still sees its own transaction: answered only once durable, its own failure rolled back alone.
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'bun:test'
import { sql } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { AsyncLocalStorage } from 'node:async_hooks'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allRows, closeDb, openDb, runSql, withTx, type Db } from '../../src/db/client'
import { newTransactions, transaction } from '../../src/db/group-commit'
import { sqliteOf } from '../../src/db/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'igny8-group-commit-'))
const file = join(dir, 'igny8.db')
let db: Db
let commits = 0

beforeAll(() => {
  db = openDb(file)
  const sqlite = sqliteOf(db)
  sqlite.exec('create table t (id integer primary key, v text not null)')
  // Counts the COMMITs the connection runs (the connection itself is the real one).
  const exec = sqlite.exec.bind(sqlite)
  sqlite.exec = ((text: string) => {
    if (text === 'COMMIT') commits++
    return exec(text)
  }) as typeof sqlite.exec
})
beforeEach(async () => {
  await runSql(db, sql`delete from t`)
  commits = 0
})
afterAll(async () => {
  await closeDb(db)
  rmSync(dir, { recursive: true, force: true })
})

const insert = (tx: Db, v: string) => runSql(tx, sql`insert into t (v) values (${v})`)
const values = async (from: Db = db) => (await allRows<{ v: string }>(from, sql`select v from t order by v`)).map((r) => r.v)
/** What another connection to the file sees: only committed data. */
const committed = () => {
  const other = new Database(file, { readonly: true })
  try {
    return (other.query('select v from t order by v').all() as { v: string }[]).map((r) => r.v)
  } finally {
    other.close()
  }
}

describe('group commit on SQLite', () => {
  it('commits transactions that queued together with fewer COMMITs, and answers each once its rows are durable', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `v${String(i).padStart(2, '0')}`)
    const seenAtAnswer: string[][] = []
    await Promise.all(
      names.map(async (v) => {
        const answer = await withTx(db, async (tx) => {
          await insert(tx, v)
          await Bun.sleep(0)
          return v
        })
        expect(answer).toBe(v)
        seenAtAnswer.push(committed())
        expect(seenAtAnswer.at(-1)).toContain(v)
      }),
    )
    expect(await values()).toEqual(names)
    expect(commits).toBeGreaterThan(0)
    expect(commits).toBeLessThan(names.length / 2)
  })

  it('rolls back only the body that failed; the others in its group are committed and answered', async () => {
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'fail', 'c', 'd'].map((v) =>
        withTx(db, async (tx) => {
          await insert(tx, v)
          await Bun.sleep(1)
          if (v === 'fail') throw new Error('refused')
          await insert(tx, `${v}2`)
          return v
        }),
      ),
    )
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toBe('refused')
    expect(committed()).toEqual(['a', 'a2', 'b', 'b2', 'c', 'c2', 'd', 'd2'])
    expect(commits).toBeLessThan(5)
  })

  it('never lets a statement from outside see a group’s writes before they are committed', async () => {
    const reads: string[][] = []
    const writes = ['w1', 'w2', 'bad', 'w3'].map((v) =>
      withTx(db, async (tx) => {
        await insert(tx, v)
        await Bun.sleep(2)
        if (v === 'bad') throw new Error('refused')
      }).catch(() => undefined),
    )
    const reader = (async () => {
      for (let i = 0; i < 20; i++) {
        reads.push(await values())
        await Bun.sleep(1)
      }
    })()
    await Promise.all([...writes, reader])
    for (const seen of reads) expect(seen).not.toContain('bad')
    expect(await values()).toEqual(['w1', 'w2', 'w3'])
  })

  it('lets statements from outside run between groups: a stream of writes does not starve a read', async () => {
    const writes = Array.from({ length: 300 }, (_, i) =>
      withTx(db, async (tx) => {
        await insert(tx, `s${i}`)
        await Bun.sleep(0)
      }),
    )
    let writesDone = false
    const all = Promise.all(writes).then(() => (writesDone = true))
    await Bun.sleep(1)
    const seen = await values()
    expect(writesDone).toBe(false)
    expect(seen.length).toBeLessThan(300)
    await all
    expect((await values()).length).toBe(300)
  })

  it('takes transactions asked for by separate tasks of one turn (as requests arrive) into one group', async () => {
    // Each body runs to its end at once (nothing to wait for): only a group begun after the turn holds more than one.
    const tasks = Array.from({ length: 16 }, (_, i) => {
      const { promise, resolve } = Promise.withResolvers<void>()
      setImmediate(() => void withTx(db, (tx) => insert(tx, `t${String(i).padStart(2, '0')}`)).then(() => resolve()))
      return promise
    })
    await Promise.all(tasks)
    expect(await values()).toHaveLength(16)
    expect(commits).toBeLessThanOrEqual(2)
  })

  it('begins a group that the event loop holds back once another transaction is asked for a millisecond later', async () => {
    const state = newTransactions()
    const sqlite = new Database(join(dir, 'held.db'))
    sqlite.exec('create table if not exists t (v text)')
    const scope = new AsyncLocalStorage<symbol>()
    const first = transaction(state, sqlite, scope, async () => sqlite.run("insert into t values ('first')").changes)
    // This thread busy, as under a flood of socket events: the immediate that would begin the group cannot run.
    const until = performance.now() + 3
    while (performance.now() < until);
    const second = transaction(state, sqlite, scope, async () => sqlite.run("insert into t values ('second')").changes)
    expect(state.open).not.toBeNull() // begun by the second call, not by the immediate
    expect(await Promise.all([first, second])).toEqual([1, 1])
    sqlite.close()
  })

  it('runs nested transactions inside the one they are in', async () => {
    await Promise.all(
      ['n1', 'n2'].map((v) =>
        withTx(db, async (tx) => {
          await insert(tx, v)
          await withTx(tx, async (inner) => insert(inner, `${v}-inner`))
        }),
      ),
    )
    expect(committed()).toEqual(['n1', 'n1-inner', 'n2', 'n2-inner'])
  })
})

describe('group commit when SQLite loses the transaction', () => {
  // The real connection to a scratch file, with one failure injected where SQLite itself would fail.
  const scratch = () => {
    const sqlite = new Database(join(dir, `scratch-${Math.random().toString(36).slice(2)}.db`), { create: true })
    sqlite.exec('PRAGMA journal_mode = WAL')
    sqlite.exec('create table t (v text)')
    return sqlite
  }
  const scope = new AsyncLocalStorage<symbol>()

  it('fails every body of the group when the COMMIT fails, and commits nothing of it', async () => {
    const sqlite = scratch()
    let failCommit = true
    const connection = {
      exec(text: string) {
        if (text === 'COMMIT' && failCommit) {
          failCommit = false
          throw new Error('disk I/O error')
        }
        return sqlite.exec(text)
      },
      get inTransaction() {
        return sqlite.inTransaction
      },
    }
    const state = newTransactions()
    const outcomes = await Promise.allSettled(
      ['x', 'y', 'z'].map((v) =>
        transaction(state, connection, scope, async () => {
          sqlite.run('insert into t values (?)', [v])
          await Bun.sleep(0)
          return v
        }),
      ),
    )
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(sqlite.query('select count(*) as n from t').get()).toEqual({ n: 0 })
    // The connection is usable afterwards.
    expect(await transaction(state, connection, scope, async () => sqlite.run('insert into t values (?)', ['after']).changes)).toBe(1)
    sqlite.close()
  })

  it('fails every waiting transaction, none left hanging, when the connection is gone', async () => {
    const sqlite = scratch()
    sqlite.close()
    const state = newTransactions()
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => transaction(state, sqlite, scope, async () => 'never')))
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(state.open).toBeNull()
  })

  it('fails the earlier bodies too when SQLite rolled the whole transaction back under a later one', async () => {
    const sqlite = scratch()
    const state = newTransactions()
    const outcomes = await Promise.allSettled(
      ['p', 'q', 'lost'].map((v) =>
        transaction(state, sqlite, scope, async () => {
          sqlite.run('insert into t values (?)', [v])
          await Bun.sleep(0)
          if (v === 'lost') {
            // What SQLite does on SQLITE_FULL or an I/O error: the whole transaction is gone.
            sqlite.exec('ROLLBACK')
            throw new Error('database or disk is full')
          }
          return v
        }),
      ),
    )
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(sqlite.query('select count(*) as n from t').get()).toEqual({ n: 0 })
    sqlite.close()
  })
})
