// Pull-mode routes under /integration/integrations/{id}: credentials, a connection test, and "pull now" (users only).
import { Elysia } from 'elysia'
import { authGuard } from '../auth/guard'
import type { AppContext } from '../context'
import { jsonBody } from '../http/body'
import { ok } from '../http/envelope'
import { idParams } from '../sites/model'
import { deleteCredentials, getCredentials, saveCredentials } from './credentials'
import { credentialsBody, pullBody, testConnectionBody } from './model'
import { pullNow, testConnection } from './service'

export function pullRoutes(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia({ prefix: '/integration/integrations/:id', detail: { tags: ['Pull mode'] } })
    .use(authGuard(ctx))
    .get('/pull-credentials', async ({ caller, params }) => ok(await getCredentials(db, caller, params.id)), {
      auth: true,
      params: idParams,
    })
    .put('/pull-credentials', async ({ caller, params, body }) => ok(await saveCredentials(db, config, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(credentialsBody),
    })
    .delete(
      '/pull-credentials',
      async ({ caller, params }) => {
        await deleteCredentials(db, caller, params.id)
        return ok({ wp_url: null, username: null, configured: false, include_content: false })
      },
      { auth: true, params: idParams },
    )
    .post('/pull-credentials/test', async ({ caller, params, body }) => ok(await testConnection(ctx, caller, params.id, body)), {
      auth: true,
      params: idParams,
      ...jsonBody(testConnectionBody),
    })
    .post('/pull', async ({ caller, params, body }) => ok(await pullNow(ctx, caller, params.id, body.content)), {
      auth: true,
      params: idParams,
      ...jsonBody(pullBody),
    })
}
