// Scheduled slots: the time a scheduled (or catch-up) run stands for, and the record of the last slot that ran,
// so that nodes sharing one database run each slot once even when their timers fire one after another.
import type { Db } from '../db/client'
import { readState, writeState } from './app-state'
import { nextScheduledAfter } from './schedule'

/** app_state key holding the ISO time of the last slot a run was started for. */
export const LAST_SLOT = 'cron.last_slot'

// Windows to look back in, smallest first: the first one holding a scheduled time bounds the walk forward.
const LOOK_BACK_MS = [1_000, 60_000, 3_600_000, 86_400_000, 8 * 86_400_000, 32 * 86_400_000, 367 * 86_400_000, 5 * 366 * 86_400_000]

/** The latest scheduled time at or before `at` (croner only counts forward), or null when there is none in 5 years. */
export function latestSlotAtOrBefore(pattern: string, at: Date): Date | null {
  for (const window of LOOK_BACK_MS) {
    let slot = nextScheduledAfter(pattern, new Date(at.getTime() - window - 1))
    if (!slot || slot.getTime() > at.getTime()) continue
    for (let next = nextScheduledAfter(pattern, slot); next && next.getTime() <= at.getTime(); next = nextScheduledAfter(pattern, next))
      slot = next
    return slot
  }
  return null
}

/**
 * Claims `slot` for this run, or answers false when a run for it (or a later slot) was already started. Called
 * with the job lock held, so reading and writing the record cannot interleave with another node's claim.
 */
export async function claimSlot(db: Db, slot: Date): Promise<boolean> {
  const last = Date.parse((await readState(db, LAST_SLOT)) ?? '')
  if (last >= slot.getTime()) return false
  await writeState(db, LAST_SLOT, slot.toISOString())
  return true
}
