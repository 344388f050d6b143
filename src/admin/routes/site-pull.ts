// Site → Pull from WordPress: saving, testing and deleting pull credentials, "Sync now", and (administrators)
// running the daily job. Each action answers its card to htmx and redirects a plain form post back.
import { Elysia } from 'elysia'
import { z } from 'zod'
import { requireAdmin, type UserCaller } from '../../auth/caller'
import type { AppContext } from '../../context'
import { readState, STATE } from '../../cron/app-state'
import { nextScheduledAfter } from '../../cron/schedule'
import { runDailyJob } from '../../cron/service'
import { Conflict, Invalid } from '../../http/errors'
import { html, htmlResponse, type Html } from '../../http/html'
import { deleteCredentials, getCredentials, saveCredentials } from '../../pull/credentials'
import { credentialsBody, testConnectionBody, wpUrl } from '../../pull/model'
import { isPullRunning, pullNow, testConnection } from '../../pull/service'
import { latestEvent } from '../../sync-log/service'
import { credentialsCard, pullPage } from '../../../views/sites/pull'
import { dailyJobCard, pullResult, refused, syncCard, testResult } from '../../../views/sites/pull-results'
import { siteStatusBadge } from '../../../views/sites/site-header'
import type { FieldErrors } from '../../../views/components'
import { adminGuard, viewerOf } from '../guard'
import { formFailure, idParam, parseForm } from '../model'
import { isHtmx, seeOther } from '../request'
import type { AdminAuth } from '../sessions'
import { siteContext, type SiteContext } from '../sites-service'

// Form posts: a checkbox is absent when unchecked; blank fields of the connection test mean "test the saved ones".
const checkbox = z
  .string()
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0')
// The pull model's wpUrl throws (not an issue: a 500) on text that is no URL at all; such text stops here first.
const formUrl = z
  .string()
  .trim()
  .min(1, { message: 'This field is required.', abort: true })
  .refine((u) => URL.canParse(u), { message: 'Enter the http(s) address of the WordPress site.', abort: true })
  .pipe(wpUrl)
const credentialsForm = credentialsBody.extend({ wp_url: formUrl, include_content: checkbox })
const testForm = testConnectionBody.safeExtend({ wp_url: formUrl.optional() })
const syncForm = z.object({ content: checkbox })
const withoutBlanks = (body: unknown) =>
  Object.fromEntries(Object.entries((body as Record<string, unknown>) ?? {}).filter(([, v]) => v !== ''))

