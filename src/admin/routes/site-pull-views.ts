// What the Pull tab's handlers answer with: the whole page, or the cards htmx swaps after a change.
import type { UserCaller } from '../../auth/caller'
import type { AppContext } from '../../context'
import { readState, STATE } from '../../cron/app-state'
import { nextScheduledAfter } from '../../cron/schedule'
import { html, htmlResponse, type Html } from '../../http/html'
import { getCredentials } from '../../pull/credentials'
import { isPullRunning } from '../../pull/service'
import type { SiteContext } from '../../sites/overview'
import { latestEvent } from '../../sync-log/service'
import { pullPage } from '../../../views/sites/pull'
import { credentialsCard } from '../../../views/sites/pull'
import { syncCard } from '../../../views/sites/pull-results'
import type { FieldErrors } from '../../../views/components'
import { viewerOf } from '../guard'
import type { AdminAuth } from '../../auth/sessions'

export type PageExtra = { notice?: string; values?: Record<string, string>; errors?: FieldErrors; testResult?: Html }

export function pullViews(ctx: AppContext) {
  const { db, config } = ctx
  const lastPull = async (integrationId: number) => await latestEvent(db, integrationId, ['pull'])
  const jobStatus = async () => ({
    lastRun: await readState(db, STATE.lastRunAt),
    nextRun: nextScheduledAfter(config.cron, new Date())?.toISOString() ?? null,
    schedule: config.cron,
  })
  const common = async (auth: AdminAuth, caller: UserCaller, c: SiteContext) => ({
    siteId: c.site.id,
    csrf: auth.session.csrfToken,
    creds: await getCredentials(db, caller, c.integration.id),
  })

  return {
    lastPull,
    jobStatus,
    /** The whole Pull tab. */
    async page(auth: AdminAuth, caller: UserCaller, c: SiteContext, extra: PageExtra = {}, status = 200) {
      const page = pullPage({
        viewer: viewerOf(auth),
        c,
        creds: await getCredentials(db, caller, c.integration.id),
        running: await isPullRunning(db, c.integration.id),
        lastPull: await lastPull(c.integration.id),
        job: auth.user.isAdmin ? await jobStatus() : undefined,
        ...extra,
      })
      return htmlResponse(page, { status })
    },
    /** The credentials card alone (a failed save, shown in place). */
    async credentials(
      auth: AdminAuth,
      caller: UserCaller,
      c: SiteContext,
      extra: { values?: Record<string, string>; errors?: FieldErrors },
      status: number,
    ) {
      return htmlResponse(credentialsCard({ ...(await common(auth, caller, c)), ...extra, open: true }), { status })
    },
    /** After saving or deleting: the credentials card and (out of band) the Sync now card, whose button depends on them. */
    async cards(auth: AdminAuth, caller: UserCaller, c: SiteContext, message: string) {
      const base = await common(auth, caller, c)
      const running = await isPullRunning(db, c.integration.id)
      const active = c.site.isActive && c.integration.isActive
      const sync = syncCard({ ...base, active, running, lastPull: await lastPull(c.integration.id), oob: true })
      return htmlResponse(html`${credentialsCard({ ...base, message })}${sync}`)
    },
  }
}
export type PullViews = Awaited<ReturnType<typeof pullViews>>
