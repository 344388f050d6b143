// The admin pages (server-rendered, htmx-enhanced), mounted at the site root.
import { Elysia } from 'elysia'
import type { AppContext } from '../context'

export function adminRoutes(ctx: AppContext) {
  void ctx
  return new Elysia().get('/', ({ redirect }) => redirect('/api/v1/docs'))
}
