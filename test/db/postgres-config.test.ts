// --database-url at start-up: a PostgreSQL that cannot be used is one clear line and exit code 2 (nothing half
// done), and two nodes starting together on an empty database both come up (migrations under an advisory lock).
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { pgMigrationJournal } from '../../src/db/pg-migrations.generated'
import { sharedPostgres, type SharedPostgres } from '../helpers/postgres'
import { TEST_SECRET } from '../helpers/server'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IGNY8_'))) as Record<string, string>
let pg: SharedPostgres
let dir: string

/** `igny8 user create` migrates the database first, like `serve`; it exits when done. */
async function userCreate(url: string, email: string, extra: string[] = ['--secret', TEST_SECRET]) {
  const proc = Bun.spawn(
    [
      process.execPath,
      ENTRY,
      'user',
      'create',
      '--email',
      email,
      '--password',
      'correct horse battery',
      '--data-dir',
      dir,
      '--database-url',
      url,
      ...extra,
    ],
    { env, stdout: 'pipe', stderr: 'pipe' },
  )
  const timer = setTimeout(() => proc.kill(), 30_000)
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  clearTimeout(timer)
  return { code, stderr }
}

beforeAll(async () => {
  pg = await sharedPostgres()
  dir = mkdtempSync(join(tmpdir(), 'igny8-pgconf-'))
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('igny8 with --database-url', () => {
  it('refuses a wrong password in one line, with exit code 2 and without the password', async () => {
    const good = new URL(await pg.createDatabase())
    good.password = 'not-the-password-4242'
    const r = await userCreate(good.href, 'a@example.com')
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('refused the user name or password')
    expect(r.stderr).not.toContain('not-the-password-4242')
  }, 40_000)

  it('names a server that does not answer, and a database that does not exist', async () => {
    const url = new URL(await pg.createDatabase())
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    const port = closed.port!
    closed.stop(true)
    url.port = String(port)
    const down = await userCreate(url.href, 'b@example.com')
    expect(down.code).toBe(2)
    expect(down.stderr).toContain('nothing answers at that address')
    const missing = new URL(await pg.createDatabase())
    missing.pathname = '/no_such_database_here'
    const none = await userCreate(missing.href, 'c@example.com')
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('that database does not exist')
  }, 60_000)

  it('will not write into a database that is not empty and not ours', async () => {
    const url = await pg.createDatabase()
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    await sql`create table customers (id int primary key, name text)`
    await sql`insert into customers values (1, 'kept')`
    const r = await userCreate(url, 'd@example.com')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('not igny8')
    // Nothing of ours was created beside it.
    const tables = await sql<{ t: string }[]>`select tablename as t from pg_tables where schemaname = 'public' order by 1`
    expect(tables.map((x) => x.t)).toEqual(['customers'])
    await sql.end()
  }, 40_000)

  it('needs the same --secret on every node, so it refuses to start without one', async () => {
    const r = await userCreate(await pg.createDatabase(), 'e@example.com', [])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--secret')
  }, 40_000)

  it('migrates once when two nodes start together on an empty database', async () => {
    const url = await pg.createDatabase()
    const [a, b] = await Promise.all([userCreate(url, 'node-a@example.com'), userCreate(url, 'node-b@example.com')])
    expect([a.code, b.code, a.stderr + b.stderr]).toEqual([0, 0, ''])
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    const applied = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`
    expect(applied[0]!.n).toBe(pgMigrationJournal.entries.length)
    const users = await sql<{ email: string }[]>`select email from users order by email`
    expect(users.map((u) => u.email)).toEqual(['node-a@example.com', 'node-b@example.com'])
    await sql.end()
  }, 60_000)
})
