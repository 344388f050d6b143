// Small pieces every admin page shares: form fields, notices, badges, times, the CSRF field.
import { html, type Html } from '../src/http/html'

export type FieldErrors = Partial<Record<string, string>>

export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}" />`

type FieldProps = {
  label: string
  name: string
  type?: 'text' | 'email' | 'password' | 'url' | 'number'
  value?: string | number
  error?: string
  hint?: string | Html
  autocomplete?: string
  required?: boolean
  autofocus?: boolean
  placeholder?: string
}

/** A labelled input with its hint and error; ids derive from the name so labels and messages stay linked. */
export function field(p: FieldProps): Html {
  const id = `f-${p.name}`
  const described = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ')
  return html`<div class="field ${p.error ? 'has-error' : ''}">
    <label for="${id}">${p.label}</label>
    <input
      id="${id}"
      name="${p.name}"
      type="${p.type ?? 'text'}"
      value="${p.value ?? ''}"
      ${p.autocomplete ? html`autocomplete="${p.autocomplete}"` : ''}
      ${p.required ? html`required` : ''}
      ${p.autofocus ? html`autofocus` : ''}
      ${p.placeholder ? html`placeholder="${p.placeholder}"` : ''}
      ${described ? html`aria-describedby="${described}"` : ''}
      ${p.error ? html`aria-invalid="true"` : ''}
    />
    ${p.hint ? html`<p class="hint" id="${id}-hint">${p.hint}</p>` : ''}
    ${p.error ? html`<p class="error" id="${id}-error">${p.error}</p>` : ''}
  </div>`
}

export const alert = (tone: 'ok' | 'warn' | 'error' | 'info', body: string | Html) =>
  html`<div class="alert alert-${tone}" role="${tone === 'error' ? 'alert' : 'status'}">${body}</div>`

export type Tone = 'ok' | 'warn' | 'muted' | 'bad' | 'info'
export const badge = (tone: Tone, text: string) => html`<span class="badge badge-${tone}">${text}</span>`

/** "2025-11-22 10:15:30 UTC": unambiguous for admins in any time zone. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '—'
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) return iso
  return `${t.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** "3 h ago", for scanning a list; the exact time sits in the title. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never'
  const s = Math.round((now - Date.parse(iso)) / 1000)
  if (!Number.isFinite(s)) return iso
  if (s < 60) return 'just now'
  if (s < 3600) return `${Math.floor(s / 60)} min ago`
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ago`
  return `${Math.floor(s / 86400)} days ago`
}

export const time = (iso: string | null | undefined) =>
  iso ? html`<time datetime="${iso}" title="${utc(iso)}">${ago(iso)}</time>` : html`<span class="muted">never</span>`

/** The URL as a link only when it is http(s): URLs from WordPress are untrusted, and a javascript: href would run here. */
export function externalLink(url: string): Html | string {
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {}
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return url
  return html`<a href="${parsed.href}" target="_blank" rel="noopener noreferrer"
    >${url}<span class="sr-only"> (opens in a new tab)</span></a
  >`
}

/** Fixed messages shown after a redirect (?m=key); only known keys render, so the URL cannot inject text. */
const NOTICES: Record<string, string> = {
  'logged-out': 'You have been logged out.',
  'setup-done': 'Administrator account created. Log in to continue.',
  'password-changed': 'Your password has been changed. Other sessions were signed out.',
  'user-created': 'User created.',
  'user-updated': 'User updated.',
  'key-revoked': 'API key revoked. The plugin using it can no longer connect.',
  'site-updated': 'Site updated.',
  saved: 'Saved.',
}
export function notice(key: string | undefined): Html | string {
  const text = key ? NOTICES[key] : undefined
  return text ? alert('ok', text) : ''
}

/** Copyable value with a button; the button works through static/admin.js (no inline script under the CSP). */
export function copyable(id: string, value: string, label: string): Html {
  return html`<div class="copyable">
    <code id="${id}">${value}</code>
    <button type="button" class="btn btn-sm" data-copy="${id}" aria-label="Copy ${label}">Copy</button>
  </div>`
}
