// Users (administrators only): the list, one row per user with its actions, and the add-user form.
// Each row is also the htmx answer to its own actions, so a change redraws only that row.
import { html, type Html } from '../../src/http/html'
import { alert, badge, csrfField, field, notice, time } from '../components'
import { layout, type Viewer } from '../layout'

/** What a row shows of an account; deliberately no password hash, so none can ever reach a page. */
export type UserRowData = { id: number; email: string; name: string; is_admin: boolean; is_active: boolean; created_at: string }
type RowProps = { user: UserRowData; viewer: Viewer; message?: string; error?: string }

/** A small form that is a real POST and, with htmx, swaps the row. */
function rowAction(p: RowProps, path: string, label: string, o: { value?: string; confirm?: string; danger?: boolean } = {}): Html {
  return html`<form
    method="post"
    action="/users/${p.user.id}/${path}"
    hx-post="/users/${p.user.id}/${path}"
    hx-target="closest tr"
    hx-swap="outerHTML"
    ${o.confirm ? html`hx-confirm="${o.confirm}"` : ''}
  >
    ${csrfField(p.viewer.csrf)} ${o.value ? html`<input type="hidden" name="value" value="${o.value}" />` : ''}
    <button type="submit" class="btn btn-sm ${o.danger ? 'btn-danger' : ''}">${label}</button>
  </form>`
}

export function userRow(p: RowProps): Html {
  const u = p.user
  const self = u.id === p.viewer.id
  return html`<tr id="user-${u.id}">
    <td data-label="User">
      <strong>${u.email}</strong>${self ? html` <span class="muted small">(you)</span>` : ''}
      ${u.name ? html`<div class="muted small">${u.name}</div>` : ''}
      ${p.message ? html`<div class="inline-ok small">${p.message}</div>` : ''}
      ${p.error ? html`<div class="error small">${p.error}</div>` : ''}
    </td>
    <td data-label="Role">${u.is_admin ? badge('info', 'Admin') : badge('muted', 'User')}</td>
    <td data-label="Status">${u.is_active ? badge('ok', 'Active') : badge('bad', 'Deactivated')}</td>
    <td data-label="Created">${time(u.created_at)}</td>
    <td data-label="Actions" class="actions">
      ${
        self
          ? html`<span class="muted small">Change your password under Account.</span>`
          : html` ${rowAction(p, 'admin', u.is_admin ? 'Remove admin' : 'Make admin', { value: u.is_admin ? 'off' : 'on' })}
              <details class="inline-details">
                <summary class="btn btn-sm">Reset password</summary>
                <form
                  method="post"
                  action="/users/${u.id}/password"
                  hx-post="/users/${u.id}/password"
                  hx-target="closest tr"
                  hx-swap="outerHTML"
                  class="inline-form"
                >
                  ${csrfField(p.viewer.csrf)}
                  <label class="sr-only" for="pw-${u.id}">New password for ${u.email}</label>
                  <input
                    id="pw-${u.id}"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    minlength="10"
                    required
                    placeholder="New password (10+ chars)"
                  />
                  <button type="submit" class="btn btn-sm btn-primary">Set</button>
                </form>
              </details>
              ${
                u.is_active
                  ? rowAction(p, 'active', 'Deactivate', {
                      value: 'off',
                      confirm: `Deactivate ${u.email}? They are signed out at once.`,
                      danger: true,
                    })
                  : rowAction(p, 'active', 'Activate', { value: 'on' })
              }`
      }
    </td>
  </tr>`
}

export function usersPage(p: {
  viewer: Viewer
  users: UserRowData[]
  notice?: string
  values?: Record<string, string>
  errors?: Record<string, string>
}): Html {
  const e = p.errors ?? {}
  const v = p.values ?? {}
  return layout({
    title: 'Users',
    viewer: p.viewer,
    nav: 'users',
    body: html`<div class="page-head">
        <h1>Users</h1>
        <p class="muted">People who can sign in to this admin and the API.</p>
      </div>
      ${notice(p.notice)}
      <details class="add-card" ${Object.keys(e).length ? html`open` : ''}>
        <summary class="add-summary"><span class="btn btn-primary">Add user</span></summary>
        <section class="card">
          <h2>Add a user</h2>
          <p class="muted">They sign in with this email and password, here and in the plugin.</p>
          ${e.form ? alert('error', e.form) : ''}
          <form method="post" action="/users" class="form-grid">
            ${csrfField(p.viewer.csrf)}
            ${field({ label: 'Email', name: 'email', type: 'email', value: v.email, error: e.email, required: true, autocomplete: 'off' })}
            ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, autocomplete: 'off' })}
            ${field({ label: 'Initial password', name: 'password', type: 'password', error: e.password, required: true, autocomplete: 'new-password', hint: 'At least 10 characters. Share it privately.' })}
            <label class="check"
              ><input type="checkbox" name="is_admin" value="1" ${v.is_admin ? html`checked` : ''} /> Administrator</label
            >
            <div class="form-actions"><button type="submit" class="btn btn-primary">Create user</button></div>
          </form>
        </section>
      </details>
      <section class="card card-flush">
        <table class="table responsive">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Status</th>
              <th>Created</th>
              <th class="actions">Actions</th>
            </tr>
          </thead>
          <tbody>
            ${p.users.map((user) => userRow({ user, viewer: p.viewer }))}
          </tbody>
        </table>
      </section>`,
  })
}
