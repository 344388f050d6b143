// Headers our reverse proxies append to (X-Forwarded-For, -Proto, -Host): each proxy appends what it saw, so only
// the entries on the right are ours; anything further left came from the client and may be forged.

/**
 * The entry of `header` that the outermost of our `trustedProxies` proxies appended: the `trustedProxies`-th from
 * the right. A shorter list than we have proxies carries no client-written entry; its first is the closest we know.
 * Undefined when the header is absent or empty.
 */
export function forwardedEntry(request: Request, header: string, trustedProxies: number): string | undefined {
  const hops = (request.headers.get(header) ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
  return hops[Math.max(0, hops.length - trustedProxies)]
}
