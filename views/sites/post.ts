// Site → a synced post: its fields and body (the raw block markup shown escaped in a <pre>, never rendered), the edit
// form (a plain form post; saving queues a change like PATCH …/content/{id}/), and the post's changes, newest first.
import type { TaxonomyChoices } from '../../src/changes/admin-queries'
import type { ChangeView } from '../../src/changes/serialize'
import type { getContentItem } from '../../src/content/item'
import { effectiveTypes } from '../../src/integrations/config'
import type { SiteContext } from '../../src/sites/overview'
import { html, type Html } from '../../src/http/html'
import { alert, csrfField, externalLink, utc, type FieldErrors } from '../components'
import { layout, type Viewer } from '../layout'
import { changeHref, changesTable, stateBadge } from './changes'
import { postFields, type PostFormValues } from './post-form'
import { siteHeader, type PushInfo } from './site-header'

export type PostView = Awaited<ReturnType<typeof getContentItem>>

const typeHref = (siteId: number, slug: string) => `/sites/${siteId}/content-types/post_types/${slug}`

function termList(item: PostView, taxonomies: TaxonomyChoices[]): Html {
  const names = new Map(taxonomies.flatMap((t) => t.terms.map((term) => [`${t.taxonomy}:${term.id}`, term.name] as const)))
  const entries = Object.entries(item.terms).filter(([, ids]) => ids.length)
  if (!entries.length) return html`<span class="muted">none</span>`
  return html`${entries.map(
    ([tax, ids]) => html`<div><code>${tax}</code>: ${ids.map((id) => names.get(`${tax}:${id}`) ?? `#${id}`).join(', ')}</div>`,
  )}`
}

function facts(siteId: number, item: PostView, taxonomies: TaxonomyChoices[]): Html {
  return html`<section class="card card-pad">
    <dl class="facts">
      <dt>Post type</dt>
      <dd><a href="${typeHref(siteId, item.post_type)}">${item.post_type}</a></dd>
      <dt>WordPress ID</dt>
      <dd>${item.external_id}</dd>
      <dt>Status</dt>
      <dd>${item.status}</dd>
      <dt>Slug</dt>
      <dd><code>${item.slug}</code></dd>
      <dt>URL</dt>
      <dd class="truncate">${item.url ? externalLink(item.url) : '—'}</dd>
      <dt>Modified</dt>
      <dd>${utc(item.modified_at)}</dd>
      <dt>Published</dt>
      <dd>${utc(item.published_at)}</dd>
      <dt>Author</dt>
      <dd>${item.author ? item.author.name || `#${item.author.id}` : '—'}</dd>
      <dt>SEO title</dt>
      <dd>${item.seo.title ?? html`<span class="muted">none</span>`}</dd>
      <dt>SEO description</dt>
      <dd>${item.seo.description ?? html`<span class="muted">none</span>`}</dd>
      <dt>Terms</dt>
      <dd>${termList(item, taxonomies)}</dd>
      <dt>Excerpt</dt>
      <dd>${item.excerpt || html`<span class="muted">none</span>`}</dd>
    </dl>
  </section>`
}

const body = (item: PostView) =>
  html`<section class="card card-pad">
    <h2>Body</h2>
    ${
      item.content === null
        ? html`<p class="muted">The body has not been synced (the plugin sends it with content batches, or a pull with content).</p>`
        : html`<pre class="body-preview" tabindex="0" aria-label="Body as stored (block markup)">${item.content}</pre>`
    }
  </section>`

/** The open change a save merges into, if any. */
function openChange(siteId: number, open: ChangeView | undefined): Html | string {
  if (!open) return ''
  return alert(
    'info',
    html`<a href="${changeHref(siteId, open.id)}">Change #${open.id}</a> ${stateBadge(open.state)} is on its way to WordPress; the form
      shows its values. ${open.state === 'delivering' ? 'Saving now makes a new change.' : 'Saving merges into it.'}`,
  )
}

export type PostPageProps = {
  viewer: Viewer
  c: SiteContext
  push: PushInfo
  item: PostView
  taxonomies: TaxonomyChoices[]
  form: { values: PostFormValues; errors?: FieldErrors; base: string | null }
  open?: ChangeView
  /** The form would exceed the admin's form size limit (bytes): saving it would be refused. */
  history: ChangeView[]
  notice?: string
}

export function postPage(p: PostPageProps): Html {
  const { c, item } = p
  const action = `/sites/${c.site.id}/content/${item.external_id}`
  const title = item.title || '(no title)'
  const types = effectiveTypes(c.config, 'post_types')
  const typeLabel = Object.hasOwn(types, item.post_type) ? types[item.post_type]!.label : item.post_type
  return layout({
    title: `${c.site.name} · ${title}`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(
        c.site,
        c.status,
        'content-types',
        { tab: typeLabel, label: title, href: typeHref(c.site.id, item.post_type) },
        p.push,
      )}
      <div class="page-head post-head">
        <h2>${title}</h2>
      </div>
      ${p.notice ? alert('ok', p.notice) : ''} ${openChange(c.site.id, p.open)}
      <div class="post-layout">
        <div>${facts(c.site.id, item, p.taxonomies)} ${body(item)}</div>
        <section class="card card-pad" id="edit">
          <h2>Edit</h2>
          <p class="muted small">Saving queues a change; it is written to WordPress by the delivery path above.</p>
          <form method="post" action="${action}" class="post-form">
            ${csrfField(p.viewer.csrf)}
            <input type="hidden" name="base_modified_at" value="${p.form.base ?? ''}" />
            ${postFields(p.form.values, p.taxonomies, p.form.errors)}
            <div class="actions"><button type="submit" class="btn btn-primary">Save change</button></div>
          </form>
        </section>
      </div>
      <h2 class="section-title">Changes of this post</h2>
      ${p.history.length ? changesTable(c.site.id, p.history) : html`<p class="muted">No changes made in IGNY8 yet.</p>`}`,
  })
}

export function newPostPage(p: {
  viewer: Viewer
  c: SiteContext
  push: PushInfo
  slug: string
  label: string
  taxonomies: TaxonomyChoices[]
  values: PostFormValues
  errors?: FieldErrors
}): Html {
  const { c } = p
  const action = `${typeHref(c.site.id, p.slug)}/new`
  return layout({
    title: `${c.site.name} · New ${p.label}`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'content-types', { tab: p.label, label: 'New', href: typeHref(c.site.id, p.slug) }, p.push)}
      <section class="card card-pad new-post">
        <h2>New ${p.label} <code>${p.slug}</code></h2>
        <p class="muted small">The post is created in WordPress when the change is delivered.</p>
        <form method="post" action="${action}" class="post-form">
          ${csrfField(p.viewer.csrf)} ${postFields(p.values, p.taxonomies, p.errors)}
          <div class="actions"><button type="submit" class="btn btn-primary">Create post</button></div>
        </form>
      </section>`,
  })
}
