// Schedules the daily job in the server: @elysiajs/cron at config.cron (UTC), plus one catch-up run shortly
// after start-up when a scheduled run was missed while the server was down. The job itself is ./service; each run
// names its scheduled slot, so nodes sharing one database run each slot once (./slot).
import { cron } from '@elysiajs/cron'
import type { Cron } from 'croner'
import type { AnyElysia } from 'elysia'
import { describeSafely } from '../http/errors'
import { catchUpDue, IN_UTC, isValidCronPattern } from './schedule'
import { runDailyJob, type JobDeps } from './service'
import { latestSlotAtOrBefore } from './slot'

const JOB = 'igny8-daily'
/** Long enough for start-up to settle, short enough that "shortly after start-up" holds. */
export const CATCH_UP_DELAY_MS = 5_000

export type DailySchedule = {
  /** When the schedule fires next (null when it is off). */
  nextRun(): Date | null
  /** Whether a catch-up run was scheduled at start-up. */
  catchUp: boolean
  /** Stops the schedule, cancels a pending catch-up, and waits for a running job (its pulls are aborted). */
  stop(): Promise<void>
}

export async function startDailySchedule(
  app: AnyElysia,
  deps: JobDeps,
  opts: { catchUpDelayMs?: number; now?: () => Date } = {},
): Promise<DailySchedule> {
  const now = opts.now ?? (() => new Date())
  const shutdown = new AbortController()
  let current: Promise<void> | null = null
  const trigger = (why: 'schedule' | 'catch-up') => {
    if (current || shutdown.signal.aborted) return
    const at = now()
    // The slot this run stands for: the time that just fell due, or (catch-up) the latest one missed. Every node
    // sharing the database computes the same slot, and the first to claim it runs it.
    const slot = latestSlotAtOrBefore(deps.config.cron, at) ?? undefined
    current = runDailyJob(deps, at, { trigger: why, signal: shutdown.signal, slot })
      .then((r) => {
        if (r.ran) return
        // Beside other nodes, finding the slot taken (or the run going on elsewhere) is the normal case.
        const normal = r.slotDone || deps.db.engine === 'postgres'
        deps.log[normal ? 'info' : 'warn']('daily job skipped', { reason: r.reason, slot: slot?.toISOString() ?? null })
      })
      .catch((e) => deps.log.error('daily job failed', { error: describeSafely(e) }))
      .finally(() => (current = null))
  }

  if (!isValidCronPattern(deps.config.cron)) {
    deps.log.error('the cron pattern is not valid; the daily job will not run on a schedule', { cron: deps.config.cron })
    return { nextRun: () => null, catchUp: false, stop: async () => {} }
  }
  app.use(cron({ name: JOB, pattern: deps.config.cron, ...IN_UTC, run: () => trigger('schedule') }))
  const job = (app.store as { cron: Record<string, Cron> }).cron[JOB]!
  const catchUp = await catchUpDue(deps.db, deps.config.cron, now())
  const timer = catchUp ? setTimeout(() => trigger('catch-up'), opts.catchUpDelayMs ?? CATCH_UP_DELAY_MS) : null
  deps.log.info('daily job scheduled', { cron: deps.config.cron, next_run: job.nextRun()?.toISOString() ?? null, catch_up: catchUp })

  return {
    nextRun: () => job.nextRun(),
    catchUp,
    async stop() {
      job.stop()
      if (timer) clearTimeout(timer)
      shutdown.abort()
      await current
    },
  }
}
