// What the Pull tab's actions answer: the Sync now card and a pull's recorded event, a connection test, a
// refusal, and the daily job card (administrators) with its last and next run and "Run daily job now".
import type { DailyJobResult } from '../../src/cron/service'
import { html, type Html } from '../../src/http/html'
import type { CredentialsView } from '../../src/pull/credentials'
import { alert, badge, csrfField, time, utc } from '../components'
import type { SyncEventView } from './sync-log'

/** Counts are free-form; the scalar ones read as "post types 3 · taxonomies 3". */
function counts(c: Record<string, unknown>): Html | string {
  const parts = Object.entries(c)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .map(([k, v]) => html`<span class="kv"><span class="muted">${k.replaceAll('_', ' ')}</span> ${String(v)}</span>`)
  return parts.length ? html`<div class="kvs">${parts}</div>` : ''
}

/** A pull's event: status, summary, counts and error, with the way to the full log. */
export function pullResult(siteId: number, e: SyncEventView, title = 'Pull result'): Html {
  const ok = e.status === 'ok'
  return html`<div class="pull-result ${ok ? 'is-ok' : 'is-error'}" data-status="${e.status}">
    <p class="pull-result-head">
      <strong>${title}</strong> ${ok ? badge('ok', 'OK') : badge('bad', 'Error')}
      <span class="muted small">${utc(e.started_at)} · ${e.duration_ms} ms · ${e.source === 'cron' ? 'daily job' : 'sync now'}</span>
    </p>
    ${e.summary ? html`<p class="pull-summary">${e.summary}</p>` : ''} ${e.error ? html`<p class="error" role="alert">${e.error}</p>` : ''}
    ${counts(e.counts)}
    <p class="small"><a href="/sites/${siteId}/sync-log">Open the sync log →</a></p>
  </div>`
}

/** A pull or job that could not start (409 already running, 422 nothing to pull with). */
export const refused = (message: string, running: boolean) =>
  alert(running ? 'warn' : 'error', html`<strong>${running ? 'Already running.' : 'Not pulled.'}</strong> ${message}`)

/** The connection test's answer, shown in place. */
export const testResult = (r: { ok: true; message: string } | { ok: false; error: string }) =>
  r.ok
    ? alert('ok', html`<strong>Connection works.</strong> ${r.message}`)
    : alert('error', html`<strong>Connection failed.</strong> ${r.error}`)

export type JobStatus = { lastRun: string | null; nextRun: string | null; schedule: string }

function jobOutcome(r: DailyJobResult): Html {
  if (!r.ran) return refused(r.reason, true)
  const e = r.event
  return html`<div class="pull-result ${e.status === 'ok' ? 'is-ok' : 'is-error'}" data-status="${e.status}">
    <p class="pull-result-head"><strong>Daily job finished</strong> ${e.status === 'ok' ? badge('ok', 'OK') : badge('bad', 'Error')}</p>
    <p class="pull-summary">${e.summary}</p>
    ${e.error ? html`<p class="error" role="alert">${e.error}</p>` : ''}
    ${
      r.pulls.length
        ? html`<ul class="job-pulls small">
            ${r.pulls.map(
              (p) =>
                html`<li>
                  ${p.status === 'ok' ? badge('ok', 'OK') : p.status === 'error' ? badge('bad', 'Error') : badge('muted', 'Skipped')}
                  <span class="truncate">${p.wp_url}</span> <span class="muted">${p.error ?? p.summary}</span>
                </li>`,
            )}
          </ul>`
        : ''
    }
  </div>`
}

