// Page-number pagination under long lists: "51–100 of 1,234", previous / next and a window of page numbers.
import { html, type Html } from '../src/http/html'

export const fmt = (n: number) => n.toLocaleString('en-US')

/** The page numbers to offer: the first, the last and two either side of the current one; null marks a gap. */
export function pageWindow(page: number, last: number): (number | null)[] {
  const wanted = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, last])]
    .filter((n) => n >= 1 && n <= last)
    .sort((a, b) => a - b)
  const out: (number | null)[] = []
  for (const n of wanted) {
    const prev = out.at(-1)
    if (typeof prev === 'number' && n - prev === 2)
      out.push(prev + 1) // a gap of one page is just that page
    else if (typeof prev === 'number' && n - prev > 2) out.push(null)
    out.push(n)
  }
  return out
}

export type PagerProps = { page: number; pageSize: number; count: number; href: (page: number) => string }

/** Plain links (they work without JavaScript); the range alone when everything fits on one page. */
export function pager(p: PagerProps): Html {
  const last = Math.max(1, Math.ceil(p.count / p.pageSize))
  const from = p.count ? (p.page - 1) * p.pageSize + 1 : 0
  const to = Math.min(p.count, p.page * p.pageSize)
  const range = html`<p class="pager-range">${fmt(from)}–${fmt(to)} of ${fmt(p.count)}</p>`
  if (last === 1) return html`<nav class="pager" aria-label="Pages">${range}</nav>`
  const step = (n: number, label: string, rel: 'prev' | 'next') =>
    n >= 1 && n <= last
      ? html`<a class="btn btn-sm" href="${p.href(n)}" rel="${rel}">${label}</a>`
      : html`<span class="btn btn-sm is-disabled" aria-disabled="true">${label}</span>`
  const number = (n: number | null) =>
    n === null
      ? html`<span class="page-gap" aria-hidden="true">…</span>`
      : n === p.page
        ? html`<span class="page-num is-current" aria-current="page">${fmt(n)}</span>`
        : html`<a class="page-num" href="${p.href(n)}" aria-label="Page ${fmt(n)}">${fmt(n)}</a>`
  return html`<nav class="pager" aria-label="Pages">
    ${range}
    <div class="pages">
      ${step(p.page - 1, '← Previous', 'prev')}
      <span class="page-nums">${pageWindow(p.page, last).map(number)}</span>
      <span class="page-of">Page ${fmt(p.page)} of ${fmt(last)}</span>
      ${step(p.page + 1, 'Next →', 'next')}
    </div>
  </nav>`
}

/** A list URL with its query, leaving out empty values and page 1 so links stay short and canonical. */
export function listHref(base: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v))
  const qs = params.toString()
  return qs ? `${base}?${qs}` : base
}
