// Site → Pull from WordPress: what pull mode is, the Application Password credentials (saved, tested,
// replaced, deleted), "Sync now", and for administrators the daily job. The cards double as htmx answers.
import type { SiteContext } from '../../src/sites/overview'
import { html, type Html } from '../../src/http/html'
import type { CredentialsView } from '../../src/pull/credentials'
import { alert, badge, csrfField, field, type FieldErrors } from '../components'
import { layout, type Viewer } from '../layout'
import { dailyJobCard, syncCard, type JobStatus } from './pull-results'
import { siteHeader } from './site-header'
import type { SyncEventView } from './sync-log'

/** Fixed messages after a plain form post redirects back (?m=key); only these keys render. */
const NOTICES: Record<string, [tone: 'ok' | 'warn', text: string]> = {
  'pull-saved': ['ok', 'WordPress credentials saved. Test the connection or sync now.'],
  'pull-deleted': ['ok', 'WordPress credentials deleted. Daily pulls of this site have stopped.'],
  pulled: ['ok', 'Pull finished; the result is below.'],
  'pull-started': ['ok', 'The pull is running; reload this page to see its result when it has finished.'],
  'pull-running': ['warn', 'A pull of this site is already running. Wait for it to finish, then look at the result below.'],
  'pull-refused': ['warn', 'Save the WordPress credentials (and keep the site active) before syncing.'],
  'job-ran': ['ok', 'The daily job ran; its result is in the Daily job card.'],
  'job-busy': ['warn', 'The daily job is already running. Try again when it has finished.'],
}
const pullNotice = (key: string | undefined) => (key && NOTICES[key] ? alert(...NOTICES[key]) : '')

type CredentialsProps = {
  siteId: number
  csrf: string
  creds: CredentialsView
  values?: Record<string, string>
  errors?: FieldErrors
  message?: string
}

/** The form that saves (or replaces) the credentials; its second button tests what is typed without saving. */
function credentialsForm(p: CredentialsProps): Html {
  const base = `/sites/${p.siteId}/pull`
  const v = p.values ?? {}
  const e = p.errors ?? {}
  const include = v.include_content !== undefined ? !!v.include_content : p.creds.include_content
  return html`<form
    class="stack"
    method="post"
    action="${base}/credentials"
    hx-post="${base}/credentials"
    hx-target="#pull-credentials"
    hx-swap="outerHTML"
    ${p.creds.configured ? html`hx-confirm="Replace the saved WordPress credentials for ${p.creds.username}?"` : ''}
  >
    ${csrfField(p.csrf)} ${e.form ? alert('error', e.form) : ''}
    ${field({
      label: 'WordPress URL',
      name: 'wp_url',
      type: 'url',
      value: v.wp_url ?? p.creds.wp_url ?? '',
      error: e.wp_url,
      placeholder: 'https://example.com',
      hint: 'The site address from Settings → General.',
      required: true,
    })}
    ${field({ label: 'WordPress user name', name: 'username', value: v.username ?? p.creds.username ?? '', error: e.username, autocomplete: 'off', required: true })}
    ${field({
      label: 'Application Password',
      name: 'app_password',
      type: 'password',
      error: e.app_password,
      autocomplete: 'new-password',
      hint: 'WordPress shows it once, as six groups of four characters. Stored encrypted; never shown again.',
      required: true,
    })}
    <label class="check"
      ><input type="checkbox" name="include_content" value="1" ${include ? html`checked` : ''} /> Include content (posts, pages and terms)
      in daily pulls</label
    >
    <div class="button-row">
      <button type="submit" class="btn btn-primary">${p.creds.configured ? 'Replace credentials' : 'Save credentials'}</button>
      <button
        type="submit"
        class="btn"
        formaction="${base}/test"
        formnovalidate
        hx-post="${base}/test"
        hx-target="#pull-test-result"
        hx-swap="innerHTML"
        hx-indicator="#pull-testing"
        hx-disable="this"
      >
        Test connection
      </button>
    </div>
  </form>`
}

