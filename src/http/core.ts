// Cross-cutting HTTP behaviour: request ids, access logs, JSON bodies, security headers, the error envelope.
import { Elysia } from 'elysia'
import type { Logger } from '../log'
import type { InFlight } from './in-flight'
import { ADMIN_FORM_LIMIT, bodyLimitFor, NUL_MESSAGE, readFormBody, readJsonBody } from './body'
import { Invalid, toErrorResponse, type ErrorEnvelope } from './errors'

type RequestMeta = { id: string; start: number }
const meta = new WeakMap<Request, RequestMeta>()

export const requestIdOf = (request: Request): string => meta.get(request)?.id ?? '-'

export const securityHeaders: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
}

// The only API routes that take a body without a bearer token.
const PUBLIC_BODY_ROUTE = /^\/api\/v1\/auth\/(login|refresh|logout)\/?$/

/** How an error looks outside /api (the admin pages): a whole Response, status and headers included. */
export type HtmlErrorRenderer = (status: number, body: ErrorEnvelope, headers: Record<string, string>) => Response

/**
 * The plugin every route sits under; its hooks are global so sibling feature modules get them too.
 * `authenticate` checks the bearer token of a request before its body is read, so an anonymous client
 * cannot make the server read and parse megabytes, and gets 401 before any 413/415/400.
 * `renderHtmlError` draws errors for the admin pages, and `adminFormLimit` sizes their form bodies; both are passed in
 * so this layer knows no admin code.
 */
export function httpCore(
  log: Logger,
  inFlight: InFlight,
  authenticate: (request: Request) => Promise<unknown>,
  renderHtmlError: HtmlErrorRenderer,
  adminFormLimit: (request: Request, path: string) => number | Promise<number> = () => ADMIN_FORM_LIMIT,
) {
  return new Elysia({ name: 'http-core' })
    .onRequest(({ request, set }) => {
      inFlight.begin(request)
      const incoming = request.headers.get('x-request-id')
      // Accept a proxy's id only if it is short and plain, so it cannot forge log lines.
      const id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID()
      meta.set(request, { id, start: performance.now() })
      set.headers['x-request-id'] = id
      Object.assign(set.headers, securityHeaders)
      // U+0000 can reach no query either (see readJsonBody): refused here for the path and every query parameter.
      if (request.url.includes('%00')) throw nulInUrl(request.url)
    })
    .onParse({ as: 'global' }, async ({ request, path }) => {
      // Admin pages post small forms; a body the size the API accepts would only ever be abuse. The caller may
      // allow more where a signed-in user sends a post body (the push-back forms).
      if (!path.startsWith('/api/')) return readFormBody(request, await adminFormLimit(request, path))
      if (!PUBLIC_BODY_ROUTE.test(path)) await authenticate(request)
      return readJsonBody(request, bodyLimitFor(path))
    })
    .onError({ as: 'global' }, ({ code, error, request, set }) => {
      const id = requestIdOf(request)
      const { status, body, headers } = toErrorResponse(code, error, log, id)
      set.status = status
      if (headers) Object.assign(set.headers, headers)
      set.headers['x-request-id'] = id
      Object.assign(set.headers, securityHeaders)
      if (!new URL(request.url).pathname.startsWith('/api/')) return renderHtmlError(status, body, set.headers as Record<string, string>)
      set.headers['content-type'] = 'application/json; charset=utf-8'
      return body
    })
    .onAfterResponse({ as: 'global' }, ({ request, set, path, responseValue }) => {
      inFlight.end(request)
      const m = meta.get(request)
      log.info('request', {
        request_id: m?.id,
        method: request.method,
        path,
        status: sentStatus(responseValue, set.status),
        ms: m ? Math.round((performance.now() - m.start) * 10) / 10 : undefined,
      })
    })
}

/** What went out: a handler's own Response carries its status, which `set.status` never learns of. */
function sentStatus(response: unknown, setStatus: unknown): number {
  if (response instanceof Response) return response.status
  return typeof setStatus === 'number' ? setStatus : 200
}

/** The 400 for a URL carrying U+0000, naming the query parameter that holds it (as query validation would). */
function nulInUrl(href: string): Invalid {
  const url = new URL(href)
  for (const [key, value] of url.searchParams)
    if (key.includes('\0') || value.includes('\0'))
      return new Invalid(`Invalid query parameter ${key}: ${NUL_MESSAGE}`, { [key]: [NUL_MESSAGE] })
  return new Invalid(`Invalid path: ${NUL_MESSAGE}`)
}
