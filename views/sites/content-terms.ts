// Site → Content types → a taxonomy: its synced terms as a tree (parents first, children indented by
// depth) in pages. Names and slugs come from WordPress: all escaped.
import type { SiteContext } from '../../src/sites/overview'
import type { serializeTerm } from '../../src/content/listing'
import { html, type Html } from '../../src/http/html'
import { layout, type Viewer } from '../layout'
import { listHref, pager } from '../pager'
import { typeHead } from './content-items'
import type { TypeInfo } from './content-types'
import { siteHeader } from './site-header'

export type TermView = ReturnType<typeof serializeTerm> & { parent_name: string | null }

// Deeper levels share the last indent so a long chain cannot push names off a phone screen.
const MAX_INDENT = 6

export function termRow(t: TermView): Html {
  const parent = t.parent ? (t.parent_name ?? `#${t.parent}`) : ''
  return html`<tr>
    <td data-label="Name">
      <div class="term depth-${Math.min(t.depth, MAX_INDENT)}" data-depth="${t.depth}">
        ${t.depth ? html`<span class="term-branch" aria-hidden="true">└</span>` : ''}
        <span class="strong">${t.name || html`<span class="muted">(no name)</span>`}</span>
      </div>
    </td>
    <td data-label="Slug"><code>${t.slug}</code></td>
    <td data-label="Parent" class="muted">${parent || '—'}</td>
    <td data-label="WordPress ID" class="num muted">${t.external_id}</td>
  </tr>`
}

export function termsPage(p: {
  viewer: Viewer
  c: SiteContext
  type: TypeInfo
  slug: string
  results: TermView[]
  count: number
  page: number
  pageSize: number
}): Html {
  const { c } = p
  const base = `/sites/${c.site.id}/content-types/taxonomies/${p.slug}`
  return layout({
    title: `${c.site.name} · ${p.type.label}`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'content-types', { tab: 'Content types', label: p.type.label })}
    ${typeHead({ siteId: c.site.id, kind: 'taxonomies', slug: p.slug, type: p.type })}
    ${
      p.results.length
        ? html`<section class="card card-flush">
              <table class="table responsive terms">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Slug</th>
                    <th>Parent</th>
                    <th class="num">WordPress ID</th>
                  </tr>
                </thead>
                <tbody>
                  ${p.results.map(termRow)}
                </tbody>
              </table>
            </section>
            ${pager({ ...p, href: (page) => listHref(base, { page }) })}`
        : html`<section class="card empty">
            <h2>Nothing synced yet</h2>
            <p class="muted">Terms appear here as the IGNY8 plugin sends them for this taxonomy.</p>
          </section>`
    }`,
  })
}