/** The credentials card: "configured ✓" with test / replace / delete, or the form to save them. */
export function credentialsCard(p: CredentialsProps & { open?: boolean; testResult?: Html }): Html {
  const base = `/sites/${p.siteId}/pull`
  const c = p.creds
  const testing = html`<span id="pull-testing" class="htmx-indicator pull-progress small"
      ><span class="pull-spinner" aria-hidden="true"></span> Testing the connection…</span
    >
    <div id="pull-test-result" aria-live="polite">${p.testResult ?? ''}</div>`
  return html`<section class="card" id="pull-credentials">
    <h2>WordPress connection</h2>
    ${p.message ? html`<p class="inline-ok" role="status">${p.message}</p>` : ''}
    ${
      c.configured
        ? html`<p class="pull-configured">
              ${badge('ok', 'Configured ✓')} for user <strong>${c.username}</strong> at <span class="truncate">${c.wp_url}</span>
            </p>
            <p class="muted small">
              Daily pulls fetch ${c.include_content ? 'the structure and the content' : 'the structure only'}. The Application Password is
              stored encrypted and never shown.
            </p>
            <div class="button-row pull-actions">
              <form
                method="post"
                action="${base}/test"
                hx-post="${base}/test"
                hx-target="#pull-test-result"
                hx-swap="innerHTML"
                hx-indicator="#pull-testing"
                hx-disable="find button"
              >
                ${csrfField(p.csrf)}<button type="submit" class="btn">Test connection</button>
              </form>
              <form
                method="post"
                action="${base}/credentials/delete"
                hx-post="${base}/credentials/delete"
                hx-target="#pull-credentials"
                hx-swap="outerHTML"
                hx-confirm="Delete the saved WordPress credentials? Daily pulls of this site stop until you save new ones."
              >
                ${csrfField(p.csrf)}<button type="submit" class="btn btn-danger">Delete credentials</button>
              </form>
            </div>
            ${testing}
            <details class="pull-replace" ${p.open ? html`open` : ''}>
              <summary class="btn btn-sm">Replace credentials…</summary>
              ${credentialsForm(p)}
            </details>`
        : html`${credentialsForm(p)} ${testing}`
    }
  </section>`
}

export function pullPage(p: {
  viewer: Viewer
  c: SiteContext
  creds: CredentialsView
  running: boolean
  lastPull?: SyncEventView
  job?: JobStatus
  notice?: string
  values?: Record<string, string>
  errors?: FieldErrors
  testResult?: Html
}): Html {
  const { c } = p
  const common = { siteId: c.site.id, csrf: p.viewer.csrf, creds: p.creds }
  const failed = !!(p.errors && Object.keys(p.errors).length)
  return layout({
    title: `${c.site.name} · Pull from WordPress`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'pull')} ${pullNotice(p.notice)}
      <div class="grid-2">
        <section class="card">
          <h2>Connect without the plugin</h2>
          <p class="muted">
            Pull mode reads the site through WordPress's own REST API, so nothing needs installing in WordPress. It signs in with an
            <strong>Application Password</strong> (WordPress 5.6 or later).
          </p>
          <ol class="steps">
            <li>In WordPress, open <strong>Users → Profile</strong> of an administrator or editor.</li>
            <li>
              Under <strong>Application Passwords</strong>, enter a name such as “IGNY8 Sync” and click
              <strong>Add New Application Password</strong>.
            </li>
            <li>Copy the password WordPress shows (only once) and save it here with that user name and the site's URL.</li>
          </ol>
          <p class="muted small">The daily job then pulls this site every day; use <strong>Sync now</strong> to pull at once.</p>
        </section>
        ${credentialsCard({ ...common, values: p.values, errors: p.errors, open: failed, testResult: p.testResult })}
      </div>
      ${syncCard({ ...common, active: c.site.isActive && c.integration.isActive, running: p.running, lastPull: p.lastPull })}
      ${p.job ? dailyJobCard({ siteId: c.site.id, csrf: p.viewer.csrf, job: p.job }) : ''}`,
  })
}
