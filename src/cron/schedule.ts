// When the daily job should run: the cron pattern in UTC, and whether a run was missed while the server was down.
import { Cron } from 'croner'
import type { Db } from '../db/client'
import { readState, STATE, writeState } from './app-state'

/**
 * The schedule's clock: UTC as a fixed offset. croner's `timezone: 'UTC'` gives the same run times but goes through
 * Intl's time-zone formatting, whose first use loads ICU's zone data (~20–30 ms of every start-up).
 */
export const IN_UTC = { utcOffset: 0 } as const

/** A paused schedule, only for computing run times. */
const scheduleOf = (pattern: string) => new Cron(pattern, { ...IN_UTC, paused: true })

export function isValidCronPattern(pattern: string): boolean {
  try {
    scheduleOf(pattern).stop()
    return true
  } catch {
    return false
  }
}

/** The first scheduled time strictly after `from`, or null for a pattern that never fires again. */
export function nextScheduledAfter(pattern: string, from: Date): Date | null {
  const schedule = scheduleOf(pattern)
  const next = schedule.nextRun(from)
  schedule.stop()
  return next
}

/**
 * Whether a scheduled run was missed: one fell due after the last run (or, before any run, after the
 * data dir was first seen) and before `now`. A fresh data dir records `installed_at` and has missed nothing.
 * However many runs were missed, the answer is one yes, and the catch-up run resets it.
 */
export async function catchUpDue(db: Db, pattern: string, now: Date): Promise<boolean> {
  const since = (await readState(db, STATE.lastRunAt)) ?? (await readState(db, STATE.installedAt))
  if (since === null) {
    await writeState(db, STATE.installedAt, now.toISOString())
    return false
  }
  const from = new Date(since)
  if (Number.isNaN(from.getTime())) return false
  const due = nextScheduledAfter(pattern, from)
  return due !== null && due.getTime() <= now.getTime()
}

/** Records that a run happened (the scheduled slot is used), for the next catch-up decision. */
export const markRun = async (db: Db, at: Date) => await writeState(db, STATE.lastRunAt, at.toISOString())

/** Records the first start of a data dir, if not yet known. */
export async function markInstalled(db: Db, now: Date): Promise<void> {
  if ((await readState(db, STATE.installedAt)) === null) await writeState(db, STATE.installedAt, now.toISOString())
}
