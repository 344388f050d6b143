// The one authentication plugin: `{ auth: true }` on a route resolves `caller` or answers 401.
import { Elysia } from 'elysia'
import type { AppContext } from '../context'
import { resolveBearer } from './caller'

export function authGuard(ctx: AppContext) {
  // Deliberately unnamed: each feature module applies its own copy, so the macro is local and explicit.
  return new Elysia().macro({
    auth: {
      async resolve({ headers }) {
        return { caller: await resolveBearer(ctx.db, ctx.signer, headers.authorization) }
      },
    },
  })
}

/** The client's address: the socket peer, or the first X-Forwarded-For hop when behind a trusted proxy. */
export function clientIp(ctx: AppContext, request: Request, server: { requestIP(r: Request): { address: string } | null } | null): string {
  if (ctx.config.trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  return server?.requestIP(request)?.address ?? 'unknown'
}
