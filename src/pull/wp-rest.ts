// A small client for a stock WordPress REST API: Basic auth with an Application Password, /wp-json/ or
// ?rest_route= (sites without pretty permalinks), JSON answers turned into data or one clear PullError.
import { PullError, wpErrorDetail } from './errors'
import { safeFetch, type FetchPolicy, type Fetched, type SafeWrite } from './safe-fetch'

export type WpCredentials = { wpUrl: string; username: string; appPassword: string }
export type WpUser = { id: number; name: string; slug?: string }
type Query = Record<string, string | number>
type RouteStyle = 'wp-json' | 'rest_route'

export class WpClient {
  requests = 0
  private constructor(
    private readonly creds: WpCredentials,
    private readonly policy: FetchPolicy,
    readonly style: RouteStyle,
  ) {}

  /**
   * Proves the credentials with GET /wp/v2/users/me?context=edit (public routes answer 200 even to a
   * wrong password, so this is the only honest check) and picks the route style that works.
   */
  static async connect(creds: WpCredentials, policy: FetchPolicy): Promise<{ client: WpClient; user: WpUser }> {
    const pretty = new WpClient(creds, policy, 'wp-json')
    const first = await pretty.fetch('/wp/v2/users/me', { context: 'edit' })
    // Without pretty permalinks /wp-json/ is WordPress's 404 page (or some HTML); ?rest_route= still works.
    const client = isRestAnswer(first) ? pretty : new WpClient(creds, policy, 'rest_route')
    const answer = client === pretty ? first : await client.fetch('/wp/v2/users/me', { context: 'edit' })
    if (client !== pretty) client.requests += pretty.requests
    if (!isRestAnswer(answer))
      throw new PullError(
        `No WordPress REST API answered at ${creds.wpUrl}: it sent ${answer.status} ${contentTypeOf(answer)}, not JSON (tried /wp-json/ and ?rest_route=). Check the URL and that the REST API is enabled.`,
        'rest_not_found',
      )
    const user = client.parse<WpUser>(answer, '/wp/v2/users/me')
    return { client, user }
  }

  /** GET a REST route and answer its JSON (and headers, for X-WP-Total). */
  async get<T>(route: string, query: Query = {}): Promise<{ data: T; headers: Headers }> {
    const res = await this.fetch(route, query)
    return { data: this.parse<T>(res, route), headers: res.headers }
  }

  /** POST a JSON body to a REST route (push-back) and answer its JSON; errors as for GET. */
  async post<T>(route: string, body: unknown, query: Query = {}): Promise<T> {
    return this.parse<T>(await this.fetch(route, query, { method: 'POST', body: JSON.stringify(body) }), route)
  }

  /** The collection's X-WP-Total (published items for post types, every term for taxonomies). */
  async total(route: string): Promise<number> {
    const { headers } = await this.get<unknown>(route, { per_page: 1, _fields: 'id' })
    const total = Number(headers.get('x-wp-total'))
    if (!headers.has('x-wp-total') || !Number.isSafeInteger(total) || total < 0)
      throw new PullError(
        `WordPress did not send an X-WP-Total count for ${route}; a proxy or plugin may be stripping headers.`,
        'no_total',
      )
    return total
  }

  /**
   * The WordPress version from the RSS feed's <generator> (the REST API does not expose it). Optional
   * metadata: sites that hide the generator, or any failure, just leave it out.
   */
  async version(): Promise<string | undefined> {
    try {
      this.requests++
      const res = await safeFetch(new URL(`${this.creds.wpUrl.replace(/\/+$/, '')}/?feed=rss2`), {}, this.policy)
      return /<generator>https?:\/\/wordpress\.org\/\?v=([\w.-]{1,40})<\/generator>/.exec(res.text)?.[1]
    } catch {
      return undefined
    }
  }

  private fetch(route: string, query: Query, write?: SafeWrite): Promise<Fetched> {
    this.requests++
    const base = this.creds.wpUrl.replace(/\/+$/, '')
    const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))
    const url =
      this.style === 'wp-json'
        ? new URL(`${base}/wp-json${route}${params.size ? `?${params}` : ''}`)
        : new URL(`${base}/?${new URLSearchParams([['rest_route', route], ...params])}`)
    const auth = 'Basic ' + Buffer.from(`${this.creds.username}:${this.creds.appPassword}`).toString('base64')
    const headers: Record<string, string> = { authorization: auth }
    if (write) headers['content-type'] = 'application/json'
    return safeFetch(url, headers, this.policy, write)
  }

  private parse<T>(res: Fetched, route: string): T {
    const host = res.url.host
    let body: unknown
    let isJson = true
    try {
      body = JSON.parse(res.text)
    } catch {
      isJson = false
    }
    const detail = isJson ? wpErrorDetail(body) : ''
    const why = detail ? ` (${res.status} ${detail})` : ` (${res.status})`
    if (res.status === 401)
      throw new PullError(
        `WordPress at ${host} rejected the username or Application Password${why}. Check both and save them again.`,
        'unauthorized',
      )
    if (res.status === 403)
      throw new PullError(
        `WordPress at ${host} refused ${route} to this user${why}; the user needs to be an administrator or editor.`,
        'forbidden',
      )
    if (res.status === 404) throw new PullError(`WordPress at ${host} has no ${route}${why}; is the REST API enabled?`, 'not_found')
    if (res.status < 200 || res.status > 299)
      throw new PullError(`WordPress at ${host} answered ${route} with an error${why}.`, 'http_error', wpCodeOf(body))
    if (!isJson) {
      throw new PullError(
        `${host} answered ${route} with something that is not JSON (${contentTypeOf(res)}); is this a WordPress site with the REST API on?`,
        'not_json',
      )
    }
    return body as T
  }
}

/** An answer from the REST API itself (its JSON, success or error) rather than a web page such as a theme's 404. */
const isRestAnswer = (res: Fetched): boolean => /json/i.test(res.headers.get('content-type') ?? '') || /^\s*[{[]/.test(res.text)
const wpCodeOf = (body: unknown) => (typeof (body as { code?: unknown })?.code === 'string' ? (body as { code: string }).code : undefined)
const contentTypeOf = (res: Fetched) => res.headers.get('content-type')?.split(';')[0] || 'no content type'
