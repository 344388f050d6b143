// Sync log routes: one integration's events, and (admins) every event including cron runs.
import { Elysia } from 'elysia'
import { z } from 'zod'
import { requireAdmin } from '../auth/caller'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { listEnvelope, pageQuery } from '../http/envelope'
import { getVisibleIntegration } from '../integrations/service'
import { idParams } from '../sites/model'
import { listEvents } from './service'

const query = z.object(pageQuery)

export function syncLogRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ detail: { tags: ['Sync log'] } })
    .use(authGuard(ctx))
    .get(
      '/integration/integrations/:id/sync-events',
      ({ caller, params, query, request }) => {
        getVisibleIntegration(db, caller, params.id)
        const { count, results } = listEvents(db, { integrationId: params.id }, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, params: idParams, query },
    )
    .get(
      '/sync-events',
      ({ caller, query, request }) => {
        requireAdmin(caller)
        const { count, results } = listEvents(db, {}, query)
        return listEnvelope(request.url, config.baseUrl, query, count, results)
      },
      { auth: true, query },
    )
}
