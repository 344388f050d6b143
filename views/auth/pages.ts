// First-run setup and login: the two pages a visitor without a session sees.
import { html, type Html } from '../../src/http/html'
import { alert, field, notice } from '../components'
import { bareLayout } from '../layout'

type Form = { values?: Record<string, string>; errors?: Record<string, string> }

const formError = (errors?: Record<string, string>) => (errors?.form ? alert('error', errors.form) : '')

export function setupPage(p: Form): Html {
  const v = p.values ?? {}
  const e = p.errors ?? {}
  return bareLayout({
    title: 'First-run setup',
    body: html`<section class="card card-narrow">
      <h1>Create the first administrator</h1>
      <p class="muted">
        No account exists yet. The server printed a one-time <strong>setup token</strong> in its log when it started (look for
        <code>setup_token</code>). Paste it here to create the administrator account.
      </p>
      ${formError(e)}
      <form method="post" action="/setup" class="stack">
        ${field({ label: 'Setup token', name: 'token', error: e.token, autocomplete: 'off', required: true, autofocus: true })}
        ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, autocomplete: 'name' })}
        ${field({ label: 'Email', name: 'email', type: 'email', value: v.email, error: e.email, autocomplete: 'email', required: true })}
        ${field({ label: 'Password', name: 'password', type: 'password', error: e.password, autocomplete: 'new-password', required: true, hint: 'At least 10 characters.' })}
        ${field({ label: 'Confirm password', name: 'confirm', type: 'password', error: e.confirm, autocomplete: 'new-password', required: true })}
        <button type="submit" class="btn btn-primary btn-block">Create administrator</button>
      </form>
      <p class="muted small">Prefer the command line? <code>igny8 user create --admin</code> does the same.</p>
    </section>`,
  })
}

export function loginPage(p: Form & { next?: string; notice?: string }): Html {
  const e = p.errors ?? {}
  return bareLayout({
    title: 'Log in',
    body: html`<section class="card card-narrow">
      <h1>Log in</h1>
      ${notice(p.notice)} ${formError(e)}
      <form method="post" action="/login" class="stack">
        ${p.next ? html`<input type="hidden" name="next" value="${p.next}" />` : ''}
        ${field({ label: 'Email', name: 'email', type: 'email', value: p.values?.email, error: e.email, autocomplete: 'username', required: true, autofocus: true })}
        ${field({ label: 'Password', name: 'password', type: 'password', error: e.password, autocomplete: 'current-password', required: true })}
        <button type="submit" class="btn btn-primary btn-block">Log in</button>
      </form>
    </section>`,
  })
}
