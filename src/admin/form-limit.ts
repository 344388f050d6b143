// How large an admin form body may be. Forms are small (64 KB), except the push-back forms that carry a whole post
// body (≤ 2,000,000 characters, up to 12 bytes each once urlencoded): those get more, but only for a request with a
// live session, so an anonymous client can never make the server read more than a small form.
import type { AppContext } from '../context'
import { ADMIN_FORM_LIMIT } from '../http/body'
import { readSession } from '../auth/sessions'
import { readSessionCookie } from './request'

export const POST_FORM_LIMIT = 24 * 1024 * 1024
const POST_FORM = /^\/sites\/\d+\/(content\/\d+|content-types\/post_types\/[a-z0-9_-]{1,32}\/new|changes\/\d+\/resolve)\/?$/

export function adminFormLimit(ctx: AppContext): (request: Request, path: string) => Promise<number> {
  return async (request, path) =>
    POST_FORM.test(path) && (await readSession(ctx.db, readSessionCookie(request))) !== null ? POST_FORM_LIMIT : ADMIN_FORM_LIMIT
}
