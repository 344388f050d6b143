// Sites list and creation, and Site → Connection (API keys, activation).
import { Elysia } from 'elysia'
import type { AppContext } from '../../context'
import { html, htmlResponse } from '../../http/html'
import { siteContext, siteOverview } from '../../sites/overview'
import { activeApiKeys, createApiKey, createSiteWithKey, revokeApiKey, updateSite } from '../../sites/service'
import { siteCreatedPage } from '../../../views/sites/connect'
import { activePanel, connectionPage, keysPanel } from '../../../views/sites/connection'
import { sitesPage } from '../../../views/sites/list'
import { siteStatusBadge } from '../../../views/sites/site-header'
import { adminGuard, viewerOf } from '../guard'
import { flagForm, formFailure, idParam, keyParams, pageQuery, parseForm, siteForm } from '../model'
import { isHtmx, publicBaseUrl, seeOther } from '../request'
import type { AdminAuth } from '../../auth/sessions'

export function sitePages(ctx: AppContext) {
  const { db, config } = ctx
  /** What the plugin must be told: this server's API base URL and the signed-in user's email. */
  const settings = (request: Request, auth: AdminAuth) => ({ apiBase: `${publicBaseUrl(config, request)}/api/v1`, email: auth.user.email })

  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites',
      async ({ auth, caller, query }) =>
        htmlResponse(sitesPage({ viewer: viewerOf(auth), ...(await siteOverview(db, caller, query.page)), notice: query.m })),
      { page: 'user', query: pageQuery },
    )
    .post(
      '/sites',
      async ({ auth, caller, body, request }) => {
        const form = parseForm(siteForm, body)
        const again = async (values: Record<string, string>, errors: Record<string, string>, status: number) =>
          htmlResponse(sitesPage({ viewer: viewerOf(auth), ...(await siteOverview(db, caller)), values, errors }), { status })
        if (!form.ok) return await again(form.values, form.errors, 422)
        try {
          const { site, apiKey } = await createSiteWithKey(db, caller, form.data, 'First key')
          // Rendered straight from the POST (not redirected): the key must never sit in a URL or be shown twice.
          const created = { viewer: viewerOf(auth), site: { id: site.id, name: site.name, url: site.url }, key: apiKey.key }
          return htmlResponse(siteCreatedPage({ ...created, settings: settings(request, auth) }), { status: 201 })
        } catch (e) {
          const f = formFailure(e)
          return await again(form.data, f.errors, f.status)
        }
      },
      { page: 'user' },
    )
    .get('/sites/:id', ({ params }) => seeOther(`/sites/${params.id}/connection`), { page: 'user', params: idParam })
    .get(
      '/sites/:id/connection',
      async ({ auth, caller, params, query, request }) => {
        const c = await siteContext(db, caller, params.id)
        return htmlResponse(
          connectionPage({
            viewer: viewerOf(auth),
            c,
            keys: await activeApiKeys(db, caller, c.site.id),
            settings: settings(request, auth),
            notice: query.m,
          }),
        )
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/keys',
      async ({ auth, caller, params, request }) => {
        const { key } = await createApiKey(db, caller, params.id)
        const viewer = viewerOf(auth)
        if (isHtmx(request))
          return htmlResponse(
            keysPanel({
              viewer,
              siteId: params.id,
              keys: await activeApiKeys(db, caller, params.id),
              newKey: key,
              settings: settings(request, auth),
            }),
          )
        const c = await siteContext(db, caller, params.id)
        return htmlResponse(
          connectionPage({ viewer, c, keys: await activeApiKeys(db, caller, c.site.id), settings: settings(request, auth), newKey: key }),
          { status: 201 },
        )
      },
      { page: 'user', params: idParam },
    )
    .post(
      '/sites/:id/keys/:keyId/revoke',
      async ({ auth, caller, params, request }) => {
        await revokeApiKey(db, caller, params.id, params.keyId)
        if (!isHtmx(request)) return seeOther(`/sites/${params.id}/connection?m=key-revoked`)
        const panel = {
          viewer: viewerOf(auth),
          siteId: params.id,
          keys: await activeApiKeys(db, caller, params.id),
          settings: settings(request, auth),
        }
        return htmlResponse(keysPanel({ ...panel, message: 'Key revoked. A plugin using it can no longer connect.' }))
      },
      { page: 'user', params: keyParams },
    )
    .post(
      '/sites/:id/active',
      async ({ auth, caller, params, body, request }) => {
        const form = parseForm(flagForm, body)
        if (!form.ok) return seeOther(`/sites/${params.id}/connection`)
        await updateSite(db, caller, params.id, { is_active: form.data.value === 'on' })
        if (!isHtmx(request)) return seeOther(`/sites/${params.id}/connection?m=site-updated`)
        const c = await siteContext(db, caller, params.id)
        // The header's status badge changes too: sent out of band beside the panel.
        return htmlResponse(html`${activePanel({ viewer: viewerOf(auth), c })}${siteStatusBadge(c.status, true)}`)
      },
      { page: 'user', params: idParam },
    )
}
