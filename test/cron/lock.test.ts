// The daily job's lock across processes: a heartbeat keeps it while the job runs; a gone holder loses it at once.
import { afterAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { acquireLock, keepLockAlive, LOCK_STALE_MS, readState, STATE, writeState, type LockHolder } from '../../src/cron/app-state'
import { runDailyJob } from '../../src/cron/service'
import { openDb } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { integrations, pullCredentials, sites } from '../../src/db/schema'
import { sealPassword } from '../../src/pull/secret-box'
import { startServer, TEST_SECRET } from '../helpers/server'
import { sqliteOf } from '../../src/db/sqlite'

const dir = mkdtempSync(join(tmpdir(), 'igny8-lock-'))
const db = openDb(join(dir, 'igny8.db'))
await migrateDb(db)
// A process that is alive for the whole file, and the pid of one that has exited.
const alive = Bun.spawn(['sleep', '60'])
const gone = Bun.spawnSync(['true']).pid
afterAll(() => {
  alive.kill()
  sqliteOf(db).close()
  rmSync(dir, { recursive: true, force: true })
})

const ago = (ms: number) => new Date(Date.now() - ms).toISOString()
const holder = (o: Partial<LockHolder>) => ({ owner: 'other', pid: alive.pid, acquired_at: ago(0), heartbeat_at: ago(0), ...o })
const lockRow = async () => JSON.parse((await readState(db, STATE.lock))!) as LockHolder

describe('acquireLock', () => {
  it('takes over at once a lock whose holder process is gone', async () => {
    await writeState(db, STATE.lock, JSON.stringify(holder({ pid: gone })))
    expect((await acquireLock(db)).acquired).toBe(true)
    expect((await lockRow()).pid).toBe(process.pid)
  })

  it('refuses a lock whose holder is alive and beating, however long its job has run', async () => {
    await writeState(db, STATE.lock, JSON.stringify(holder({ acquired_at: ago(7 * 3600_000) })))
    expect(await acquireLock(db)).toMatchObject({ acquired: false, holder: { pid: alive.pid } })
    expect((await lockRow()).owner).toBe('other')
  })

  it('takes over a lock whose heartbeat stopped, even if its pid is alive (a hung or reused process)', async () => {
    await writeState(db, STATE.lock, JSON.stringify(holder({ heartbeat_at: ago(LOCK_STALE_MS + 1000) })))
    expect((await acquireLock(db)).acquired).toBe(true)
  })
})

describe('keepLockAlive', () => {
  it('refreshes the heartbeat while held, stops when told, and never writes over a lock taken by another', async () => {
    await writeState(db, STATE.lock, JSON.stringify(holder({ pid: gone })))
    const lock = await acquireLock(db)
    if (!lock.acquired) throw new Error('not acquired')
    const first = (await lockRow()).heartbeat_at
    const stop = keepLockAlive(db, lock.token, 20)
    await Bun.sleep(100)
    expect(Date.parse((await lockRow()).heartbeat_at!)).toBeGreaterThan(Date.parse(first!))

    const other = holder({ heartbeat_at: ago(0) })
    await writeState(db, STATE.lock, JSON.stringify(other))
    await Bun.sleep(60)
    expect(await lockRow()).toEqual(other)
    stop()
  })
})

describe('runDailyJob', () => {
  it('keeps its lock beating while a slow pull runs, and releases it after', async () => {
    const server = await startServer({ 'pull-allow-private': 'true', 'backup-keep': '0' })
    // A WordPress that takes 600 ms to answer anything: the job's one pull outlasts several heartbeats.
    const wp = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Bun.sleep(600).then(() => new Response('', { status: 404 })) })
    try {
      const u = await server.user()
      const site = await server.db.insert(sites).values({ ownerId: u.id, name: 'Blog', url: 'https://blog.example.com' }).returning().get()
      const integration = await server.db.insert(integrations).values({ siteId: site.id, platform: 'wordpress' }).returning().get()
      await server.db
        .insert(pullCredentials)
        .values({
          integrationId: integration.id,
          wpUrl: `http://127.0.0.1:${wp.port}`,
          username: 'admin',
          appPasswordEnc: sealPassword(TEST_SECRET, integration.id, 'pw'),
        })
        .run()
      let finished = false
      const job = runDailyJob(server.ctx, new Date(), { heartbeatMs: 50 }).finally(() => (finished = true))
      const beats = new Set<string>()
      while (!finished) {
        const raw = await readState(server.db, STATE.lock)
        if (raw) beats.add((JSON.parse(raw) as LockHolder).heartbeat_at!)
        await Bun.sleep(25)
      }
      expect((await job).ran).toBe(true)
      expect(beats.size).toBeGreaterThanOrEqual(4)
      expect(await readState(server.db, STATE.lock)).toBeNull()
    } finally {
      wp.stop(true)
      await server.stop()
    }
  })
})
