// Sync log routes: one integration's events, and (admins) every event including cron runs.
import { Elysia } from 'elysia'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { listEnvelope } from '../http/envelope'
import { errorResponses, listSchema } from '../http/response-schema'
import { idParams } from '../sites/model'
import { eventSchema, eventsQuery } from './model'
import { listAllEvents, listIntegrationEvents } from './service'

const response = { 200: listSchema(eventSchema), ...errorResponses(400, 401, 403, 404) }

export function syncLogRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ detail: { tags: ['Sync log'] } })
    .use(authGuard(ctx))
    .get(
      '/integration/integrations/:id/sync-events',
      async ({ caller, params, query, request }) => {
        const { count, results } = await listIntegrationEvents(db, caller, params.id, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query: eventsQuery, response },
    )
    .get(
      '/sync-events',
      async ({ caller, query, request }) => {
        const { count, results } = await listAllEvents(db, caller, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, query: eventsQuery, response },
    )
}