export function sitePullPages(ctx: AppContext) {
  const { db, config } = ctx

  const lastPull = (integrationId: number) => latestEvent(db, integrationId, ['pull'])
  const jobStatus = () => ({
    lastRun: readState(db, STATE.lastRunAt),
    nextRun: nextScheduledAfter(config.cron, new Date())?.toISOString() ?? null,
    schedule: config.cron,
  })
  const page = (
    auth: AdminAuth,
    caller: UserCaller,
    c: SiteContext,
    extra: { notice?: string; values?: Record<string, string>; errors?: FieldErrors; testResult?: Html } = {},
    status = 200,
  ) =>
    htmlResponse(
      pullPage({
        viewer: viewerOf(auth),
        c,
        creds: getCredentials(db, caller, c.integration.id),
        running: isPullRunning(db, c.integration.id),
        lastPull: lastPull(c.integration.id),
        job: auth.user.isAdmin ? jobStatus() : undefined,
        ...extra,
      }),
      { status },
    )
  /** After saving or deleting, htmx gets the credentials card and (out of band) the Sync now card, whose button depends on them. */
  const cards = (auth: AdminAuth, caller: UserCaller, c: SiteContext, extra: { message?: string }) => {
    const common = { siteId: c.site.id, csrf: auth.session.csrfToken, creds: getCredentials(db, caller, c.integration.id) }
    const active = c.site.isActive && c.integration.isActive
    const sync = syncCard({
      ...common,
      active,
      running: isPullRunning(db, c.integration.id),
      lastPull: lastPull(c.integration.id),
      oob: true,
    })
    return htmlResponse(html`${credentialsCard({ ...common, ...extra })}${sync}`)
  }

  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites/:id/pull',
      ({ auth, caller, params, query }) => page(auth, caller, siteContext(db, caller, params.id), { notice: query.m }),
      { page: 'user', params: idParam, query: z.object({ m: z.string().max(40).optional() }) },
    )
    .post(
      '/sites/:id/pull/credentials',
      async ({ auth, caller, params, body, request }) => {
        const c = siteContext(db, caller, params.id)
        const form = parseForm(credentialsForm, body)
        const again = (values: Record<string, string>, errors: FieldErrors, status: number) => {
          if (!isHtmx(request)) return page(auth, caller, c, { values, errors }, status)
          const creds = getCredentials(db, caller, c.integration.id)
          return htmlResponse(credentialsCard({ siteId: c.site.id, csrf: auth.session.csrfToken, creds, values, errors, open: true }), {
            status,
          })
        }
        if (!form.ok) return again(form.values, form.errors, 422)
        try {
          await saveCredentials(db, config, caller, c.integration.id, form.data)
        } catch (e) {
          const f = formFailure(e)
          const { app_password: _, ...values } = form.data
          return again({ ...values, include_content: values.include_content ? '1' : '' }, f.errors, f.status)
        }
        if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=pull-saved`)
        return cards(auth, caller, c, { message: 'Credentials saved.' })
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/pull/credentials/delete',
      ({ auth, caller, params, request }) => {
        const c = siteContext(db, caller, params.id)
        deleteCredentials(db, caller, c.integration.id)
        if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=pull-deleted`)
        return cards(auth, caller, c, { message: 'Credentials deleted.' })
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/pull/test',
      async ({ auth, caller, params, body, request }) => {
        const c = siteContext(db, caller, params.id)
        const form = parseForm(testForm, withoutBlanks(body))
        let answer: Html
        let status = 200
        if (!form.ok) [answer, status] = [refused(Object.values(form.errors).join(' '), false), 422]
        else {
          try {
            answer = testResult(await testConnection(ctx, caller, c.integration.id, form.data))
          } catch (e) {
            const f = formFailure(e)
            ;[answer, status] = [refused(Object.values(f.errors).join(' '), false), f.status]
          }
        }
        // Nothing changed, so a plain post is answered with the page itself (the typed password never goes into a URL).
        if (!isHtmx(request)) return page(auth, caller, c, { testResult: answer }, status)
        return htmlResponse(answer, { status })
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/pull',
      async ({ caller, params, body, request }) => {
        const c = siteContext(db, caller, params.id)
        const form = parseForm(syncForm, body)
        let event
        try {
          event = await pullNow(ctx, caller, c.integration.id, form.ok ? form.data.content : undefined)
        } catch (e) {
          // Already running (409) or nothing to pull with (no credentials: 400 → 422) is shown in place; other refusals go to the toast.
          if (!(e instanceof Conflict || e instanceof Invalid)) throw e
          const running = e instanceof Conflict
          if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=${running ? 'pull-running' : 'pull-refused'}`)
          return htmlResponse(refused(e.message, running), { status: running ? 409 : 422 })
        }
        if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=pulled`)
        // A first pull turns the header's status from "never" to "connected": sent out of band.
        const after = siteContext(db, caller, params.id)
        return htmlResponse(html`${pullResult(c.site.id, event)}${siteStatusBadge(after.status, true)}`)
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/daily-job',
      async ({ auth, caller, params, request }) => {
        requireAdmin(caller)
        const c = siteContext(db, caller, params.id)
        const result = await runDailyJob(ctx, new Date(), { trigger: 'manual' })
        if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=${result.ran ? 'job-ran' : 'job-busy'}`)
        const card = dailyJobCard({ siteId: c.site.id, csrf: auth.session.csrfToken, job: jobStatus(), result })
        return htmlResponse(card, { status: result.ran ? 200 : 409 })
      },
      { page: 'admin', params: idParam },
    )
}
