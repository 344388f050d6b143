// The error page. Its #error-message element doubles as the fragment htmx lifts into the toast.
import { html, type Html } from '../src/http/html'
import { bareLayout } from './layout'

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Please log in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too much data',
  415: 'Unsupported form',
  429: 'Too many attempts',
  500: 'Something went wrong',
}

export function errorPage(p: { status: number; message: string }): Html {
  const title = TITLES[p.status] ?? (p.status >= 500 ? 'Something went wrong' : 'Request refused')
  return bareLayout({
    title,
    body: html`<section class="card card-narrow">
      <div id="error-message" class="alert alert-error"><strong>${title}.</strong> ${p.message}</div>
      <p class="muted small">Error ${p.status}</p>
      <p><a class="btn" href="/">Back to the admin</a></p>
    </section>`,
  })
}
