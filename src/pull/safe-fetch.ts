// GET with the SSRF guard on every hop: resolve, check, connect to the checked address (so DNS cannot change
// between check and connect), follow at most a few redirects by hand, bounded time and response size.
import { VERSION } from '../version'
import { resolveTarget, type AddressCheck } from './address-policy'
import { describeFetchError, PullError } from './errors'

export type FetchPolicy = {
  allowed: AddressCheck
  timeoutMs: number
  maxBytes: number
  maxRedirects: number
  /** Aborts the request from outside (server shutdown). */
  signal?: AbortSignal
}
export const DEFAULT_LIMITS = { timeoutMs: 15_000, maxBytes: 16 * 1024 * 1024, maxRedirects: 5 }

export type Fetched = { status: number; headers: Headers; url: URL; text: string }

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** A write (push-back's POST); absent: a GET. A write never follows a redirect (its answer says where it went). */
export type SafeWrite = { method: 'POST'; body: string }

/** GETs `url` (or sends `write`), re-checking the address policy for it and, for a GET, for every redirect it follows itself. Never throws anything but PullError. */
export async function safeFetch(url: URL, headers: Record<string, string>, policy: FetchPolicy, write?: SafeWrite): Promise<Fetched> {
  const signal = AbortSignal.any([AbortSignal.timeout(policy.timeoutMs), ...(policy.signal ? [policy.signal] : [])])
  let current = url
  let sendAuth = true
  for (let hop = 0; ; hop++) {
    const addresses = await resolveTarget(current, policy.allowed, hop)
    const res = await connect(current, addresses, sendAuth ? headers : withoutAuth(headers), signal, policy.timeoutMs, write)
    if (write || !REDIRECTS.has(res.status))
      return { status: res.status, headers: res.headers, url: current, text: await readBounded(res, current, policy) }
    await res.body?.cancel().catch(() => {})
    const location = res.headers.get('location')
    if (!location) throw new PullError(`${current.host} answered ${res.status} (a redirect) without saying where to.`, 'bad_redirect')
    if (hop >= policy.maxRedirects)
      throw new PullError(`Too many redirects (more than ${policy.maxRedirects}) from ${url.host}.`, 'too_many_redirects')
    const next = new URL(location, current)
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new PullError(`${current.host} redirected to a ${next.protocol} URL, which a pull does not follow.`, 'bad_redirect')
    // Like browsers and curl: the Application Password goes only to the same host, and never down to plain http.
    sendAuth &&= next.hostname === current.hostname && (next.protocol === 'https:' || current.protocol === 'http:')
    current = next
  }
}

// Errors that mean "this address cannot be reached", so the next address of the name is worth a try
// (e.g. an AAAA record on a host without IPv6 routing).
const TRY_NEXT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ConnectionRefused'])

async function connect(
  url: URL,
  addresses: string[],
  headers: Record<string, string>,
  signal: AbortSignal,
  timeoutMs: number,
  write?: SafeWrite,
): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await pinnedGet(url, addresses[i]!, headers, signal, write)
    } catch (e) {
      const code = (e as { code?: unknown }).code
      if (i + 1 < addresses.length && typeof code === 'string' && TRY_NEXT.has(code)) continue
      throw describeFetchError(e, url, timeoutMs)
    }
  }
}

/** Connects to the already-checked address while keeping the name for Host and for TLS (SNI and certificate check). */
function pinnedGet(url: URL, address: string, headers: Record<string, string>, signal: AbortSignal, write?: SafeWrite): Promise<Response> {
  const target = new URL(url)
  const hostIsAddress = url.hostname.replace(/^\[|\]$/g, '') === address
  if (!hostIsAddress) target.hostname = address.includes(':') ? `[${address}]` : address
  return fetch(target, {
    method: write?.method ?? 'GET',
    body: write?.body,
    redirect: 'manual',
    signal,
    headers: { accept: 'application/json', 'user-agent': `igny8-sync/${VERSION}`, ...headers, host: url.host },
    ...(url.protocol === 'https:' && !hostIsAddress && { tls: { serverName: url.hostname } }),
  })
}

const withoutAuth = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'))

async function readBounded(res: Response, url: URL, policy: FetchPolicy): Promise<string> {
  const tooLarge = () =>
    new PullError(`${url.host} sent more than ${Math.round(policy.maxBytes / 1048576)} MB in one answer; refused.`, 'too_large')
  if (Number(res.headers.get('content-length') ?? 0) > policy.maxBytes) {
    await res.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > policy.maxBytes) {
        await reader.cancel().catch(() => {})
        throw tooLarge()
      }
      chunks.push(value)
    }
  } catch (e) {
    throw e instanceof PullError ? e : describeFetchError(e, url, policy.timeoutMs)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
