// Site → Pull from WordPress: saving, testing and deleting pull credentials, "Sync now" (and its status, polled
// while a pull runs), and (administrators) running the daily job. The handlers live in site-pull-*.ts.
import { Elysia } from 'elysia'
import { z } from 'zod'
import type { AppContext } from '../../context'
import { siteContext } from '../../sites/overview'
import { adminGuard } from '../guard'
import { idParam } from '../model'
import { credentialActions } from './site-pull-credentials'
import { syncActions } from './site-pull-sync'
import { pullViews } from './site-pull-views'

export function sitePullPages(ctx: AppContext) {
  const views = pullViews(ctx)
  const creds = credentialActions(ctx, views)
  const sync = syncActions(ctx, views)
  const user = { page: 'user' as const, params: idParam }
  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/sites/:id/pull',
      async ({ auth, caller, params, query }) =>
        await views.page(auth, caller, await siteContext(ctx.db, caller, params.id), { notice: query.m }),
      { ...user, query: z.object({ m: z.string().max(40).optional() }) },
    )
    .post(
      '/sites/:id/pull/credentials',
      ({ auth, caller, params, body, request }) => creds.save({ auth, caller, siteId: params.id, body, request }),
      user,
    )
    .post(
      '/sites/:id/pull/credentials/delete',
      async ({ auth, caller, params, request }) => await creds.remove({ auth, caller, siteId: params.id, request }),
      user,
    )
    .post(
      '/sites/:id/pull/test',
      ({ auth, caller, params, body, request }) => creds.test({ auth, caller, siteId: params.id, body, request }),
      user,
    )
    .post(
      '/sites/:id/pull',
      ({ auth, caller, params, body, request }) => sync.sync({ auth, caller, siteId: params.id, body, request }),
      user,
    )
    .get(
      '/sites/:id/pull/status',
      async ({ auth, caller, params, request }) => await sync.status({ auth, caller, siteId: params.id, request }),
      user,
    )
    .post('/sites/:id/daily-job', ({ auth, caller, params, request }) => sync.dailyJob({ auth, caller, siteId: params.id, request }), {
      page: 'admin',
      params: idParam,
    })
}
