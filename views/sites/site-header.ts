// The header every site page shares: breadcrumb, name, URL, status and the tabs.
import { html, type Html } from '../../src/http/html'
import type { SiteStatus } from '../../src/sites/overview'
import type { DeliveryPath } from '../../src/changes/delivery-path'
import { badge } from '../components'
import { statusBadge } from './list'

/** What a site page's header shows of its site. */
export type SiteHeading = { id: number; name: string; url: string }

export type SiteTab = 'connection' | 'content-types' | 'sync-log' | 'pull' | 'changes'

/** Push-back facts a page may add to its header: which way changes travel (or why they wait) and how many are open. */
export type PushInfo = { delivery: DeliveryPath; open: number }

const DELIVERY_LABEL = { plugin: 'IGNY8 plugin', rest: 'WordPress REST API' } as const
const deliveryLine = (d: DeliveryPath) =>
  html`<p class="delivery small" id="delivery-path">
    ${d.path ? badge('ok', `Changes go through the ${DELIVERY_LABEL[d.path]}`) : badge('warn', 'No delivery path')}
    <span class="muted">${d.reason}</span>
  </p>`

/** The header's status badge; `oob` makes it an htmx out-of-band update (after activating a site). */
export const siteStatusBadge = (status: SiteStatus, oob = false) =>
  html`<span id="site-status" ${oob ? html`hx-swap-oob="true"` : ''}>${statusBadge(status)}</span>`

/** The open changes' count on the Changes tab; `oob` updates it out of band after a resolve or cancel. */
export const openChangesCount = (open: number, oob = false) =>
  html`<span id="open-changes" ${oob ? html`hx-swap-oob="true"` : ''}>${open ? ` (${open})` : ''}</span>`

/** `here` names a page below a tab (one content type): the breadcrumb then links back up to the site and the tab. */
export function siteHeader(
  site: SiteHeading,
  status: SiteStatus,
  active: SiteTab,
  here?: { tab: string; label: string; href?: string },
  push?: PushInfo,
): Html {
  const current = html`aria-current="page"`
  const tab = (key: SiteTab, label: string | Html) =>
    html`<a href="/sites/${site.id}/${key}" class="tab ${active === key ? 'active' : ''}" ${active === key && !here ? current : ''}
      >${label}</a
    >`
  const sep = html` <span aria-hidden="true">/</span> `
  const up = (href: string, label: string) => html`<a href="${href}">${label}</a>${sep}`
  const trail = here
    ? html`${up(`/sites/${site.id}/connection`, site.name)}${up(here.href ?? `/sites/${site.id}/${active}`, here.tab)}${here.label}`
    : site.name
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/sites">Sites</a>${sep}${trail}</nav>
    <div class="page-head site-head">
      <div>
        <h1>${site.name} ${siteStatusBadge(status)}</h1>
        <p class="muted truncate">${site.url}</p>
        ${push ? deliveryLine(push.delivery) : ''}
      </div>
    </div>
    <nav class="tabs" aria-label="Site sections">
      ${tab('connection', 'Connection')}${tab('content-types', 'Content types')}${tab('sync-log', 'Sync log')}${tab('pull', 'Pull from WordPress')}${tab(
        'changes',
        html`Changes${openChangesCount(push?.open ?? 0)}`,
      )}
    </nav>`
}
