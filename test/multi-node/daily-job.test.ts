// The daily job on PostgreSQL runs once per scheduled slot across nodes: the advisory lock keeps a second node out
// while a run is going on, and the slot record keeps out a node whose timer fires after the first run finished.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { resolveConfig } from '../../src/config'
import { readState, STATE, writeState } from '../../src/cron/app-state'
import { DAILY_JOB_LOCK } from '../../src/cron/pg-job-lock'
import { runDailyJob } from '../../src/cron/service'
import { allRows, closeDb, openDb, type Db } from '../../src/db/client'
import { migrateDb } from '../../src/db/migrate'
import { silentLogger } from '../../src/log'
import { sharedPostgres } from '../helpers/postgres'
import { TEST_SECRET } from '../helpers/server'
import { seedDatabase, startNode, type Node } from './node-process'

const cronEvents = (db: Db) =>
  allRows<{ started_at: string; counts_json: string }>(
    db,
    sql`select started_at, counts_json from sync_events where kind = 'cron' order by id`,
  )

describe('runDailyJob on PostgreSQL, two nodes in one process', () => {
  let url: string
  let dir: string
  // Two handles with their own pools and data dirs: as far as the database can tell, two nodes.
  let one: Db
  let two: Db
  const deps = (db: Db, name: string) => ({
    db,
    log: silentLogger,
    config: resolveConfig({ 'data-dir': join(dir, name), secret: TEST_SECRET, 'database-url': url, 'backup-keep': '0' }, {}),
  })

  beforeAll(async () => {
    url = await (await sharedPostgres()).createDatabase()
    dir = mkdtempSync(join(tmpdir(), 'igny8-pg-job-'))
    one = openDb(url)
    two = openDb(url)
    await migrateDb(one)
  }, 60_000)
  afterAll(async () => {
    await Promise.all([one && closeDb(one), two && closeDb(two)])
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs a scheduled slot once: the node whose timer fires after the first run finished skips it', async () => {
    const slot = new Date('2026-01-05T03:00:00.000Z')
    const first = await runDailyJob(deps(one, 'one'), new Date(slot.getTime() + 5), { trigger: 'schedule', slot })
    const second = await runDailyJob(deps(two, 'two'), new Date(slot.getTime() + 900), { trigger: 'schedule', slot })
    expect(first.ran).toBe(true)
    expect(second).toMatchObject({ ran: false })
    // The next slot runs again, on whichever node fires first.
    const next = new Date('2026-01-06T03:00:00.000Z')
    expect((await runDailyJob(deps(two, 'two'), new Date(next.getTime() + 3), { trigger: 'schedule', slot: next })).ran).toBe(true)
    expect((await cronEvents(one)).length).toBe(2)
  })

  it('keeps every node out while another session holds the job lock, and lets one in as soon as that session dies', async () => {
    // A node in the middle of a run, seen from the database: a session holding the advisory lock.
    const holder = postgres(url, { max: 1, onnotice: () => {} })
    try {
      await holder`select pg_advisory_lock(${DAILY_JOB_LOCK})`
      const refused = await runDailyJob(deps(one, 'one'), new Date(), { trigger: 'manual' })
      expect(refused).toMatchObject({ ran: false })
      // The holder crashes: its session ends, and with it the lock (no heartbeat to wait out).
      await holder.end({ timeout: 1 })
      expect((await runDailyJob(deps(two, 'two'), new Date(), { trigger: 'manual' })).ran).toBe(true)
      expect(await readState(one, STATE.lock)).toBeNull()
    } finally {
      await holder.end({ timeout: 1 })
    }
  })
})

describe('two igny8 serve nodes started together after a missed run', () => {
  let nodes: Node[] = []
  let db: Db
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    if (db) await closeDb(db)
  }, 30_000)

  it('catch up the missed run once between them, not once each', async () => {
    const url = await (await sharedPostgres()).createDatabase()
    // The last run was two days ago: a daily slot has been missed, and each node sees it at start-up.
    await seedDatabase(url, (db) => writeState(db, STATE.lastRunAt, new Date(Date.now() - 2 * 86_400_000).toISOString()))
    nodes = await Promise.all([
      startNode('a', url, { args: ['--backup-keep', '0'] }),
      startNode('b', url, { args: ['--backup-keep', '0'] }),
    ])
    for (const n of nodes) expect(await n.waitForLog('daily job scheduled')).toMatchObject({ catch_up: true })
    db = openDb(url)
    // The catch-up fires 5 s after each node's start; both have had their turn well before 15 s.
    await Bun.sleep(15_000)
    const events = await cronEvents(db)
    expect(events.map((e) => JSON.parse(e.counts_json).trigger)).toEqual(['catch-up'])
    expect(nodes.map((n) => n.logged('daily job finished').length).sort()).toEqual([0, 1])
  }, 90_000)
})
