// A tiny loopback HTTP proxy in front of the backend that misbehaves on demand, as real hosts do:
// strips the Authorization header, answers HTML like a WAF, fails chosen paths, or rewrites an answer's
// shape. It records every request line.
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'strip-auth' }
  | { kind: 'html' }
  | { kind: 'fail'; path: RegExp; status: number; retryAfter?: number }
  | { kind: 'rewrite'; path: RegExp; fn: (body: any) => unknown }

export function startProxy(target: string) {
  const state = { mode: { kind: 'pass' } as ProxyMode, seen: [] as string[] }
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      state.seen.push(`${req.method} ${url.pathname}`)
      const mode = state.mode
      if (mode.kind === 'html')
        return new Response('<!DOCTYPE html><html><body><h1>Access denied</h1><p>Request blocked by the firewall.</p></body></html>', {
          status: 403,
          headers: { 'content-type': 'text/html; charset=UTF-8' },
        })
      if (mode.kind === 'fail' && mode.path.test(url.pathname))
        return Response.json(
          { success: false, error: 'Temporarily unavailable.', code: 'unavailable' },
          { status: mode.status, headers: mode.retryAfter ? { 'retry-after': String(mode.retryAfter) } : {} },
        )
      const headers = new Headers(req.headers)
      headers.delete('host')
      if (mode.kind === 'strip-auth') headers.delete('authorization')
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer()
      const res = await fetch(target + url.pathname + url.search, { method: req.method, headers, body, redirect: 'manual' })
      if (mode.kind === 'rewrite' && mode.path.test(url.pathname)) return Response.json(mode.fn(await res.json()), { status: res.status })
      const out = new Headers(res.headers)
      out.delete('content-encoding') // fetch already decoded the body
      out.delete('content-length')
      return new Response(await res.arrayBuffer(), { status: res.status, headers: out })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    state,
    stop: () => server.stop(true),
  }
}
