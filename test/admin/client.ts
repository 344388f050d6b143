// Plain-HTTP helpers for the admin pages: log in through the form, read the CSRF token, post forms.
import type { TestServer } from '../helpers/server'

export type Session = { cookie: string; csrf: string }
export type PageRes = { status: number; headers: Headers; text: string }

/** Sends a request without following redirects, so tests see the 303s themselves. */
export async function send(
  s: TestServer,
  method: string,
  path: string,
  o: { session?: Session; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<PageRes> {
  const headers: Record<string, string> = { ...o.headers }
  if (o.session) headers.cookie = o.session.cookie
  const body = o.form ? new URLSearchParams(o.form) : undefined
  const res = await fetch(s.base + path, { method, headers, body, redirect: 'manual' })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

export const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1]

/** Logs in through POST /login and reads the session's CSRF token from a page. */
export async function login(s: TestServer, email: string, password: string): Promise<Session> {
  const res = await send(s, 'POST', '/login', { form: { email, password } })
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 200)}`)
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!
  const page = await send(s, 'GET', '/account', { session: { cookie, csrf: '' } })
  return { cookie, csrf: csrfIn(page.text)! }
}

/** A new user (admin or not) logged in to the admin pages. */
export async function adminSession(s: TestServer, o: { admin?: boolean } = {}) {
  const u = await s.user({ admin: o.admin ?? true })
  return { ...u, session: await login(s, u.email, u.password) }
}

/** POSTs a form with the session's CSRF token in the body, as a plain browser form would. */
export const post = (
  s: TestServer,
  session: Session,
  path: string,
  form: Record<string, string> = {},
  headers: Record<string, string> = {},
) => send(s, 'POST', path, { session, form: { _csrf: session.csrf, ...form }, headers })

/** POSTs like htmx does: token in the X-CSRF-Token header, HX-Request set. */
export const htmxPost = (s: TestServer, session: Session, path: string, form: Record<string, string> = {}) =>
  send(s, 'POST', path, { session, form, headers: { 'hx-request': 'true', 'x-csrf-token': session.csrf } })
