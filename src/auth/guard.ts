// The one authentication plugin: `{ auth: true }` on a route resolves `caller` or answers 401.
import { Elysia } from 'elysia'
import type { AppContext } from '../context'
import { resolveBearer, type Caller } from './caller'

const callers = new WeakMap<Request, Promise<Caller>>()

/** Resolves (once per request, however many hooks ask) the caller of a Bearer request, or throws 401. */
export function authenticateRequest(ctx: AppContext, request: Request): Promise<Caller> {
  let caller = callers.get(request)
  if (!caller) callers.set(request, (caller = resolveBearer(ctx.db, ctx.signer, request.headers.get('authorization') ?? undefined)))
  return caller
}

export function authGuard(ctx: AppContext) {
  // Deliberately unnamed: each feature module applies its own copy, so the macro is local and explicit.
  return new Elysia().macro({
    auth: {
      // transform runs before body validation, so a client without credentials gets 401,
      // never a 400 that teaches it the shape of the route.
      async transform({ request }) {
        await authenticateRequest(ctx, request)
      },
      async resolve({ request }) {
        return { caller: await authenticateRequest(ctx, request) }
      },
    },
  })
}

/**
 * The client's address: the socket peer, or behind a trusted proxy the last X-Forwarded-For entry — the
 * one that proxy appended. Earlier entries come from the client and could be forged to dodge the login limit.
 */
export function clientIp(ctx: AppContext, request: Request, server: { requestIP(r: Request): { address: string } | null } | null): string {
  if (ctx.config.trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim()
    if (forwarded) return forwarded
  }
  return server?.requestIP(request)?.address ?? 'unknown'
}
