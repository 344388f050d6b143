// Site → Changes: the edits made in IGNY8 on their way to WordPress, by state (pending, delivering, conflict, failed,
// applied, cancelled) with counts, each linking to its post and to its own page. Titles and errors are escaped.
import type { ChangeState, ChangeView } from '../../src/changes/serialize'
import type { SiteContext } from '../../src/sites/overview'
import { html, type Html } from '../../src/http/html'
import { badge, time, type Tone } from '../components'
import { layout, type Viewer } from '../layout'
import { fmt, listHref, pager } from '../pager'
import { siteHeader, type PushInfo } from './site-header'

export const STATE_ORDER: ChangeState[] = ['pending', 'delivering', 'conflict', 'failed', 'applied', 'cancelled']
const STATE: Record<ChangeState, { tone: Tone; label: string }> = {
  pending: { tone: 'info', label: 'Pending' },
  delivering: { tone: 'info', label: 'Delivering' },
  conflict: { tone: 'warn', label: 'Conflict' },
  failed: { tone: 'bad', label: 'Failed' },
  applied: { tone: 'ok', label: 'Applied' },
  cancelled: { tone: 'muted', label: 'Cancelled' },
}
export const stateLabel = (s: ChangeState) => STATE[s].label
export const stateBadge = (s: ChangeState) => badge(STATE[s].tone, STATE[s].label)

export const postHref = (siteId: number, externalId: number) => `/sites/${siteId}/content/${externalId}`
export const changeHref = (siteId: number, cid: number) => `/sites/${siteId}/changes/${cid}`

/** The fields a change writes, by name ("title, content"). */
export const fieldNames = (c: ChangeView) => Object.keys(c.fields).join(', ') || '—'

/** What the change is about: its post (linked) or, for a new post, its type and title. */
export function subject(siteId: number, c: ChangeView, title: string | undefined): Html {
  const t = typeof c.fields.title === 'string' ? c.fields.title : undefined
  if (c.external_id === null)
    return html`<span class="muted">New ${c.post_type}:</span> ${t || html`<span class="muted">(no title)</span>`}`
  return html`<a href="${postHref(siteId, c.external_id)}">${title || t || `#${c.external_id}`}</a>
    <span class="muted small">${c.post_type} #${c.external_id}</span>`
}

export function changeRow(siteId: number, c: ChangeView, title?: string): Html {
  return html`<tr>
    <td data-label="Change"><a href="${changeHref(siteId, c.id)}">#${c.id}</a></td>
    <td data-label="Post">${subject(siteId, c, title)}</td>
    <td data-label="Fields" class="small">${fieldNames(c)}</td>
    <td data-label="State">${stateBadge(c.state)} ${c.error ? html`<div class="small change-error">${c.error}</div>` : ''}</td>
    <td data-label="Updated" class="nowrap">${time(c.updated_at)}</td>
  </tr>`
}

/** A table of changes (the Changes tab and a post's history). */
export function changesTable(siteId: number, list: ChangeView[], titles: Map<number, string> = new Map()): Html {
  return html`<section class="card card-flush">
    <table class="table responsive changes">
      <thead>
        <tr>
          <th>Change</th>
          <th>Post</th>
          <th>Fields</th>
          <th>State</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        ${list.map((c) => changeRow(siteId, c, c.external_id === null ? undefined : titles.get(c.external_id)))}
      </tbody>
    </table>
  </section>`
}

export type ChangesList = {
  state: ChangeState | ''
  counts: Record<ChangeState, number>
  page: number
  pageSize: number
  count: number
  results: ChangeView[]
  titles: Map<number, string>
}

function stateNav(siteId: number, l: ChangesList): Html {
  const base = `/sites/${siteId}/changes`
  const total = STATE_ORDER.reduce((n, s) => n + l.counts[s], 0)
  const link = (state: ChangeState | '', label: string, n: number) =>
    html`<a
      href="${state ? `${base}?state=${state}` : base}"
      class="chip ${l.state === state ? 'active' : ''}"
      ${l.state === state ? html`aria-current="page"` : ''}
      >${label} <span class="chip-count">${fmt(n)}</span></a
    >`
  return html`<nav class="state-nav" aria-label="Change states">
    ${link('', 'All', total)} ${STATE_ORDER.map((s) => link(s, stateLabel(s), l.counts[s]))}
  </nav>`
}

export function changesPage(p: { viewer: Viewer; c: SiteContext; push: PushInfo; list: ChangesList }): Html {
  const { c, list } = p
  const base = `/sites/${c.site.id}/changes`
  const body = list.results.length
    ? html`${changesTable(c.site.id, list.results, list.titles)}
      ${pager({ ...list, href: (page) => listHref(base, { state: list.state, page }) })}`
    : html`<section class="card empty">
        <h2>${list.state ? `No ${stateLabel(list.state).toLowerCase()} changes` : 'No changes yet'}</h2>
        <p class="muted">Edit a post from its content type’s list of synced items, or write a new one there.</p>
      </section>`
  return layout({
    title: `${c.site.name} · Changes`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'changes', undefined, p.push)} ${stateNav(c.site.id, list)} ${body}`,
  })
}
