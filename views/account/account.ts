// The signed-in user's own account: who they are and changing their password.
import { html, type Html } from '../../src/http/html'
import { alert, badge, csrfField, field, notice } from '../components'
import { layout, type Viewer } from '../layout'

export function accountPage(p: { viewer: Viewer; notice?: string; errors?: Record<string, string> }): Html {
  const e = p.errors ?? {}
  return layout({
    title: 'Account',
    viewer: p.viewer,
    nav: 'account',
    body: html`<div class="page-head"><h1>Account</h1></div>
      ${notice(p.notice)}
      <div class="grid-2">
        <section class="card">
          <h2>Profile</h2>
          <dl class="facts">
            <dt>Email</dt>
            <dd>${p.viewer.email}</dd>
            <dt>Name</dt>
            <dd>${p.viewer.name || html`<span class="muted">—</span>`}</dd>
            <dt>Role</dt>
            <dd>${p.viewer.isAdmin ? badge('info', 'Administrator') : badge('muted', 'User')}</dd>
          </dl>
        </section>
        <section class="card">
          <h2>Change password</h2>
          ${e.form && !e.current ? alert('error', e.form) : ''}
          <form method="post" action="/account/password" class="stack">
            ${csrfField(p.viewer.csrf)}
            ${field({ label: 'Current password', name: 'current', type: 'password', error: e.current, autocomplete: 'current-password', required: true })}
            ${field({ label: 'New password', name: 'password', type: 'password', error: e.password, autocomplete: 'new-password', required: true, hint: 'At least 10 characters.' })}
            ${field({ label: 'Confirm new password', name: 'confirm', type: 'password', error: e.confirm, autocomplete: 'new-password', required: true })}
            <div><button type="submit" class="btn btn-primary">Change password</button></div>
          </form>
        </section>
      </div>`,
  })
}
