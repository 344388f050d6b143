// /system/sites routes: thin handlers over the sites service.
import { Elysia } from 'elysia'
import { z } from 'zod'
import { jsonBody } from '../http/body'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { listEnvelope, ok } from '../http/envelope'
import { errorResponses, listSchema, okSchema } from '../http/response-schema'
import {
  apiKeySchema,
  createApiKeyBody,
  createSiteBody,
  idParams,
  keyParams,
  listQuery,
  newApiKeySchema,
  siteSchema,
  updateSiteBody,
} from './model'
import { serializeSite } from './serialize'
import * as service from './service'

// Documented answers: the success shape, and the error envelope under each status the route can refuse with.
const empty = okSchema(z.object({}))
const response = {
  list: { 200: listSchema(siteSchema), ...errorResponses(400, 401) },
  create: { 201: okSchema(siteSchema), ...errorResponses(400, 401, 403, 413, 415) },
  read: { 200: okSchema(siteSchema), ...errorResponses(401, 404) },
  update: { 200: okSchema(siteSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
  remove: { 200: empty, ...errorResponses(401, 403, 404) },
  createKey: { 201: okSchema(newApiKeySchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
  listKeys: { 200: listSchema(apiKeySchema), ...errorResponses(400, 401, 403, 404) },
}

export function sitesRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/system/sites', detail: { tags: ['Sites'] } })
    .use(authGuard(ctx))
    .get(
      '/',
      async ({ caller, query, request }) => {
        const { count, results } = await service.listSites(db, caller, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, query: listQuery, response: response.list },
    )
    .post(
      '/',
      async ({ caller, body, set }) => {
        set.status = 201
        return ok(serializeSite(await service.createSite(db, caller, body)))
      },
      { auth: true, ...jsonBody(createSiteBody), response: response.create },
    )
    .get('/:id', async ({ caller, params }) => ok(serializeSite(await service.getVisibleSite(db, caller, params.id))), {
      auth: true,
      params: idParams,
      response: response.read,
    })
    .patch('/:id', async ({ caller, params, body }) => ok(serializeSite(await service.updateSite(db, caller, params.id, body))), {
      auth: true,
      params: idParams,
      ...jsonBody(updateSiteBody),
      response: response.update,
    })
    .delete(
      '/:id',
      async ({ caller, params }) => {
        await service.deleteSite(db, caller, params.id)
        return ok({})
      },
      { auth: true, params: idParams, response: response.remove },
    )
    .post(
      '/:id/api-keys',
      async ({ caller, params, body, set }) => {
        set.status = 201
        return ok(await service.createApiKey(db, caller, params.id, body.name))
      },
      { auth: true, params: idParams, ...jsonBody(createApiKeyBody), response: response.createKey },
    )
    .get(
      '/:id/api-keys',
      async ({ caller, params, query, request }) => {
        const { count, results } = await service.listApiKeys(db, caller, params.id, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: listQuery, response: response.listKeys },
    )
    .delete(
      '/:id/api-keys/:keyId',
      async ({ caller, params }) => {
        await service.revokeApiKey(db, caller, params.id, params.keyId)
        return ok({})
      },
      { auth: true, params: keyParams, response: response.remove },
    )
}
