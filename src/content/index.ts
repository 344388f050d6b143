// Content sync routes under /integration/integrations/{id}: batches in, listings out.
import { Elysia } from 'elysia'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { jsonBody } from '../http/body'
import { listEnvelope, ok } from '../http/envelope'
import { errorResponses, listSchema, okSchema } from '../http/response-schema'
import { getVisibleIntegration } from '../integrations/service'
import { idParams } from '../sites/model'
import { getContentItem } from './item'
import { syncContent } from './items'
import { listContent, listTerms } from './listing'
import {
  batchResultSchema,
  contentItemDetailSchema,
  contentItemSchema,
  contentQuery,
  itemParams,
  syncContentBody,
  syncTermsBody,
  termSchema,
  termsQuery,
} from './model'
import { syncTerms } from './terms'

// Documented answers: the success shape, and the error envelope under each status the route can refuse with.
const response = {
  batch: { 200: okSchema(batchResultSchema), ...errorResponses(400, 401, 403, 404, 413, 415) },
  content: { 200: listSchema(contentItemSchema), ...errorResponses(400, 401, 404) },
  item: { 200: okSchema(contentItemDetailSchema), ...errorResponses(400, 401, 404) },
  terms: { 200: listSchema(termSchema), ...errorResponses(400, 401, 404) },
}

export function contentRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/integration/integrations/:id', detail: { tags: ['Content sync'] } })
    .use(authGuard(ctx))
    .post('/sync-content', async ({ caller, params, body }) => ok(await syncContent(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(syncContentBody),
      response: response.batch,
    })
    .post('/sync-terms', async ({ caller, params, body }) => ok(await syncTerms(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(syncTermsBody),
      response: response.batch,
    })
    .get(
      '/content',
      async ({ caller, params, query, request }) => {
        const { count, results } = await listContent(db, caller, params.id, query, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: contentQuery, response: response.content },
    )
    .get('/content/:external_id', async ({ caller, params }) => ok(await getContentItem(db, caller, params.id, params.external_id)), {
      auth: true,
      params: itemParams,
      response: response.item,
    })
    .get(
      '/terms',
      async ({ caller, params, query, request }) => {
        const { count, results } = await listTerms(db, caller, params.id, query.taxonomy, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: termsQuery, response: response.terms },
    )
}
