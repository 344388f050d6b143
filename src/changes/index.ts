// Push-back routes under /integration/integrations/{id}: edits and drafts (users), the change log, conflict
// resolution, and the plugin's delivery routes (its API key): pending with leases, results, its nudge endpoint.
import { Elysia } from 'elysia'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { jsonBody } from '../http/body'
import { listEnvelope, ok } from '../http/envelope'
import { errorResponses, listSchema, okSchema } from '../http/response-schema'
import { idParams } from '../sites/model'
import { createContent, editContent } from './edit'
import { pollPending } from './lease'
import { cancelChange, getChange, listChanges, resolveChange } from './manage'
import {
  changeParams,
  changeSchema,
  changesQuery,
  createContentBody,
  endpointBody,
  endpointSchema,
  itemParams,
  patchContentBody,
  resolveBody,
  resultBody,
} from './model'
import { answerResult, registerEndpoint } from './plugin'

const one = okSchema(changeSchema)
const response = {
  queued: { 202: one, ...errorResponses(400, 401, 403, 404, 413, 415) },
  list: { 200: listSchema(changeSchema), ...errorResponses(400, 401, 404) },
  one: { 200: one, ...errorResponses(401, 404) },
  cancel: { 200: one, ...errorResponses(401, 403, 404, 409) },
  answer: { 200: one, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
  pending: { 200: listSchema(changeSchema), ...errorResponses(401, 403, 404) },
  endpoint: { 200: okSchema(endpointSchema), ...errorResponses(400, 401, 403, 404, 415) },
}

export function changesRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return (
    new Elysia({ prefix: '/integration/integrations/:id', detail: { tags: ['Push-back'] } })
      .use(authGuard(ctx))
      .patch(
        '/content/:external_id',
        async ({ caller, params, body, set }) => {
          set.status = 202
          return ok(await editContent(db, caller, params.id, params.external_id, body))
        },
        { auth: true, params: itemParams, ...jsonBody(patchContentBody), response: response.queued },
      )
      .post(
        '/content',
        async ({ caller, params, body, set }) => {
          set.status = 202
          return ok(await createContent(db, caller, params.id, body))
        },
        { auth: true, params: idParams, ...jsonBody(createContentBody), response: response.queued },
      )
      .get(
        '/changes',
        async ({ caller, params, query, request }) => {
          const { count, results } = await listChanges(db, caller, params.id, query)
          return listEnvelope(request.url, config.baseUrl, query, count, results)
        },
        { auth: true, params: idParams, query: changesQuery, response: response.list },
      )
      // A list envelope like every list, in one page: what is leased now (up to 50); the next poll gets the rest.
      .get(
        '/changes/pending',
        async ({ caller, params }) => {
          const results = await pollPending(db, caller, params.id)
          return { success: true as const, count: results.length, next: null, previous: null, results }
        },
        { auth: true, params: idParams, response: response.pending },
      )
      .get('/changes/:cid', async ({ caller, params }) => ok(await getChange(db, caller, params.id, params.cid)), {
        auth: true,
        params: changeParams,
        response: response.one,
      })
      .delete('/changes/:cid', async ({ caller, params }) => ok(await cancelChange(db, caller, params.id, params.cid)), {
        auth: true,
        params: changeParams,
        response: response.cancel,
      })
      .post('/changes/:cid/resolve', async ({ caller, params, body }) => ok(await resolveChange(db, caller, params.id, params.cid, body)), {
        auth: true,
        params: changeParams,
        ...jsonBody(resolveBody),
        response: response.answer,
      })
      .post('/changes/:cid/result', async ({ caller, params, body }) => ok(await answerResult(db, caller, params.id, params.cid, body)), {
        auth: true,
        params: changeParams,
        ...jsonBody(resultBody),
        response: response.answer,
      })
      .put('/plugin-endpoint', async ({ caller, params, body }) => ok(await registerEndpoint(db, config, caller, params.id, body.url)), {
        auth: true,
        params: idParams,
        ...jsonBody(endpointBody),
        response: response.endpoint,
      })
  )
}
