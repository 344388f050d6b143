// How errors look on the admin pages (the API answers JSON envelopes instead). One document serves both
// plain requests and htmx: the layout steers htmx error answers into a toast, selecting #error-message.
import { htmlResponse } from '../http/html'
import type { ErrorEnvelope } from '../http/errors'
import { errorPage } from '../../views/error'

export function renderErrorPage(status: number, body: ErrorEnvelope, headers: Record<string, string>): Response {
  return htmlResponse(errorPage({ status, message: body.error }), { status, headers })
}
