// Site → Sync log: the integration's events newest first, with status, counts and errors.
import { html, type Html } from '../../src/http/html'
import type { SiteStatus } from '../../src/sites/overview'
import type { serializeEvent } from '../../src/sync-log/service'
import { badge, utc } from '../components'
import { layout, type Viewer } from '../layout'
import { siteHeader, type SiteHeading } from './site-header'

export type SyncEventView = ReturnType<typeof serializeEvent>

const KIND: Record<string, string> = { structure: 'Structure', content: 'Content', terms: 'Terms', pull: 'Pull', cron: 'Daily job' }

/** Counts are free-form per event kind; show the scalar ones as "created 3 · updated 1". */
function counts(c: Record<string, unknown>): Html | string {
  const parts = Object.entries(c)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .map(([k, v]) => html`<span class="kv"><span class="muted">${k.replaceAll('_', ' ')}</span> ${String(v)}</span>`)
  return parts.length ? html`<div class="kvs">${parts}</div>` : html`<span class="muted">—</span>`
}

export function eventRow(e: SyncEventView): Html {
  return html`<tr class="${e.status === 'error' ? 'row-error' : ''}">
    <td data-label="When"><time datetime="${e.started_at}">${utc(e.started_at)}</time></td>
    <td data-label="Event">${KIND[e.kind] ?? e.kind} <span class="muted small">via ${e.source}</span></td>
    <td data-label="Status">${e.status === 'ok' ? badge('ok', 'OK') : badge('bad', 'Error')}</td>
    <td data-label="Details">
      ${e.summary ? html`<div>${e.summary}</div>` : ''} ${counts(e.counts)}
      ${e.error ? html`<div class="error small">${e.error}</div>` : ''}
    </td>
    <td data-label="Duration" class="num">${e.duration_ms} ms</td>
  </tr>`
}

export function syncLogPage(p: {
  viewer: Viewer
  c: { site: SiteHeading; status: SiteStatus }
  events: SyncEventView[]
  count: number
  page: number
  pageSize: number
}): Html {
  const { c } = p
  const last = Math.max(1, Math.ceil(p.count / p.pageSize))
  const base = `/sites/${c.site.id}/sync-log`
  return layout({
    title: `${c.site.name} · Sync log`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'sync-log')}
    ${
      p.events.length
        ? html`<section class="card card-flush">
              <table class="table responsive log">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Event</th>
                    <th>Status</th>
                    <th>Details</th>
                    <th class="num">Duration</th>
                  </tr>
                </thead>
                <tbody>
                  ${p.events.map(eventRow)}
                </tbody>
              </table>
            </section>
            <nav class="pager" aria-label="Pages">
              ${p.page > 1 ? html`<a class="btn btn-sm" href="${base}?page=${p.page - 1}">← Newer</a>` : html`<span></span>`}
              <span class="muted small">Page ${p.page} of ${last} · ${p.count} events</span>
              ${p.page < last ? html`<a class="btn btn-sm" href="${base}?page=${p.page + 1}">Older →</a>` : html`<span></span>`}
            </nav>`
        : html`<section class="card empty">
            <h2>No events yet</h2>
            <p class="muted">Structure pushes, content batches and pulls for this site are listed here as they happen.</p>
          </section>`
    }`,
  })
}
