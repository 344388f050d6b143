// The Pull tab's credential actions: save (or replace), delete, and test the connection. Each answers its card
// to htmx, and a plain form post gets a redirect (or, for a test, the page itself).
import type { UserCaller } from '../../auth/caller'
import type { AppContext } from '../../context'
import { htmlResponse, type Html } from '../../http/html'
import { deleteCredentials, saveCredentials } from '../../pull/credentials'
import { testConnection } from '../../pull/service'
import { siteContext } from '../../sites/overview'
import { refused, testResult } from '../../../views/sites/pull-results'
import type { FieldErrors } from '../../../views/components'
import { formFailure, parseForm } from '../model'
import { isHtmx, seeOther } from '../request'
import type { AdminAuth } from '../../auth/sessions'
import { credentialsForm, testForm, withoutBlanks } from './site-pull-forms'
import type { PullViews } from './site-pull-views'

type Action = { auth: AdminAuth; caller: UserCaller; siteId: number; body: unknown; request: Request }

export function credentialActions(ctx: AppContext, views: PullViews) {
  const { db, config } = ctx
  return {
    async save({ auth, caller, siteId, body, request }: Action) {
      const c = await siteContext(db, caller, siteId)
      const form = parseForm(credentialsForm, body)
      const again = async (values: Record<string, string>, errors: FieldErrors, status: number) =>
        isHtmx(request)
          ? await views.credentials(auth, caller, c, { values, errors }, status)
          : await views.page(auth, caller, c, { values, errors }, status)
      if (!form.ok) return await again(form.values, form.errors, 422)
      try {
        await saveCredentials(db, config, caller, c.integration.id, form.data)
      } catch (e) {
        const f = formFailure(e)
        const { app_password: _, ...values } = form.data
        return await again({ ...values, include_content: values.include_content ? '1' : '' }, f.errors, f.status)
      }
      if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=pull-saved`)
      return await views.cards(auth, caller, c, 'Credentials saved.')
    },

    async remove({ auth, caller, siteId, request }: Omit<Action, 'body'>) {
      const c = await siteContext(db, caller, siteId)
      await deleteCredentials(db, caller, c.integration.id)
      if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/pull?m=pull-deleted`)
      return await views.cards(auth, caller, c, 'Credentials deleted.')
    },

    async test({ auth, caller, siteId, body, request }: Action) {
      const c = await siteContext(db, caller, siteId)
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
      if (!isHtmx(request)) return await views.page(auth, caller, c, { testResult: answer }, status)
      return htmlResponse(answer, { status })
    },
  }
}
