// The daily schedule runs on UTC whatever the machine's time zone, across that zone's daylight-saving changes.
// Each case runs in a process started with TZ set, as a server on such a machine would be: the run times computed
// for catch-up, and the next run of the job the server schedules.
import { describe, expect, it } from 'bun:test'
import { join } from 'node:path'

const root = join(import.meta.dir, '../..')
const probe = `
  import { Elysia } from 'elysia'
  import { nextScheduledAfter } from './src/cron/schedule'
  import { startDailySchedule } from './src/cron'
  import { startServer } from './test/helpers/server'
  const froms = ${JSON.stringify(['2026-03-08T06:30:00Z', '2026-03-29T00:30:00Z', '2026-10-25T00:30:00Z', '2026-11-01T05:30:00Z'])}
  const runs = froms.map((f) => nextScheduledAfter('0 3 * * *', new Date(f))!.toISOString())
  const halfPast = nextScheduledAfter('30 1 * * *', new Date('2026-03-29T00:00:00Z'))!.toISOString()
  const s = await startServer()
  const schedule = await startDailySchedule(new Elysia(), s.ctx)
  const next = schedule.nextRun()!
  console.log(JSON.stringify({ runs, halfPast, live: [next.getUTCHours(), next.getUTCMinutes()] }))
  await schedule.stop()
  await s.stop()
  process.exit(0)
`

describe('the daily schedule', () => {
  for (const tz of ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata']) {
    it(`fires at the pattern's UTC time on a machine in ${tz}, across its daylight-saving changes`, () => {
      const run = Bun.spawnSync([process.execPath, '-e', probe], { cwd: root, env: { ...process.env, TZ: tz } })
      const out = JSON.parse(run.stdout.toString().trim().split('\n').at(-1)!)
      expect(out.runs).toEqual([
        '2026-03-09T03:00:00.000Z',
        '2026-03-29T03:00:00.000Z',
        '2026-10-25T03:00:00.000Z',
        '2026-11-02T03:00:00.000Z',
      ])
      expect(out.halfPast).toBe('2026-03-29T01:30:00.000Z')
      // The running server's own job (the Elysia cron plugin) on the default pattern, 03:00 UTC.
      expect(out.live).toEqual([3, 0])
    })
  }
})
