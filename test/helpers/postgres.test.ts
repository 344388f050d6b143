// The PostgreSQL test helper: a real server per call, isolated databases, real auth, restart and clean stop.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, readFileSync, statSync } from 'node:fs'
import postgres from 'postgres'
import { isAlive } from '../wordpress/processes'
import { sharedPostgres, startPostgres, type PgServer } from './postgres'

const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1])
const client = (url: string) => postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} })
/** A query's rows as a plain array, for toEqual. */
const rows = async (q: PromiseLike<readonly object[]>) => [...(await q)]

describe('startPostgres()', () => {
  let pg: PgServer
  beforeAll(async () => {
    pg = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await pg?.stop()
  }, 30_000)

  it('runs PostgreSQL >= 15 on loopback with durable defaults and room for 200 connections', async () => {
    const sql = client(pg.superUrl)
    try {
      const [s] = await sql`select current_setting('server_version_num')::int as version,
        current_setting('listen_addresses') as listen, current_setting('fsync') as fsync,
        current_setting('synchronous_commit') as sync, current_setting('max_connections')::int as max`
      expect(s).toEqual({ version: expect.any(Number), listen: '127.0.0.1', fsync: 'on', sync: 'on', max: expect.any(Number) })
      expect(s!.version).toBeGreaterThanOrEqual(150000)
      expect(s!.max).toBeGreaterThanOrEqual(200)
    } finally {
      await sql.end({ timeout: 5 })
    }
  }, 30_000)

  it('creates databases that are independent of each other', async () => {
    const a = await pg.createDatabase()
    const b = await pg.createDatabase()
    expect(a).not.toBe(b)
    const sa = client(a)
    const sb = client(b)
    try {
      await sa`create table t (v int)`
      await sa`insert into t values (1)`
      expect(await rows(sa`select v from t`)).toEqual([{ v: 1 }])
      const [found] = await sb`select to_regclass('public.t') as t`
      expect(found!.t).toBeNull()
    } finally {
      await Promise.all([sa.end({ timeout: 5 }), sb.end({ timeout: 5 })])
    }
  }, 30_000)

  it('accepts the superuser password and refuses a wrong one with 28P01', async () => {
    const good = client(pg.superUrl)
    const bad = client(pg.superUrl.replace(`:${pg.password}@`, ':wrong-password@'))
    try {
      expect(await rows(good`select current_user as u`)).toEqual([{ u: 'igny8' }])
      const err = await bad`select 1`.then(
        () => undefined,
        (e: any) => e,
      )
      expect(err?.code).toBe('28P01')
    } finally {
      await Promise.all([good.end({ timeout: 5 }), bad.end({ timeout: 5 })])
    }
  }, 30_000)

  it('runs the server as an unprivileged user that owns the data dir', async () => {
    const uid = uidOf(pg.pid)
    expect(uid).not.toBe(0)
    if (process.getuid!() !== 0) expect(uid).toBe(process.getuid!())
    const sql = client(pg.superUrl)
    try {
      const [row] = await sql`select current_setting('data_directory') as dir`
      const dir = row!.dir as string
      expect(dir).toBe(pg.dataDir)
      expect(statSync(dir).uid).toBe(uid)
    } finally {
      await sql.end({ timeout: 5 })
    }
  }, 30_000)

  it('restart() keeps committed data, and a connected client carries on after it', async () => {
    const url = await pg.createDatabase()
    const sql = client(url)
    try {
      await sql`create table kept (v text)`
      await sql`insert into kept values ('before restart')`
      const before = pg.pid
      await pg.restart()
      expect(pg.pid).not.toBe(before)
      expect(isAlive(before)).toBe(false)
      // The pooled connection was closed by the shutdown; the client must open a new one by itself.
      expect(await rows(sql`select v from kept`)).toEqual([{ v: 'before restart' }])
    } finally {
      await sql.end({ timeout: 5 })
    }
  }, 60_000)

  it('kill() is a crash: restart() recovers every committed row', async () => {
    const url = await pg.createDatabase()
    const sql = client(url)
    try {
      await sql`create table durable (v int)`
      await sql`insert into durable select generate_series(1, 1000)`
      const killed = pg.pid
      await pg.kill()
      expect(isAlive(killed)).toBe(false)
      expect(pg.pid).toBe(0)
      await pg.restart()
      expect(await rows(sql`select count(*)::int as n from durable`)).toEqual([{ n: 1000 }])
    } finally {
      await sql.end({ timeout: 5 })
    }
  }, 60_000)
})

describe('stop()', () => {
  it('leaves no server process and removes the temp dir', async () => {
    const pg = await startPostgres()
    const { pid, dir, port } = pg
    expect(isAlive(pid)).toBe(true)
    await pg.stop()
    expect(isAlive(pid)).toBe(false)
    expect(existsSync(dir)).toBe(false)
    const sql = client(`postgres://igny8:${pg.password}@127.0.0.1:${port}/postgres`)
    try {
      const err = await sql`select 1`.then(
        () => undefined,
        (e: any) => e,
      )
      expect(err?.code).toBe('ECONNREFUSED')
    } finally {
      await sql.end({ timeout: 1 })
    }
  }, 60_000)
})

describe('sharedPostgres()', () => {
  it('is one server per test process, with a fresh database for each caller', async () => {
    const [one, two] = await Promise.all([sharedPostgres(), sharedPostgres()])
    expect(one.port).toBe(two.port)
    const a = await one.createDatabase()
    const b = await two.createDatabase()
    expect(a).not.toBe(b)
    const sql = client(b)
    try {
      expect(await rows(sql`select count(*)::int as n from pg_tables where schemaname = 'public'`)).toEqual([{ n: 0 }])
    } finally {
      await sql.end({ timeout: 5 })
    }
  }, 60_000)
})
