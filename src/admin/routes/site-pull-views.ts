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
  const lastPull = (integrationId: number) => latestEvent(db, integrationId, ['pull'])
  const jobStatus = () => ({
    lastRun: readState(db, STATE.lastRunAt),
    nextRun: nextScheduledAfter(config.cron, new Date())?.toISOString() ?? null,
    schedule: config.cron,
  })
  const common = (auth: AdminAuth, caller: UserCaller, c: SiteContext) => ({
    siteId: c.site.id,
    csrf: auth.session.csrfToken,
    creds: getCredentials(db, caller, c.integration.id),
  })

  return {
    lastPull,
    jobStatus,
    /** The whole Pull tab. */
    page(auth: AdminAuth, caller: UserCaller, c: SiteContext, extra: PageExtra = {}, status = 200) {
      const page = pullPage({
        viewer: viewerOf(auth),
        c,
        creds: getCredentials(db, caller, c.integration.id),
        running: isPullRunning(db, c.integration.id),
        lastPull: lastPull(c.integration.id),
        job: auth.user.isAdmin ? jobStatus() : undefined,
        ...extra,
      })
      return htmlResponse(page, { status })
    },
    /** The credentials card alone (a failed save, shown in place). */
    credentials(
      auth: AdminAuth,
      caller: UserCaller,
      c: SiteContext,
      extra: { values?: Record<string, string>; errors?: FieldErrors },
      status: number,
    ) {
      return htmlResponse(credentialsCard({ ...common(auth, caller, c), ...extra, open: true }), { status })
    },
    /** After saving or deleting: the credentials card and (out of band) the Sync now card, whose button depends on them. */
    cards(auth: AdminAuth, caller: UserCaller, c: SiteContext, message: string) {
      const base = common(auth, caller, c)
      const running = isPullRunning(db, c.integration.id)
      const active = c.site.isActive && c.integration.isActive
      const sync = syncCard({ ...base, active, running, lastPull: lastPull(c.integration.id), oob: true })
      return htmlResponse(html`${credentialsCard({ ...base, message })}${sync}`)
    },
  }
}
export type PullViews = ReturnType<typeof pullViews>
