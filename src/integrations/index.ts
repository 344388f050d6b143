// /integration/integrations routes: CRUD, the plugin's structure push, content-types and admin overrides.
import { Elysia } from 'elysia'
import { z } from 'zod'
import { jsonBody } from '../http/body'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { listEnvelope, ok, okOnce } from '../http/envelope'
import { errorResponses, listSchema, okSchema } from '../http/response-schema'
import { idParams } from '../sites/model'
import {
  contentTypesSchema,
  createIntegrationBody,
  integrationSchema,
  listIntegrationsQuery,
  patchContentTypesBody,
  structurePushedSchema,
  updateIntegrationBody,
  updateStructureBody,
} from './model'
import * as service from './service'
import { getContentTypes } from './content-types'
import { patchContentTypes, pushStructure } from './structure'

// Documented answers: the success shape, and the error envelope under each status the route can refuse with.
const response = {
  list: { 200: listSchema(integrationSchema), ...errorResponses(400, 401) },
  create: { 201: okSchema(integrationSchema), ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
  read: { 200: okSchema(integrationSchema), ...errorResponses(401, 404) },
  update: { 200: okSchema(integrationSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
  remove: { 200: okSchema(z.object({})), ...errorResponses(401, 403, 404) },
  push: { 200: okSchema(structurePushedSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
  contentTypes: { 200: okSchema(contentTypesSchema), ...errorResponses(401, 404) },
  overrides: { 200: okSchema(contentTypesSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
}

// The plugin's most frequent read: its answer text is kept with the view it was made from (see getContentTypes).
const contentTypesAnswer = okOnce(response.contentTypes[200])

export function integrationsRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/integration/integrations', detail: { tags: ['Integrations'] } })
    .use(authGuard(ctx))
    .get(
      '/',
      async ({ caller, query, request }) => {
        const { count, results } = await service.listIntegrations(db, caller, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, query: listIntegrationsQuery, response: response.list },
    )
    .post(
      '/',
      async ({ caller, body, set }) => {
        set.status = 201
        return ok(service.serializeIntegration(await service.createIntegration(db, caller, body)))
      },
      { auth: true, ...jsonBody(createIntegrationBody), response: response.create },
    )
    .get(
      '/:id',
      async ({ caller, params }) =>
        ok(service.serializeIntegration((await service.getVisibleIntegration(db, caller, params.id)).integration)),
      { auth: true, params: idParams, response: response.read },
    )
    .patch(
      '/:id',
      async ({ caller, params, body }) => ok(service.serializeIntegration(await service.updateIntegration(db, caller, params.id, body))),
      {
        auth: true,
        params: idParams,
        ...jsonBody(updateIntegrationBody),
        response: response.update,
      },
    )
    .delete(
      '/:id',
      async ({ caller, params }) => {
        await service.deleteIntegration(db, caller, params.id)
        return ok({})
      },
      { auth: true, params: idParams, response: response.remove },
    )
    .post('/:id/update-structure', async ({ caller, params, body }) => ok(await pushStructure(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(updateStructureBody),
      response: response.push,
    })
    .get('/:id/content-types', async ({ caller, params }) => contentTypesAnswer(await getContentTypes(db, caller, params.id)), {
      auth: true,
      params: idParams,
      response: response.contentTypes,
    })
    .patch('/:id/content-types', async ({ caller, params, body }) => ok(await patchContentTypes(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(patchContentTypesBody),
      response: response.overrides,
    })
}
