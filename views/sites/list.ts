// Sites: counts per connection status (over all sites), the add-site form, and one row per site in pages.
import { html, type Html } from '../../src/http/html'
import type { SiteStatus } from '../../src/sites/overview'
import { alert, badge, csrfField, field, notice, time, type Tone } from '../components'
import { layout, type Viewer } from '../layout'
import { listHref, pager } from '../pager'

const STATUS: Record<SiteStatus, { tone: Tone; label: string; help: string }> = {
  connected: { tone: 'ok', label: 'Connected', help: 'The plugin has sent the site structure within the last 26 hours.' },
  never: { tone: 'muted', label: 'Never connected', help: 'No structure received yet: set up the plugin.' },
  stale: { tone: 'warn', label: 'Stale', help: 'The last structure is more than 26 hours old.' },
  inactive: { tone: 'bad', label: 'Inactive', help: 'The site is deactivated: the plugin is refused.' },
}

export const statusBadge = (s: SiteStatus) => html`<span title="${STATUS[s].help}">${badge(STATUS[s].tone, STATUS[s].label)}</span>`

function stat(label: string, value: number, tone: Tone | 'total'): Html {
  return html`<div class="stat stat-${tone}">
    <div class="stat-value">${value}</div>
    <div class="stat-label">${label}</div>
  </div>`
}

/** One row of the list: what is shown of a site, with its connection status. */
export type SiteRow = { id: number; name: string; url: string; status: SiteStatus; lastFetch: string | null }
export type StatusCounts = Record<SiteStatus | 'total', number>

export function siteRow(s: SiteRow): Html {
  return html`<tr id="site-${s.id}">
    <td data-label="Site">
      <a class="strong" href="/sites/${s.id}/connection">${s.name}</a>
      <div class="muted small truncate">${s.url}</div>
    </td>
    <td data-label="Status">${statusBadge(s.status)}</td>
    <td data-label="Last structure">${time(s.lastFetch)}</td>
    <td data-label="Open" class="actions">
      <a href="/sites/${s.id}/content-types">Content types</a>
      <a href="/sites/${s.id}/sync-log">Sync log</a>
    </td>
  </tr>`
}

export function sitesPage(p: {
  viewer: Viewer
  sites: SiteRow[]
  counts: StatusCounts
  page: number
  pageSize: number
  notice?: string
  values?: Record<string, string>
  errors?: Record<string, string>
}): Html {
  const e = p.errors ?? {}
  const v = p.values ?? {}
  const open = p.sites.length === 0 || Object.keys(e).length > 0
  return layout({
    title: 'Sites',
    viewer: p.viewer,
    nav: 'sites',
    body: html`<div class="page-head">
        <h1>Sites</h1>
        <p class="muted">WordPress sites whose IGNY8 plugin reports to this server.</p>
      </div>
      ${notice(p.notice)}
      <div class="stats">
        ${stat('Sites', p.counts.total, 'total')} ${stat('Connected', p.counts.connected, 'ok')}
        ${stat('Never connected', p.counts.never, 'muted')} ${stat('Stale', p.counts.stale, 'warn')}
        ${stat('Inactive', p.counts.inactive, 'bad')}
      </div>
      <details class="add-card" ${open ? html`open` : ''}>
        <summary class="add-summary"><span class="btn btn-primary">Add site</span></summary>
        <section class="card">
          <h2>Add a site</h2>
          <p class="muted">Creates the site, its WordPress integration and a first API key for the plugin.</p>
          ${e.form ? alert('error', e.form) : ''}
          <form method="post" action="/sites" class="form-grid">
            ${csrfField(p.viewer.csrf)}
            ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, placeholder: 'My blog', autocomplete: 'off' })}
            ${field({ label: 'WordPress URL', name: 'url', type: 'url', value: v.url, error: e.url, required: true, placeholder: 'https://blog.example.com', autocomplete: 'off' })}
            <div class="form-actions"><button type="submit" class="btn btn-primary">Create site and API key</button></div>
          </form>
        </section>
      </details>
      ${
        p.sites.length
          ? html`<section class="card card-flush">
                <table class="table responsive">
                  <thead>
                    <tr>
                      <th>Site</th>
                      <th>Status</th>
                      <th>Last structure</th>
                      <th><span class="sr-only">Open</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${p.sites.map(siteRow)}
                  </tbody>
                </table>
              </section>
              ${p.counts.total > p.pageSize ? pager({ ...p, count: p.counts.total, href: (page) => listHref('/sites', { page }) }) : ''}`
          : html`<section class="card empty">
              <h2>No sites yet</h2>
              <p class="muted">Add your first WordPress site above to get an API key for the plugin.</p>
            </section>`
      }`,
  })
}