/** Administrators only: the server-wide daily job (every site's pull, stale marks, housekeeping). */
export function dailyJobCard(p: { siteId: number; csrf: string; job: JobStatus; result?: DailyJobResult }): Html {
  const action = `/sites/${p.siteId}/daily-job`
  return html`<section class="card" id="daily-job">
    <h2>Daily job <span class="badge badge-muted">Administrators</span></h2>
    <p class="muted">
      Pulls every site that has WordPress credentials (all sites, not only this one), marks sites whose structure is older than 26 hours as
      stale, and tidies up: expired tokens, old sync-log events and a dated database backup.
    </p>
    <dl class="facts">
      <dt>Last run</dt>
      <dd>
        ${p.job.lastRun ? html`${time(p.job.lastRun)} <span class="muted small">${utc(p.job.lastRun)}</span>` : html`<span class="muted">never</span>`}
      </dd>
      <dt>Next run</dt>
      <dd>
        ${utc(p.job.nextRun)} <span class="muted small">(schedule <code>${p.job.schedule}</code>, UTC)</span>
      </dd>
    </dl>
    <form
      class="pull-form"
      method="post"
      action="${action}"
      hx-post="${action}"
      hx-target="#daily-job"
      hx-swap="outerHTML"
      hx-indicator="#job-progress"
      hx-disable="find button"
      hx-config="timeout:30m"
      hx-status:409="swap:outerHTML"
    >
      ${csrfField(p.csrf)}<button type="submit" class="btn">Run daily job now</button>
    </form>
    <p id="job-progress" class="htmx-indicator pull-progress" role="status">
      <span class="pull-spinner" aria-hidden="true"></span> Running the daily job… pulls of every site can take a few minutes
    </p>
    ${p.result ? jobOutcome(p.result) : ''}
  </section>`
}

type SyncProps = { siteId: number; csrf: string; creds: CredentialsView; active: boolean; running: boolean; lastPull?: SyncEventView }

/**
 * A running pull's place in the Sync now card: it asks /status again every few seconds and is replaced by the
 * result once the pull has finished (a pull may take minutes, so no request waits for it).
 */
export const pullPoller = (siteId: number) =>
  html`<div class="pull-running" hx-get="/sites/${siteId}/pull/status" hx-trigger="load delay:2s" hx-swap="outerHTML">
    <p class="pull-progress" role="status">
      <span class="pull-spinner" aria-hidden="true"></span> Pulling from WordPress… a large site can take a few minutes; the result appears
      here.
    </p>
  </div>`

/** "Sync now": starts a pull, with a spinner and the button disabled while it starts, then its progress and result. */
export function syncCard(p: SyncProps & { oob?: boolean }): Html {
  const action = `/sites/${p.siteId}/pull`
  const ready = p.creds.configured && p.active
  return html`<section class="card" id="pull-sync" ${p.oob ? html`hx-swap-oob="true"` : ''}>
    <h2>Sync now</h2>
    <p class="muted">
      Reads the post types, taxonomies and their counts from WordPress now (and the content, if included) and stores them as a plugin push
      would. The daily job does the same every day.
    </p>
    ${!p.creds.configured ? html`<p class="muted small">Save the WordPress credentials first.</p>` : ''}
    ${!p.active ? alert('warn', html`This site is inactive. Activate it on the <a href="/sites/${p.siteId}/connection">Connection</a> tab to pull.`) : ''}
    ${p.running ? alert('info', 'A pull of this site is running right now.') : ''}
    <form
      class="pull-form"
      method="post"
      action="${action}"
      hx-post="${action}"
      hx-target="#pull-result"
      hx-swap="innerHTML"
      hx-indicator="#pull-progress"
      hx-disable="find button"
      hx-status:409="swap:innerHTML"
    >
      ${csrfField(p.csrf)}
      <label class="check"
        ><input type="checkbox" name="content" value="1" ${p.creds.include_content ? html`checked` : ''} /> Include content</label
      >
      <button type="submit" class="btn btn-primary" ${ready ? '' : html`disabled`}>Sync now</button>
    </form>
    <p id="pull-progress" class="htmx-indicator pull-progress" role="status">
      <span class="pull-spinner" aria-hidden="true"></span> Pulling structure and content from WordPress… this can take a minute
    </p>
    <div id="pull-result" aria-live="polite">
      ${p.running ? pullPoller(p.siteId) : p.lastPull ? pullResult(p.siteId, p.lastPull, 'Last pull') : ''}
    </div>
  </section>`
}
