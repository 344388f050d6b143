// Site → Content types (cards whose Enabled / Limit save as admin overrides) and Site → Sync log.
import { Elysia } from 'elysia'
import type { AppContext } from '../../context'
import { htmlResponse } from '../../http/html'
import { getContentTypes } from '../../integrations/content-types'
import { patchContentTypes } from '../../integrations/structure'
import { latestEvent, listEvents } from '../../sync-log/service'
import { contentTypesPage, typeCard } from '../../../views/sites/content-types'
import { syncLogPage } from '../../../views/sites/sync-log'
import { typeContext } from '../../content/browse'
import { adminGuard, viewerOf } from '../guard'
import { idParam, pageQuery, parseForm, typeCardForm, typeParams } from '../model'
import { isHtmx, publicBaseUrl, seeOther } from '../request'
import { siteContext } from '../../sites/overview'

const LOG_PAGE_SIZE = 50

export function siteContentPages(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites/:id/content-types',
      async ({ auth, caller, params, query, request }) => {
        const c = await siteContext(db, caller, params.id)
        const types = await getContentTypes(db, caller, c.integration.id)
        const settings = { apiBase: `${publicBaseUrl(config, request)}/api/v1`, email: auth.user.email }
        const lastSync = await latestEvent(db, c.integration.id, ['content', 'terms', 'pull'])
        return htmlResponse(contentTypesPage({ viewer: viewerOf(auth), c, types, settings, notice: query.m, lastSync }))
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/content-types/:kind/:slug',
      async ({ auth, caller, params, body, request }) => {
        const { kind, slug } = params
        const { c, type: current } = await typeContext(db, caller, params.id, kind, slug)
        const card = (t: typeof current, extra: { error?: string; saved?: boolean } = {}) =>
          typeCard({ siteId: c.site.id, kind, slug, t, csrf: auth.session.csrfToken, ...extra })
        const form = parseForm(typeCardForm, body)
        if (!form.ok) {
          const error = Object.values(form.errors)[0]
          if (isHtmx(request)) return htmlResponse(card(current, { error }), { status: 422 })
          const settings = { apiBase: `${publicBaseUrl(config, request)}/api/v1`, email: auth.user.email }
          const types = await getContentTypes(db, caller, c.integration.id)
          return htmlResponse(
            contentTypesPage({ viewer: viewerOf(auth), c, types, settings, cardError: { kind, slug, error: error ?? '' } }),
            { status: 422 },
          )
        }
        // Only what the admin actually changed becomes an override; "reset" returns both to the plugin's values.
        const change: { enabled?: boolean | null; fetch_limit?: number | null } = form.data.reset
          ? { enabled: null, fetch_limit: null }
          : {
              ...(form.data.enabled !== current.enabled && { enabled: form.data.enabled }),
              ...(form.data.fetch_limit !== current.fetch_limit && { fetch_limit: form.data.fetch_limit }),
            }
        const after = Object.keys(change).length
          ? (await patchContentTypes(db, caller, c.integration.id, { [kind]: { [slug]: change } }))[kind][slug]!
          : current
        if (!isHtmx(request)) return seeOther(`/sites/${c.site.id}/content-types?m=saved#ct-${kind}-${slug}`)
        return htmlResponse(card(after, { saved: true }))
      },
      { page: 'user', params: typeParams },
    )
    .get(
      '/sites/:id/sync-log',
      async ({ auth, caller, params, query }) => {
        const c = await siteContext(db, caller, params.id)
        const { count, results } = await listEvents(db, { integrationId: c.integration.id }, { page: query.page, page_size: LOG_PAGE_SIZE })
        return htmlResponse(syncLogPage({ viewer: viewerOf(auth), c, events: results, count, page: query.page, pageSize: LOG_PAGE_SIZE }))
      },
      { page: 'user', params: idParam, query: pageQuery },
    )
}
