// How errors look on the admin pages (the API answers JSON envelopes instead).
import { html, htmlResponse } from '../http/html'
import type { ErrorEnvelope } from '../http/errors'

export function renderErrorPage(status: number, body: ErrorEnvelope, headers: Record<string, string>): Response {
  return htmlResponse(html`<!doctype html><title>${status}</title><h1>${status}</h1><p>${body.error}</p>`, { status, headers })
}
