// The daily job as a plain service: one run at a time, housekeeping, backups, its cron event.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { LOCK_STALE_MS, STATE, writeState, readState } from '../../src/cron/app-state'
import { runDailyJob } from '../../src/cron/service'
import { adminSessions, refreshTokens, syncEvents } from '../../src/db/schema'
import { recordEvent } from '../../src/sync-log/service'
import { startServer, type TestServer } from '../helpers/server'

let s: TestServer
beforeAll(async () => {
  s = await startServer({ 'backup-keep': '2', 'sync-log-retention-days': '30' })
}, 30_000)
afterAll(() => s.stop(), 30_000)

const day = (n: number) => new Date(Date.UTC(2030, 0, n, 3, 0, 0))

describe('runDailyJob', () => {
  it('never runs twice at once in one process', async () => {
    const [a, b] = await Promise.all([runDailyJob(s.ctx, day(1)), runDailyJob(s.ctx, day(1))])
    expect([a.ran, b.ran].sort()).toEqual([false, true])
    const refused = a.ran ? b : a
    expect(!refused.ran && refused.reason).toContain('already running')
  })

  it('does not run while another live process holds the lock, and takes over a lock whose heartbeat stopped', async () => {
    const other = Bun.spawn(['sleep', '30']) // a live holder on this machine
    const now = new Date().toISOString()
    const holder = { owner: 'other', pid: other.pid, acquired_at: now, heartbeat_at: now }
    try {
      await writeState(s.db, STATE.lock, JSON.stringify(holder))
      const refused = await runDailyJob(s.ctx, day(2))
      expect(refused).toMatchObject({ ran: false, holder: { pid: other.pid } })
      expect(await readState(s.db, STATE.lock)).toBe(JSON.stringify(holder)) // not ours to release

      await writeState(
        s.db,
        STATE.lock,
        JSON.stringify({ ...holder, heartbeat_at: new Date(Date.now() - LOCK_STALE_MS - 1000).toISOString() }),
      )
      expect((await runDailyJob(s.ctx, day(2))).ran).toBe(true)
      expect(await readState(s.db, STATE.lock)).toBeNull()
    } finally {
      other.kill()
    }
  })

  it('records a cron event of no integration with what it pruned', async () => {
    const u = await s.user() // its login left a refresh token
    await s.db
      .update(refreshTokens)
      .set({ expiresAt: day(3).getTime() - 1000 })
      .where(eq(refreshTokens.userId, u.id))
      .run()
    await s.db
      .insert(adminSessions)
      .values({ idHash: 'expired', userId: u.id, csrfToken: 'x', expiresAt: day(3).getTime() - 1000 })
      .run()
    await s.db
      .insert(adminSessions)
      .values({ idHash: 'live', userId: u.id, csrfToken: 'x', expiresAt: day(3).getTime() + 3600_000 })
      .run()
    await recordEvent(s.db, {
      integrationId: null,
      kind: 'cron',
      source: 'cron',
      status: 'ok',
      summary: 'old',
      startedAt: new Date(day(3).getTime() - 31 * 86400_000),
    })

    const r = await runDailyJob(s.ctx, day(3))
    if (!r.ran) throw new Error(r.reason)
    expect(r.event).toMatchObject({ integrationId: null, kind: 'cron', source: 'cron', status: 'ok', startedAt: day(3).toISOString() })
    expect(JSON.parse(r.event.countsJson)).toMatchObject({
      pulls_ok: 0,
      pulls_failed: 0,
      newly_stale: [],
      refresh_tokens_pruned: 1,
      sessions_pruned: 1,
      events_pruned: 1,
      backup: 'igny8-20300103-030000.db',
      failures: [],
    })
    expect(r.event.summary).toStartWith('Daily job: 0 pulls')
    expect((await s.db.select().from(adminSessions).all()).map((x) => x.idHash)).toEqual(['live'])
    expect(await s.db.select().from(syncEvents).where(eq(syncEvents.summary, 'old')).all()).toEqual([])
    expect(await readState(s.db, STATE.lastRunAt)).toBe(day(3).toISOString())
  })

  it('keeps only the newest backup-keep dated backups', async () => {
    for (const n of [4, 5, 6]) expect((await runDailyJob(s.ctx, day(n))).ran).toBe(true)
    // A second run in the same second gets its own name.
    expect((await runDailyJob(s.ctx, day(6))).ran).toBe(true)
    expect(readdirSync(join(s.dir, 'backups')).sort()).toEqual(['igny8-20300106-030000-1.db', 'igny8-20300106-030000.db'])
  })
})
