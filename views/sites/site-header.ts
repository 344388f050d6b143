// The header every site page shares: breadcrumb, name, URL, status and the tabs.
import type { SiteStatus } from '../../src/admin/sites-service'
import type { Site } from '../../src/db/schema'
import { html, type Html } from '../../src/http/html'
import { statusBadge } from './list'

export type SiteTab = 'connection' | 'content-types' | 'sync-log'

/** The header's status badge; `oob` makes it an htmx out-of-band update (after activating a site). */
export const siteStatusBadge = (status: SiteStatus, oob = false) =>
  html`<span id="site-status" ${oob ? html`hx-swap-oob="true"` : ''}>${statusBadge(status)}</span>`

export function siteHeader(site: Site, status: SiteStatus, active: SiteTab): Html {
  const tab = (key: SiteTab, label: string) =>
    html`<a href="/sites/${site.id}/${key}" class="tab ${active === key ? 'active' : ''}" ${active === key ? html`aria-current="page"` : ''}
      >${label}</a
    >`
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/sites">Sites</a> <span aria-hidden="true">/</span> ${site.name}</nav>
    <div class="page-head site-head">
      <div>
        <h1>${site.name} ${siteStatusBadge(status)}</h1>
        <p class="muted truncate">${site.url}</p>
      </div>
    </div>
    <nav class="tabs" aria-label="Site sections">
      ${tab('connection', 'Connection')}${tab('content-types', 'Content types')}${tab('sync-log', 'Sync log')}
    </nav>`
}
