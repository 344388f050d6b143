// Site → Content types → a post type: its synced items with search, a status filter and pages. The
// results (table or empty state, and the pager) are one fragment: part of the page, and on its own the
// answer to the search box's htmx request. Titles, statuses and URLs come from WordPress: all escaped.
import type { SiteContext } from '../../src/sites/overview'
import type { ListQuery } from '../../src/admin/model'
import type { serializeItem } from '../../src/content/listing'
import { html, type Html } from '../../src/http/html'
import { badge, externalLink, utc, type Tone } from '../components'
import { layout, type Viewer } from '../layout'
import { fmt, listHref, pager } from '../pager'
import type { TypeInfo, TypeKind } from './content-types'
import { siteHeader } from './site-header'

export type ItemView = ReturnType<typeof serializeItem>
export type ItemList = { siteId: number; slug: string; q: ListQuery; page: number; pageSize: number; count: number; results: ItemView[] }

const STATUS: Record<string, { tone: Tone; label: string }> = {
  publish: { tone: 'ok', label: 'Published' },
  future: { tone: 'info', label: 'Scheduled' },
  pending: { tone: 'warn', label: 'Pending review' },
  draft: { tone: 'muted', label: 'Draft' },
  private: { tone: 'info', label: 'Private' },
  trash: { tone: 'bad', label: 'Trash' },
}
const known = (s: string) => (Object.hasOwn(STATUS, s) ? STATUS[s] : undefined)
const statusLabel = (s: string) => known(s)?.label ?? (s || '(none)')
const statusBadge = (s: string) => badge(known(s)?.tone ?? 'muted', statusLabel(s))

const typeUrl = (siteId: number, kind: TypeKind, slug: string) => `/sites/${siteId}/content-types/${kind}/${slug}`

/** The type's name, slug and counts above its list, with the way back to all types. */
export function typeHead(p: { siteId: number; kind: TypeKind; slug: string; type: TypeInfo }): Html {
  const { type: t } = p
  return html`<div class="type-head">
    <div class="type-title">
      <h2>${t.label} <code>${p.slug}</code> ${t.enabled ? '' : badge('muted', 'Disabled')}</h2>
      <p class="type-counts">
        <span><strong>${fmt(t.count)}</strong> total · <strong>${fmt(t.synced_count)}</strong> synced</span>
      </p>
    </div>
    <div class="type-actions">
      ${p.kind === 'post_types' ? html`<a class="btn btn-sm btn-primary" href="${typeUrl(p.siteId, p.kind, p.slug)}/new">New ${t.label}</a>` : ''}
      <a class="btn btn-sm" href="/sites/${p.siteId}/content-types#ct-${p.kind}-${p.slug}">← All content types</a>
    </div>
  </div>`
}

/** A row; the title opens the post's own page (fields, body, edit form, changes). */
export function itemRow(siteId: number, i: ItemView): Html {
  return html`<tr>
    <td data-label="Title">
      <div class="strong item-title">
        <a href="/sites/${siteId}/content/${i.external_id}">${i.title || html`<span class="muted">(no title)</span>`}</a>
      </div>
      <div class="small truncate muted">${i.url ? externalLink(i.url) : i.slug}</div>
    </td>
    <td data-label="Status">${statusBadge(i.status)}</td>
    <td data-label="Modified" class="nowrap">
      ${i.modified_at ? html`<time datetime="${i.modified_at}">${utc(i.modified_at)}</time>` : '—'}
    </td>
    <td data-label="WordPress ID" class="num muted">${i.external_id}</td>
  </tr>`
}

/** The fragment the search box swaps: table and pager, or why there is nothing to show. */
export function itemResults(l: ItemList): Html {
  const base = typeUrl(l.siteId, 'post_types', l.slug)
  const filtered = !!(l.q.search || l.q.status)
  const body = l.results.length
    ? html`<section class="card card-flush">
          <table class="table responsive items">
            <thead>
              <tr>
                <th>Title</th>
                <th>Status</th>
                <th>Modified</th>
                <th class="num">WordPress ID</th>
              </tr>
            </thead>
            <tbody>
              ${l.results.map((i) => itemRow(l.siteId, i))}
            </tbody>
          </table>
        </section>
        ${pager({ ...l, href: (page) => listHref(base, { search: l.q.search, status: l.q.status, page }) })}`
    : filtered
      ? html`<section class="card empty">
          <h2>No matching items</h2>
          <p class="muted">
            ${['Nothing', l.q.search && `matches “${l.q.search}”`, l.q.status && `with status ${statusLabel(l.q.status)}`].filter(Boolean).join(' ')}.
          </p>
          <p><a href="${base}">Clear search and filter</a></p>
        </section>`
      : html`<section class="card empty">
          <h2>Nothing synced yet</h2>
          <p class="muted">Items appear here as the IGNY8 plugin sends content batches for this post type.</p>
        </section>`
  return html`<div id="results" class="results">${body}</div>`
}

type StatusCount = { status: string; n: number }

/**
 * Search and status filter. A plain GET form without JavaScript; with htmx the form asks for the results
 * fragment as the admin types (`changed` skips keys that leave the text as it was) and keeps the URL in step.
 */
function filters(base: string, q: ListQuery, statuses: StatusCount[]): Html {
  const options = q.status && !statuses.some((s) => s.status === q.status) ? [...statuses, { status: q.status, n: 0 }] : statuses
  return html`<form
    class="filters"
    method="get"
    action="${base}"
    role="search"
    hx-get="${base}"
    hx-trigger="input changed delay:300ms, search changed, change changed, submit"
    hx-target="#results"
    hx-swap="outerHTML"
    hx-sync="this:replace"
    hx-replace-url="true"
  >
    <div class="search-box">
      <label class="sr-only" for="f-search">Search titles and slugs</label>
      <input
        id="f-search"
        type="search"
        name="search"
        value="${q.search}"
        placeholder="Search titles and slugs"
        maxlength="200"
        autocomplete="off"
      />
      <span class="spinner htmx-indicator" aria-hidden="true"></span>
    </div>
    <label class="sr-only" for="f-status">Status</label>
    <select id="f-status" name="status">
      <option value="">All statuses</option>
      ${options.map(
        (s) =>
          html`<option value="${s.status}" ${s.status === q.status ? html`selected` : ''}>${statusLabel(s.status)} (${fmt(s.n)})</option>`,
      )}
    </select>
    <noscript><button type="submit" class="btn">Apply</button></noscript>
  </form>`
}

export function itemsPage(p: { viewer: Viewer; c: SiteContext; type: TypeInfo; statuses: StatusCount[]; list: ItemList }): Html {
  const { c, list } = p
  return layout({
    title: `${c.site.name} · ${p.type.label}`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'content-types', { tab: 'Content types', label: p.type.label })}
    ${typeHead({ siteId: c.site.id, kind: 'post_types', slug: list.slug, type: p.type })}
    ${filters(typeUrl(c.site.id, 'post_types', list.slug), list.q, p.statuses)} ${itemResults(list)}`,
  })
}
