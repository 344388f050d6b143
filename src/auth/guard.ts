// The one authentication plugin: `{ auth: true }` on a route resolves `caller` or answers 401.
import { Elysia } from 'elysia'
import type { AppContext } from '../context'
import { resolveBearer, type Caller } from './caller'

const callers = new WeakMap<Request, Caller>()

export function authGuard(ctx: AppContext) {
  // Deliberately unnamed: each feature module applies its own copy, so the macro is local and explicit.
  return new Elysia().macro({
    auth: {
      // transform runs before body validation, so a client without credentials gets 401,
      // never a 400 that teaches it the shape of the route.
      async transform({ headers, request }) {
        callers.set(request, await resolveBearer(ctx.db, ctx.signer, headers.authorization))
      },
      resolve({ request }) {
        return { caller: callers.get(request)! }
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
