// Sync now and the daily job on the Pull tab. Sync now starts the pull and answers within a moment: with the
// result when the pull was quick, else with a card that polls /status until the result is there (a pull may
// take up to its 15-minute deadline; no request is held open that long).
import { requireAdmin, type UserCaller } from '../../auth/caller'
import type { AppContext } from '../../context'
import { runDailyJob } from '../../cron/service'
import { Conflict, Invalid } from '../../http/errors'
import { html, htmlResponse } from '../../http/html'
import { isPullRunning, startPull } from '../../pull/service'
import { siteContext } from '../../sites/overview'
import { dailyJobCard, pullPoller, pullResult, refused } from '../../../views/sites/pull-results'
import { siteStatusBadge } from '../../../views/sites/site-header'
import { parseForm } from '../model'
import { isHtmx, seeOther } from '../request'
import type { AdminAuth } from '../../auth/sessions'
import { syncForm } from './site-pull-forms'
import type { PullViews } from './site-pull-views'

/** How long Sync now waits for its pull before answering with a polling card instead. */
export const SYNC_ANSWER_WITHIN_MS = 1500

type Action = { auth: AdminAuth; caller: UserCaller; siteId: number; body?: unknown; request: Request }

export function syncActions(ctx: AppContext, views: PullViews) {
  const { db } = ctx
  /** The last pull's result, and the header's status (a first pull turns "never" into "connected"), out of band. */
  const finished = async (caller: UserCaller, siteId: number) => {
    const c = await siteContext(db, caller, siteId)
    const last = await views.lastPull(c.integration.id)
    return htmlResponse(html`${last ? pullResult(siteId, last) : ''}${siteStatusBadge(c.status, true)}`)
  }

  return {
    async sync({ caller, siteId, body, request }: Action) {
      const c = await siteContext(db, caller, siteId)
      const form = parseForm(syncForm, body)
      let done
      try {
        done = (await startPull(ctx, caller, c.integration.id, form.ok ? form.data.content : undefined)).done
      } catch (e) {
        // Already running (409) or nothing to pull with (no credentials: 400 → 422) is shown in place; other refusals go to the toast.
        if (!(e instanceof Conflict || e instanceof Invalid)) throw e
        const running = e instanceof Conflict
        if (!isHtmx(request)) return seeOther(`/sites/${siteId}/pull?m=${running ? 'pull-running' : 'pull-refused'}`)
        return htmlResponse(html`${refused(e.message, running)}${running ? pullPoller(siteId) : ''}`, { status: running ? 409 : 422 })
      }
      const quick = await Promise.race([
        done.then(
          () => true,
          () => true,
        ),
        Bun.sleep(SYNC_ANSWER_WITHIN_MS).then(() => false),
      ])
      if (!isHtmx(request)) return seeOther(`/sites/${siteId}/pull?m=${quick ? 'pulled' : 'pull-started'}`)
      return quick ? await finished(caller, siteId) : htmlResponse(pullPoller(siteId))
    },

    /** Polled while a pull runs: the polling card again, or the result once it has finished. */
    async status({ caller, siteId, request }: Action) {
      const c = await siteContext(db, caller, siteId)
      if (!isHtmx(request)) return seeOther(`/sites/${siteId}/pull`)
      return (await isPullRunning(db, c.integration.id)) ? htmlResponse(pullPoller(siteId)) : await finished(caller, siteId)
    },

    async dailyJob({ auth, caller, siteId, request }: Action) {
      requireAdmin(caller)
      const c = await siteContext(db, caller, siteId)
      const result = await runDailyJob(ctx, new Date(), { trigger: 'manual' })
      if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=${result.ran ? 'job-ran' : 'job-busy'}`)
      const card = dailyJobCard({ siteId: c.site.id, csrf: auth.session.csrfToken, job: await views.jobStatus(), result })
      return htmlResponse(card, { status: result.ran ? 200 : 409 })
    },
  }
}
