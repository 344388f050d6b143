// /integration/integrations routes: CRUD, the plugin's structure push, content-types and admin overrides.
import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { listEnvelope, ok } from '../http/envelope'
import { idParams } from '../sites/model'
import { createIntegrationBody, listIntegrationsQuery, patchContentTypesBody, updateIntegrationBody, updateStructureBody } from './model'
import * as service from './service'
import { getContentTypes, patchContentTypes, pushStructure } from './structure'

export function integrationsRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/integration/integrations', detail: { tags: ['Integrations'] } })
    .use(authGuard(ctx))
    .get(
      '/',
      ({ caller, query, request }) => {
        const { count, results } = service.listIntegrations(db, caller, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, query: listIntegrationsQuery },
    )
    .post(
      '/',
      ({ caller, body, set }) => {
        set.status = 201
        return ok(service.serializeIntegration(service.createIntegration(db, caller, body)))
      },
      { auth: true, ...jsonBody(createIntegrationBody) },
    )
    .get(
      '/:id',
      ({ caller, params }) => ok(service.serializeIntegration(service.getVisibleIntegration(db, caller, params.id).integration)),
      {
        auth: true,
        params: idParams,
      },
    )
    .patch('/:id', ({ caller, params, body }) => ok(service.serializeIntegration(service.updateIntegration(db, caller, params.id, body))), {
      auth: true,
      params: idParams,
      ...jsonBody(updateIntegrationBody),
    })
    .delete(
      '/:id',
      ({ caller, params }) => {
        service.deleteIntegration(db, caller, params.id)
        return ok({})
      },
      { auth: true, params: idParams },
    )
    .post('/:id/update-structure', ({ caller, params, body }) => ok(pushStructure(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(updateStructureBody),
    })
    .get('/:id/content-types', ({ caller, params }) => ok(getContentTypes(db, caller, params.id)), { auth: true, params: idParams })
    .patch('/:id/content-types', ({ caller, params, body }) => ok(patchContentTypes(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(patchContentTypesBody),
    })
}
