// One change's page: what it writes, where it stands, and, in conflict, base / IGNY8 / WordPress side by side per field
// with a word diff of long text and a choice per field. Resolve and Cancel swap the card (#change) by htmx; the resolve
// form also works as a plain post. Every value comes from editors or WordPress: escaped, never raw HTML.
import type { ChangeView } from '../../src/changes/serialize'
import type { SiteContext } from '../../src/sites/overview'
import { html, type Html } from '../../src/http/html'
import { alert, csrfField, utc, type FieldErrors } from '../components'
import { layout, type Viewer } from '../layout'
import { changeHref, fieldNames, stateBadge, subject } from './changes'
import { siteHeader, type PushInfo } from './site-header'
import { diffHtml } from './word-diff'

const FIELD_LABEL: Record<string, string> = {
  title: 'Title',
  slug: 'Slug',
  status: 'Status',
  content: 'Content',
  excerpt: 'Excerpt',
  terms: 'Terms',
  seo: 'SEO',
}
export const fieldLabel = (f: string) => FIELD_LABEL[f] ?? f

/** A field's value as text: strings as they are, terms and SEO as JSON. */
export const asText = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v, null, 2))

const LONG = 80
const isLong = (f: string, ...vs: unknown[]) => f === 'content' || f === 'excerpt' || vs.some((v) => asText(v).length > LONG)

const shown = (v: unknown) => {
  const t = asText(v)
  return t === '' ? html`<span class="muted">(empty)</span>` : html`<pre class="value">${t}</pre>`
}

export type ResolveState = { values?: Record<string, string>; errors?: FieldErrors }

function conflictField(field: string, side: { base: unknown; igny8: unknown; wordpress: unknown }, s: ResolveState): Html {
  const long = isLong(field, side.base, side.igny8, side.wordpress)
  const chosen = s.values?.[`choice_${field}`] ?? 'igny8'
  const custom = s.values?.[`value_${field}`] ?? asText(side.igny8)
  const error = s.errors?.[field]
  const radio = (value: string, label: string) =>
    html`<label class="choice"
      ><input type="radio" name="choice_${field}" value="${value}" ${chosen === value ? html`checked` : ''} /> ${label}</label
    >`
  const column = (cls: string, title: string, v: unknown, diff: boolean) =>
    html`<div class="side side-${cls}">
      <h4>${title}</h4>
      ${
        diff && long && typeof side.base === 'string' && typeof v === 'string'
          ? html`<div class="value diff">${diffHtml(side.base, v)}</div>`
          : shown(v)
      }
    </div>`
  return html`<fieldset class="conflict-field ${error ? 'has-error' : ''}" data-field="${field}">
    <legend>${fieldLabel(field)}</legend>
    <div class="sides">
      ${column('base', 'Base (before both edits)', side.base, false)} ${column('igny8', 'IGNY8', side.igny8, true)}
      ${column('wordpress', 'WordPress', side.wordpress, true)}
    </div>
    <div class="choices" role="radiogroup" aria-label="Keep for ${fieldLabel(field)}">
      ${radio('igny8', 'Keep IGNY8')} ${radio('wordpress', 'Keep WordPress')} ${radio('custom', 'Custom value')}
    </div>
    <label class="sr-only" for="v-${field}">Custom value for ${fieldLabel(field)}</label>
    <textarea id="v-${field}" name="value_${field}" rows="${long ? 8 : 2}" class="custom-value">${custom}</textarea>
    ${field === 'terms' || field === 'seo' ? html`<p class="hint">A custom value is JSON, as shown.</p>` : ''}
    ${error ? html`<p class="error">${error}</p>` : ''}
  </fieldset>`
}

function resolveForm(siteId: number, c: ChangeView, csrf: string, s: ResolveState): Html {
  const action = `${changeHref(siteId, c.id)}/resolve`
  return html`<form class="resolve" method="post" action="${action}" hx-post="${action}" hx-target="#change" hx-swap="outerHTML">
    ${csrfField(csrf)}
    <h3>Resolve the conflict</h3>
    <p class="muted">
      WordPress changed these fields since the edit was made. Choose per field what to keep; the change then waits for delivery again.
    </p>
    ${s.errors?.form ? alert('error', s.errors.form) : ''}
    ${Object.entries(c.conflict?.fields ?? {}).map(([f, side]) => conflictField(f, side, s))}
    <div class="actions"><button type="submit" class="btn btn-primary">Resolve</button></div>
  </form>`
}

const fieldValues = (c: ChangeView) =>
  html`<dl class="change-fields">
    ${Object.entries(c.fields).map(
      ([f, v]) =>
        html`<dt>${fieldLabel(f)}</dt>
          <dd>${shown(v)}</dd>`,
    )}
  </dl>`

/** The card htmx swaps after Resolve or Cancel. */
export function changeCard(p: {
  siteId: number
  change: ChangeView
  title?: string
  csrf: string
  notice?: string
  form?: ResolveState
}): Html {
  const c = p.change
  const open = c.state === 'pending' || c.state === 'conflict'
  const cancel = `${changeHref(p.siteId, c.id)}`
  return html`<section id="change" class="card change-card">
    ${p.notice ? alert('ok', p.notice) : ''}
    <div class="change-head">
      <h2>Change #${c.id} ${stateBadge(c.state)}</h2>
      ${
        open
          ? html`<button
              type="button"
              class="btn btn-sm btn-danger"
              hx-delete="${cancel}"
              hx-target="#change"
              hx-swap="outerHTML"
              hx-confirm="Cancel change #${c.id}? It will not be written to WordPress."
            >
              Cancel change
            </button>`
          : ''
      }
    </div>
    <p>${subject(p.siteId, c, p.title)}</p>
    <dl class="facts">
      <dt>Fields</dt>
      <dd>${fieldNames(c)}</dd>
      <dt>Delivery</dt>
      <dd>${c.delivery ?? '—'}${c.attempts ? ` · ${c.attempts} failed attempt(s)` : ''}</dd>
      ${
        c.error
          ? html`<dt>Error</dt>
              <dd class="change-error">${c.error}</dd>`
          : ''
      }
      <dt>Based on</dt>
      <dd>${c.base_modified_at ? utc(c.base_modified_at) : 'a new post'}</dd>
      <dt>Created</dt>
      <dd>${utc(c.created_at)}</dd>
      <dt>Updated</dt>
      <dd>${utc(c.updated_at)}</dd>
      ${
        c.applied_at
          ? html`<dt>Applied</dt>
              <dd>${utc(c.applied_at)}</dd>`
          : ''
      }
    </dl>
    ${c.state === 'conflict' && c.conflict ? resolveForm(p.siteId, c, p.csrf, p.form ?? {}) : ''}
    <details ${c.state === 'conflict' ? '' : html`open`}>
      <summary>What this change writes</summary>
      ${fieldValues(c)}
    </details>
  </section>`
}

export function changePage(p: {
  viewer: Viewer
  c: SiteContext
  push: PushInfo
  change: ChangeView
  title?: string
  form?: ResolveState
  notice?: string
}): Html {
  const { c } = p
  return layout({
    title: `${c.site.name} · Change #${p.change.id}`,
    viewer: p.viewer,
    nav: 'sites',
    body: html`${siteHeader(c.site, c.status, 'changes', { tab: 'Changes', label: `Change #${p.change.id}` }, p.push)}
    ${changeCard({ siteId: c.site.id, change: p.change, title: p.title, csrf: p.viewer.csrf, form: p.form, notice: p.notice })}`,
  })
}
