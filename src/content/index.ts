// Content sync routes under /integration/integrations/{id}: batches in, listings out.
import { Elysia } from 'elysia'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { jsonBody } from '../http/body'
import { listEnvelope, ok } from '../http/envelope'
import { getVisibleIntegration } from '../integrations/service'
import { idParams } from '../sites/model'
import { syncContent } from './items'
import { listContent, listTerms } from './listing'
import { contentQuery, syncContentBody, syncTermsBody, termsQuery } from './model'
import { syncTerms } from './terms'

export function contentRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/integration/integrations/:id', detail: { tags: ['Content sync'] } })
    .use(authGuard(ctx))
    .post('/sync-content', ({ caller, params, body }) => ok(syncContent(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(syncContentBody),
    })
    .post('/sync-terms', ({ caller, params, body }) => ok(syncTerms(db, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(syncTermsBody),
    })
    .get(
      '/content',
      ({ caller, params, query, request }) => {
        getVisibleIntegration(db, caller, params.id)
        const { count, results } = listContent(db, params.id, query, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: contentQuery },
    )
    .get(
      '/terms',
      ({ caller, params, query, request }) => {
        getVisibleIntegration(db, caller, params.id)
        const { count, results } = listTerms(db, params.id, query.taxonomy, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: termsQuery },
    )
}
