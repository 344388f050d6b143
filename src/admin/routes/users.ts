// Users (administrators only): list, create, reset a password, grant admin, deactivate.
import { Elysia } from 'elysia'
import type { AppContext } from '../../context'
import { htmlResponse } from '../../http/html'
import { Invalid } from '../../http/errors'
import { userRow, usersPage } from '../../../views/users/users'
import { adminGuard, viewerOf } from '../guard'
import { flagForm, formFailure, idParam, newUserForm, parseForm, resetPasswordForm } from '../model'
import { isHtmx, seeOther } from '../request'
import type { AdminAuth } from '../../auth/sessions'
import type { PublicUser } from '../../users/model'
import { createUser, getUser, listUsers, resetPassword, setActive, setAdmin } from '../../users/service'

export function userPages(ctx: AppContext) {
  const { db } = ctx
  /** htmx redraws the row; a plain form goes back to the list with a notice. */
  const answer = (request: Request, auth: AdminAuth, user: PublicUser, message: string) =>
    isHtmx(request) ? htmlResponse(userRow({ user, viewer: viewerOf(auth), message })) : seeOther('/users?m=user-updated')
  const flag = (body: unknown) => {
    const form = parseForm(flagForm, body)
    if (!form.ok) throw Invalid.field('value', 'Send value=on or value=off.')
    return form.data.value === 'on'
  }

  return new Elysia()
    .use(adminGuard(ctx))
    .get(
      '/users',
      async ({ auth, caller, query }) =>
        htmlResponse(usersPage({ viewer: viewerOf(auth), users: await listUsers(db, caller), notice: query.m })),
      { page: 'admin' },
    )
    .post(
      '/users',
      async ({ auth, caller, body }) => {
        const form = parseForm(newUserForm, body)
        const again = async (values: Record<string, string>, errors: Record<string, string>, status: number) =>
          htmlResponse(usersPage({ viewer: viewerOf(auth), users: await listUsers(db, caller), values, errors }), { status })
        if (!form.ok) return await again(form.values, form.errors, 422)
        try {
          await createUser(db, caller, {
            email: form.data.email,
            name: form.data.name,
            password: form.data.password,
            isAdmin: form.data.is_admin,
          })
        } catch (e) {
          const f = formFailure(e)
          return await again(
            { email: form.data.email, name: form.data.name, ...(form.data.is_admin && { is_admin: '1' }) },
            f.errors,
            f.status,
          )
        }
        return seeOther('/users?m=user-created')
      },
      { page: 'admin' },
    )
    .post(
      '/users/:id/password',
      async ({ auth, caller, params, body, request }) => {
        const form = parseForm(resetPasswordForm, body)
        if (!form.ok) {
          const message = form.errors.password ?? 'Enter a new password.'
          if (!isHtmx(request)) throw Invalid.field('password', message)
          return htmlResponse(userRow({ user: await getUser(db, caller, params.id), viewer: viewerOf(auth), error: message }), {
            status: 422,
          })
        }
        const user = await resetPassword(db, caller, params.id, form.data.password)
        return answer(request, auth, user, 'Password reset. They were signed out everywhere.')
      },
      { page: 'admin', params: idParam },
    )
    .post(
      '/users/:id/admin',
      async ({ auth, caller, params, body, request }) => {
        const user = await setAdmin(db, caller, params.id, flag(body))
        return answer(request, auth, user, user.is_admin ? 'Now an administrator.' : 'No longer an administrator.')
      },
      { page: 'admin', params: idParam },
    )
    .post(
      '/users/:id/active',
      async ({ auth, caller, params, body, request }) => {
        const user = await setActive(db, caller, params.id, flag(body))
        return answer(request, auth, user, user.is_active ? 'Account activated.' : 'Account deactivated and signed out.')
      },
      { page: 'admin', params: idParam },
    )
}
