// /system/sites routes: thin handlers over the sites service.
import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { listEnvelope, ok } from '../http/envelope'
import { createApiKeyBody, createSiteBody, idParams, keyParams, listQuery, updateSiteBody } from './model'
import { serializeSite } from './serialize'
import * as service from './service'

export function sitesRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/system/sites', detail: { tags: ['Sites'] } })
    .use(authGuard(ctx))
    .get(
      '/',
      ({ caller, query, request }) => {
        const { count, results } = service.listSites(db, caller, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, query: listQuery },
    )
    .post(
      '/',
      ({ caller, body, set }) => {
        set.status = 201
        return ok(serializeSite(service.createSite(db, caller, body)))
      },
      { auth: true, ...jsonBody(createSiteBody) },
    )
    .get('/:id', ({ caller, params }) => ok(serializeSite(service.getVisibleSite(db, caller, params.id))), { auth: true, params: idParams })
    .patch('/:id', ({ caller, params, body }) => ok(serializeSite(service.updateSite(db, caller, params.id, body))), {
      auth: true,
      params: idParams,
      ...jsonBody(updateSiteBody),
    })
    .delete(
      '/:id',
      ({ caller, params }) => {
        service.deleteSite(db, caller, params.id)
        return ok({})
      },
      { auth: true, params: idParams },
    )
    .post(
      '/:id/api-keys',
      ({ caller, params, body, set }) => {
        set.status = 201
        return ok(service.createApiKey(db, caller, params.id, body.name))
      },
      { auth: true, params: idParams, ...jsonBody(createApiKeyBody) },
    )
    .get(
      '/:id/api-keys',
      ({ caller, params, query, request }) => {
        const { count, results } = service.listApiKeys(db, caller, params.id, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: listQuery },
    )
    .delete(
      '/:id/api-keys/:keyId',
      ({ caller, params }) => {
        service.revokeApiKey(db, caller, params.id, params.keyId)
        return ok({})
      },
      { auth: true, params: keyParams },
    )
}
