// The admin's one authentication plugin: `{ page: 'user' | 'admin' }` on a route resolves the session
// user, sends visitors to the login page, and on state changes checks origin and CSRF token.
import { Elysia, status } from 'elysia'
import type { UserCaller } from '../auth/caller'
import { countUsers } from '../users/service'
import type { AppContext } from '../context'
import { Forbidden } from '../http/errors'
import { assertSameOrigin, isHtmx, readSessionCookie } from './request'
import { csrfMatches, readSession, type AdminAuth } from '../auth/sessions'

const SAFE_METHODS = new Set(['GET', 'HEAD'])

/** A local path to come back to after login; anything else (//evil, https://…) is dropped. */
export const safeNext = (next: unknown): string | undefined =>
  typeof next === 'string' && /^\/(?![/\\])[\w\-./?=&%#]*$/.test(next) && next.length < 500 ? next : undefined

export function adminGuard(ctx: AppContext) {
  // Unnamed on purpose (like the API's authGuard): each admin module applies its own local copy.
  return new Elysia().macro({
    page(level: 'user' | 'admin') {
      return {
        async resolve({ request, body, set }) {
          const auth = await readSession(ctx.db, readSessionCookie(request))
          if (!auth) {
            const url = new URL(request.url)
            const to =
              (await countUsers(ctx.db)) === 0
                ? '/setup'
                : SAFE_METHODS.has(request.method)
                  ? `/login?next=${encodeURIComponent(url.pathname + url.search)}`
                  : '/login'
            if (isHtmx(request)) {
              // fetch() would silently follow a 303 and swap the login page into a card; ask htmx for a full navigation.
              set.headers['hx-redirect'] = to
              return status(401, '')
            }
            set.headers.location = to
            set.headers['cache-control'] = 'no-store'
            return status(303, '')
          }
          if (!SAFE_METHODS.has(request.method)) {
            assertSameOrigin(ctx.config, request)
            const presented = request.headers.get('x-csrf-token') ?? (body as Record<string, unknown> | undefined)?._csrf
            if (!csrfMatches(auth.session, typeof presented === 'string' ? presented : undefined))
              throw new Forbidden('The form has expired or did not come from this admin. Reload the page and try again.', 'csrf_failed')
          }
          if (level === 'admin' && !auth.user.isAdmin) throw new Forbidden('Only administrators can open this page.')
          const caller: UserCaller = { kind: 'user', user: auth.user }
          return { auth: auth as AdminAuth, caller }
        },
      }
    },
  })
}

/** What the layout needs to know about the signed-in user. */
export const viewerOf = ({ user, session }: AdminAuth) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  isAdmin: user.isAdmin,
  csrf: session.csrfToken,
})
