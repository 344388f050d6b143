// Catch-up: a run missed while the server was down runs once, shortly after start-up; a fresh data dir missed nothing.
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { Elysia } from 'elysia'
import { eq } from 'drizzle-orm'
import { startDailySchedule } from '../../src/cron'
import { readState, STATE, writeState } from '../../src/cron/app-state'
import { catchUpDue, isValidCronPattern } from '../../src/cron/schedule'
import { runDailyJob } from '../../src/cron/service'
import { syncEvents } from '../../src/db/schema'
import { startServer, type TestServer } from '../helpers/server'
import { sqliteOf } from '../../src/db/sqlite'

const DAILY = '0 3 * * *'
const at = (iso: string) => new Date(iso)

let s: TestServer
beforeAll(async () => {
  s = await startServer({ 'backup-keep': '0' })
}, 30_000)
afterAll(() => s.stop(), 30_000)

const reset = async () => {
  sqliteOf(s.db).run(`DELETE FROM app_state`)
  await s.db.delete(syncEvents).where(eq(syncEvents.kind, 'cron')).run()
}
const cronEvents = async () => await s.db.select().from(syncEvents).where(eq(syncEvents.kind, 'cron')).all()

describe('catchUpDue', () => {
  it('answers no on a fresh data dir and records when it was first seen', async () => {
    await reset()
    expect(await catchUpDue(s.db, DAILY, at('2030-01-01T12:00:00Z'))).toBe(false)
    expect(await readState(s.db, STATE.installedAt)).toBe('2030-01-01T12:00:00.000Z')
    expect(await catchUpDue(s.db, DAILY, at('2030-01-02T02:59:59Z'))).toBe(false)
  })

  it('answers yes once a scheduled time passed with no run, until a run happens', async () => {
    await reset()
    await catchUpDue(s.db, DAILY, at('2030-01-01T12:00:00Z'))
    expect(await catchUpDue(s.db, DAILY, at('2030-01-02T03:00:00Z'))).toBe(true)
    expect(await catchUpDue(s.db, DAILY, at('2030-01-09T10:00:00Z'))).toBe(true) // a week down: still one catch-up
    expect((await runDailyJob(s.ctx, at('2030-01-09T10:00:05Z'))).ran).toBe(true)
    expect(await catchUpDue(s.db, DAILY, at('2030-01-10T02:00:00Z'))).toBe(false)
    expect(await catchUpDue(s.db, DAILY, at('2030-01-10T03:00:01Z'))).toBe(true)
  })

  it('tells valid cron patterns from invalid ones', () => {
    expect(isValidCronPattern('0 3 * * *')).toBe(true)
    expect(isValidCronPattern('*/15 * * * *')).toBe(true)
    expect(isValidCronPattern('every day')).toBe(false)
  })
})

describe('startDailySchedule', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('runs a missed job once, shortly after start-up', async () => {
    await reset()
    await writeState(s.db, STATE.installedAt, '2030-01-01T12:00:00.000Z')
    const schedule = await startDailySchedule(new Elysia(), s.ctx, { catchUpDelayMs: 20, now: () => at('2030-01-03T08:00:00Z') })
    expect(schedule.catchUp).toBe(true)
    expect(schedule.nextRun()!.getUTCHours()).toBe(3)
    await wait(300)
    await schedule.stop()
    expect((await cronEvents()).map((e) => JSON.parse(e.countsJson).trigger)).toEqual(['catch-up'])

    const again = await startDailySchedule(new Elysia(), s.ctx, { catchUpDelayMs: 20, now: () => at('2030-01-03T09:00:00Z') })
    await wait(100)
    await again.stop()
    expect(again.catchUp).toBe(false)
    expect((await cronEvents()).length).toBe(1)
  })

  it('runs nothing at start-up on a fresh data dir', async () => {
    await reset()
    const schedule = await startDailySchedule(new Elysia(), s.ctx, { catchUpDelayMs: 20 })
    await wait(100)
    await schedule.stop()
    expect(schedule.catchUp).toBe(false)
    expect(await cronEvents()).toEqual([])
    expect(await readState(s.db, STATE.installedAt)).not.toBeNull()
  })

  it('keeps the server running without a schedule when the pattern is invalid', async () => {
    const schedule = await startDailySchedule(new Elysia(), { ...s.ctx, config: { ...s.ctx.config, cron: 'every day' } })
    expect(schedule.nextRun()).toBeNull()
    await schedule.stop()
  })
})
