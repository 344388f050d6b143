// What can go wrong talking to a WordPress site, as one human sentence each (never a stack, never a password).

/** A pull failure with a message fit to show an admin; `code` is for programs, `wpCode` is WordPress's own error code. */
export class PullError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly wpCode?: string,
  ) {
    super(message)
  }
}

const TLS_CODES = /CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ALTNAME/

/** Turns whatever fetch threw into a PullError naming the site and what to check. */
export function describeFetchError(error: unknown, url: URL, timeoutMs: number): PullError {
  if (error instanceof PullError) return error
  const e = error as { name?: string; code?: string; message?: string }
  const where = url.host
  if (e?.name === 'TimeoutError') {
    const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`
    return new PullError(`${where} did not answer within ${limit}.`, 'timeout')
  }
  if (e?.name === 'AbortError') return new PullError(`The request to ${where} was cancelled (the server is shutting down).`, 'aborted')
  const code = typeof e?.code === 'string' ? e.code : ''
  if (code === 'ECONNREFUSED')
    return new PullError(`Could not connect to ${where}: connection refused. Is the WordPress URL right?`, 'unreachable')
  if (code === 'ECONNRESET')
    return new PullError(`${where} closed the connection unexpectedly (is it http on an https port?).`, 'unreachable')
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ConnectionRefused')
    return new PullError(`Could not reach ${where} (${code}).`, 'unreachable')
  if (TLS_CODES.test(code))
    return new PullError(
      `The secure (TLS) connection to ${where} failed (${code}): its HTTPS certificate could not be verified.`,
      'tls_error',
    )
  return new PullError(`The request to ${where} failed (${code || e?.name || 'network error'}).`, 'network_error')
}

/** A short, safe account of a WordPress REST error body: `rest_not_logged_in: You are not currently logged in.` */
export function wpErrorDetail(body: unknown): string {
  if (!body || typeof body !== 'object') return ''
  const { code, message } = body as { code?: unknown; message?: unknown }
  const parts = [typeof code === 'string' ? code : '', typeof message === 'string' ? message.replace(/<[^>]*>/g, '').slice(0, 200) : '']
  return parts.filter(Boolean).join(': ')
}
