// First-run setup, login, logout and the user's own account page.
import { Elysia } from 'elysia'
import { clientIp } from '../../auth/guard'
import { authenticate } from '../../auth/service'
import type { AppContext } from '../../context'
import { htmlResponse } from '../../http/html'
import { accountPage } from '../../../views/account/account'
import { loginPage, setupPage } from '../../../views/auth/pages'
import { adminGuard, safeNext, viewerOf } from '../guard'
import { formFailure, loginForm, parseForm, passwordForm, setupForm } from '../model'
import { assertSameOrigin, readSessionCookie, seeOther, sessionCookie } from '../request'
import { createSession, deleteSession, readSession } from '../../auth/sessions'
import { assertSetupOpen, completeSetup } from '../setup'
import { hashSecret } from '../../auth/tokens'
import { changeOwnPassword, countUsers } from '../../users/service'

const field = (body: unknown, name: string) => {
  const v = (body as Record<string, unknown> | undefined)?.[name]
  return typeof v === 'string' ? v : undefined
}

export function authPages(ctx: AppContext) {
  const { db, config } = ctx
  return new Elysia()
    .use(adminGuard(ctx))
    .get('/', async ({ request }) => {
      if ((await countUsers(db)) === 0) return seeOther('/setup')
      return seeOther((await readSession(db, readSessionCookie(request))) ? '/sites' : '/login')
    })
    .get('/setup', async () => {
      await assertSetupOpen(ctx)
      return htmlResponse(setupPage({}))
    })
    .post('/setup', async ({ body, request }) => {
      assertSameOrigin(config, request)
      await assertSetupOpen(ctx)
      const form = parseForm(setupForm, body)
      if (!form.ok) return htmlResponse(setupPage(form), { status: 422 })
      try {
        const { token, ...input } = form.data
        await completeSetup(ctx, token, input)
      } catch (e) {
        const f = formFailure(e)
        return htmlResponse(setupPage({ values: { email: form.data.email, name: form.data.name }, errors: f.errors }), { status: f.status })
      }
      return seeOther('/login?m=setup-done')
    })
    .get('/login', async ({ request, query }) => {
      if ((await countUsers(db)) === 0) return seeOther('/setup')
      if (await readSession(db, readSessionCookie(request))) return seeOther('/sites')
      return htmlResponse(loginPage({ next: safeNext(query.next), notice: query.m }))
    })
    .post('/login', async ({ body, request, server }) => {
      assertSameOrigin(config, request)
      const next = safeNext(field(body, 'next'))
      const form = parseForm(loginForm, body)
      if (!form.ok) return htmlResponse(loginPage({ ...form, next }), { status: 422 })
      let user
      try {
        // The same limiter as POST /api/v1/auth/login, so the two doors share one count.
        user = await authenticate(db, ctx.loginLimiter, clientIp(ctx, request, server), form.data.email, form.data.password)
      } catch (e) {
        const f = formFailure(e)
        return htmlResponse(loginPage({ values: { email: form.data.email }, errors: f.errors, next }), {
          status: f.status,
          headers: f.headers,
        })
      }
      // A fresh id at every login (no session fixation); the old session, if any, ends.
      const old = readSessionCookie(request)
      if (old) await deleteSession(db, hashSecret(old))
      const { cookie } = await createSession(db, user.id)
      return seeOther(next ?? '/sites', { 'set-cookie': sessionCookie(config, request, cookie) })
    })
    .post(
      '/logout',
      async ({ auth, request }) => {
        await deleteSession(db, auth.session.idHash)
        return seeOther('/login?m=logged-out', { 'set-cookie': sessionCookie(config, request, null) })
      },
      { page: 'user' },
    )
    .get('/account', ({ auth, query }) => htmlResponse(accountPage({ viewer: viewerOf(auth), notice: query.m })), { page: 'user' })
    .post(
      '/account/password',
      async ({ auth, caller, body }) => {
        const form = parseForm(passwordForm, body)
        if (!form.ok) return htmlResponse(accountPage({ viewer: viewerOf(auth), errors: form.errors }), { status: 422 })
        try {
          await changeOwnPassword(db, caller, form.data.current, form.data.password, auth.session.idHash)
        } catch (e) {
          const f = formFailure(e)
          return htmlResponse(accountPage({ viewer: viewerOf(auth), errors: f.errors }), { status: f.status })
        }
        return seeOther('/account?m=password-changed')
      },
      { page: 'user' },
    )
}
