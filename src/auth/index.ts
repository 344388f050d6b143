// /auth routes: login, refresh, logout, me.
import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import type { AppContext } from '../context'
import { ok } from '../http/envelope'
import { describeCaller } from './me'
import { loginBody, refreshBody } from './model'
import { authenticate, issueTokens, revokeRefresh, rotateRefresh } from './service'
import { authGuard, clientIp } from './guard'

export function authRoutes(ctx: AppContext) {
  const { db, signer, config, loginLimiter } = ctx
  return new Elysia({ prefix: '/auth', detail: { tags: ['Authentication'] } })
    .use(authGuard(ctx))
    .post(
      '/login',
      async ({ body, request, server }) => {
        const user = await authenticate(db, loginLimiter, clientIp(ctx, request, server), body.email, body.password)
        return ok(await issueTokens(db, signer, config, user))
      },
      { ...jsonBody(loginBody) },
    )
    .post('/refresh', async ({ body }) => ok(await rotateRefresh(db, signer, config, body.refresh)), { ...jsonBody(refreshBody) })
    .post(
      '/logout',
      async ({ body }) => {
        await revokeRefresh(db, body.refresh)
        return ok({})
      },
      { ...jsonBody(refreshBody) },
    )
    .get('/me', async ({ caller }) => ok(await describeCaller(db, caller)), { auth: 'diagnose' })
}
