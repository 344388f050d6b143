// The header every site page shares: breadcrumb, name, URL, status and the tabs.
import { html, type Html } from '../../src/http/html'
import type { SiteStatus } from '../../src/sites/overview'
import { statusBadge } from './list'

/** What a site page's header shows of its site. */
export type SiteHeading = { id: number; name: string; url: string }

export type SiteTab = 'connection' | 'content-types' | 'sync-log' | 'pull'

/** The header's status badge; `oob` makes it an htmx out-of-band update (after activating a site). */
export const siteStatusBadge = (status: SiteStatus, oob = false) =>
  html`<span id="site-status" ${oob ? html`hx-swap-oob="true"` : ''}>${statusBadge(status)}</span>`

/** `here` names a page below a tab (one content type): the breadcrumb then links back up to the site and the tab. */
export function siteHeader(site: SiteHeading, status: SiteStatus, active: SiteTab, here?: { tab: string; label: string }): Html {
  const current = html`aria-current="page"`
  const tab = (key: SiteTab, label: string) =>
    html`<a href="/sites/${site.id}/${key}" class="tab ${active === key ? 'active' : ''}" ${active === key && !here ? current : ''}
      >${label}</a
    >`
  const sep = html` <span aria-hidden="true">/</span> `
  const up = (href: string, label: string) => html`<a href="${href}">${label}</a>${sep}`
  const trail = here
    ? html`${up(`/sites/${site.id}/connection`, site.name)}${up(`/sites/${site.id}/${active}`, here.tab)}${here.label}`
    : site.name
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/sites">Sites</a>${sep}${trail}</nav>
    <div class="page-head site-head">
      <div>
        <h1>${site.name} ${siteStatusBadge(status)}</h1>
        <p class="muted truncate">${site.url}</p>
      </div>
    </div>
    <nav class="tabs" aria-label="Site sections">
      ${tab('connection', 'Connection')}${tab('content-types', 'Content types')}${tab('sync-log', 'Sync log')}${tab('pull', 'Pull from WordPress')}
    </nav>`
}
