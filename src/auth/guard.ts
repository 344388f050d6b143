// The one authentication plugin: `{ auth: true }` on a route resolves `caller` or answers 401.
import { Elysia } from 'elysia'
import type { AppContext } from '../context'
import { AuthorizationHeaderMissing, authorizationMissing, resolveBearer, type Caller } from './caller'
import { forwardedEntry } from '../http/forwarded'

const callers = new WeakMap<Request, Promise<Caller>>()

/** Resolves (once per request, however many hooks ask) the caller of a Bearer request, or throws 401. */
export function authenticateRequest(ctx: AppContext, request: Request): Promise<Caller> {
  let caller = callers.get(request)
  if (!caller) callers.set(request, (caller = resolveBearer(ctx.db, ctx.signer, request.headers.get('authorization') ?? undefined)))
  return caller
}

/**
 * `{ auth: true }` answers the plain 401 for any missing or bad credentials. `{ auth: 'diagnose' }` (GET /auth/me,
 * which the plugin calls to check its connection) says so when no Authorization header arrived at all, so a
 * plugin can tell a host that strips the header from a bad token.
 */
export function authGuard(ctx: AppContext) {
  // Deliberately unnamed: each feature module applies its own copy, so the macro is local and explicit.
  return new Elysia().macro({
    auth(mode: true | 'diagnose') {
      const authenticate = (request: Request) => {
        if (mode === 'diagnose' && authorizationMissing(request.headers.get('authorization')))
          return Promise.reject(new AuthorizationHeaderMissing())
        return authenticateRequest(ctx, request)
      }
      return {
        // transform runs before body validation, so a client without credentials gets 401,
        // never a 400 that teaches it the shape of the route.
        async transform({ request }) {
          await authenticate(request)
        },
        async resolve({ request }) {
          return { caller: await authenticate(request) }
        },
      }
    },
  })
}

/**
 * The client's address: the socket peer, or behind trusted proxies the X-Forwarded-For entry the outermost of
 * them appended — the `trustedProxies`-th from the right (each of our proxies appends the peer it saw, the last
 * one is the socket peer). Entries further left come from the client and could be forged to dodge the login limit.
 */
export function clientIp(ctx: AppContext, request: Request, server: { requestIP(r: Request): { address: string } | null } | null): string {
  if (ctx.config.trustProxy) {
    const forwarded = forwardedEntry(request, 'x-forwarded-for', ctx.config.trustedProxies)
    if (forwarded) return forwarded
  }
  return server?.requestIP(request)?.address ?? 'unknown'
}
