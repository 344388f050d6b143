// What the admin needs to know about a request: its scheme and origin (proxy-aware only when trusted),
// whether a browser sent it from another origin, and how the session cookie is written.
import type { Config } from '../config'
import { Forbidden } from '../http/errors'
import { forwardedEntry } from '../http/forwarded'
import { SESSION_COOKIE, SESSION_TTL_SECONDS } from '../auth/sessions'

type ProxyConfig = Pick<Config, 'trustProxy' | 'trustedProxies'>

/**
 * HTTPS as the browser sees it; X-Forwarded-Proto is believed only behind a trusted proxy, and only the entry our
 * outermost proxy appended (see forwardedEntry), not one the client sent along.
 */
export function isHttps(config: ProxyConfig, request: Request): boolean {
  if (config.trustProxy) {
    const forwarded = forwardedEntry(request, 'x-forwarded-proto', config.trustedProxies)?.toLowerCase()
    if (forwarded) return forwarded === 'https'
  }
  return new URL(request.url).protocol === 'https:'
}

/** The origin the browser used to reach us: scheme from isHttps, host from Host (or X-Forwarded-Host behind a trusted proxy). */
export function requestOrigin(config: ProxyConfig, request: Request): string {
  const forwardedHost = config.trustProxy ? forwardedEntry(request, 'x-forwarded-host', config.trustedProxies) : undefined
  return `${isHttps(config, request) ? 'https' : 'http'}://${forwardedHost || new URL(request.url).host}`
}

/** The public server URL shown to admins (what the plugin must reach): --base-url, else the request's origin. */
export function publicBaseUrl(config: ProxyConfig & Pick<Config, 'baseUrl'>, request: Request): string {
  return (config.baseUrl ?? requestOrigin(config, request)).replace(/\/+$/, '')
}

/**
 * Refuses state changes a browser sent from another site. Modern browsers send Origin on every POST
 * and Sec-Fetch-Site on every request; a client sending neither is not a browser, so it cannot be
 * a cross-site forgery (and authenticated changes still need the CSRF token).
 */
export function assertSameOrigin(config: ProxyConfig & Pick<Config, 'baseUrl'>, request: Request): void {
  const site = request.headers.get('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw new Forbidden('Cross-site requests are not allowed.', 'cross_site')
  const origin = request.headers.get('origin')
  if (origin === null) return
  const allowed = [requestOrigin(config, request), config.baseUrl && new URL(config.baseUrl).origin]
  if (!allowed.includes(origin)) throw new Forbidden('Requests from another origin are not allowed.', 'cross_origin')
}

/** Set-Cookie for the session: HttpOnly, SameSite=Lax, Secure exactly when the page is served over HTTPS. */
export function sessionCookie(config: ProxyConfig, request: Request, value: string | null): string {
  const parts = [`${SESSION_COOKIE}=${value ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${value ? SESSION_TTL_SECONDS : 0}`]
  if (isHttps(config, request)) parts.push('Secure')
  return parts.join('; ')
}

/** The session cookie's value from the Cookie header. */
export function readSessionCookie(request: Request): string | undefined {
  for (const pair of (request.headers.get('cookie') ?? '').split(';')) {
    const [name, ...rest] = pair.trim().split('=')
    if (name === SESSION_COOKIE) return rest.join('=')
  }
  return undefined
}

export const isHtmx = (request: Request) => request.headers.get('hx-request') === 'true'

/**
 * Whether a GET wants just the page's fragment (an htmx search) rather than the page. htmx 4 restores
 * history by fetching the URL with HX-Request too, and swaps that answer into <body>: it needs the page.
 */
export const wantsFragment = (request: Request) => isHtmx(request) && !request.headers.has('hx-history-restore-request')

/** A redirect after a form POST (303 so the browser follows with GET); htmx gets HX-Redirect for a full navigation. */
export function seeOther(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', ...headers } })
}
