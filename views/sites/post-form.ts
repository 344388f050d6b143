// The fields of a post's edit form and of the new-post form: title, slug, status, excerpt, content (raw block markup in
// a textarea), SEO title and description, and a checkbox per stored term of the post type's taxonomies.
import { POST_STATUSES } from '../../src/changes/model'
import type { TaxonomyChoices } from '../../src/changes/admin-queries'
import { html, type Html } from '../../src/http/html'
import { alert, field, type FieldErrors } from '../components'

/** What the form shows (and, after a refused save, what was typed): every value a string, terms as id lists. */
export type PostFormValues = {
  title: string
  slug: string
  status: string
  excerpt: string
  content: string
  seo_title: string
  seo_description: string
  terms: Record<string, number[]>
}

const STATUS_LABEL: Record<string, string> = { publish: 'Published', draft: 'Draft', pending: 'Pending review', private: 'Private' }

function textarea(p: { label: string; name: string; value: string; rows: number; error?: string; hint?: string; mono?: boolean }) {
  const id = `f-${p.name}`
  return html`<div class="field ${p.error ? 'has-error' : ''}">
    <label for="${id}">${p.label}</label>
    <textarea id="${id}" name="${p.name}" rows="${p.rows}" class="${p.mono ? 'mono' : ''}" ${p.error ? html`aria-invalid="true"` : ''}>
${p.value}</textarea>
    ${p.hint ? html`<p class="hint">${p.hint}</p>` : ''} ${p.error ? html`<p class="error">${p.error}</p>` : ''}
  </div>`
}

function statusSelect(value: string, error?: string): Html {
  // A status IGNY8 cannot set (future, trash) is shown as it is; keeping it sends nothing.
  const options = (POST_STATUSES as readonly string[]).includes(value) ? [...POST_STATUSES] : [value, ...POST_STATUSES]
  return html`<div class="field ${error ? 'has-error' : ''}">
    <label for="f-status">Status</label>
    <select id="f-status" name="status">
      ${options.map((s) => html`<option value="${s}" ${s === value ? html`selected` : ''}>${STATUS_LABEL[s] ?? s}</option>`)}
    </select>
    ${error ? html`<p class="error">${error}</p>` : ''}
  </div>`
}

function termBoxes(taxonomies: TaxonomyChoices[], chosen: Record<string, number[]>, error?: string): Html | string {
  if (!taxonomies.length) return ''
  return html`<input type="hidden" name="taxonomies" value="${taxonomies.map((t) => t.taxonomy).join(',')}" /> ${taxonomies.map((t) => {
      const on = new Set(chosen[t.taxonomy] ?? [])
      return html`<fieldset class="terms-box">
        <legend>${t.label} <code>${t.taxonomy}</code></legend>
        ${
          t.terms.length
            ? t.terms.map(
                (term) =>
                  html`<label class="check"
                    ><input type="checkbox" name="terms_${t.taxonomy}" value="${term.id}" ${on.has(term.id) ? html`checked` : ''} />
                    ${term.name}</label
                  >`,
              )
            : html`<p class="muted small">No terms of this taxonomy are synced yet.</p>`
        }
        ${t.truncated ? html`<p class="hint">Only the first ${t.terms.length} terms are listed.</p>` : ''}
      </fieldset>`
    })}
    ${error ? html`<p class="error">${error}</p>` : ''}`
}

/** The fields both forms share; `errors` are keyed by field (seo, terms, form). */
export function postFields(v: PostFormValues, taxonomies: TaxonomyChoices[], errors: FieldErrors = {}): Html {
  return html`${errors.form ? alert('error', errors.form) : ''}
    <div class="grid-2 post-grid">
      ${field({ label: 'Title', name: 'title', value: v.title, error: errors.title })}
      ${field({ label: 'Slug', name: 'slug', value: v.slug, error: errors.slug })}
    </div>
    ${statusSelect(v.status, errors.status)}
    ${textarea({ label: 'Excerpt', name: 'excerpt', value: v.excerpt, rows: 3, error: errors.excerpt })}
    ${textarea({
      label: 'Content',
      name: 'content',
      value: v.content,
      rows: 14,
      error: errors.content,
      hint: 'Raw block markup, as WordPress stores it.',
      mono: true,
    })}
    <div class="grid-2 post-grid">
      ${field({ label: 'SEO title', name: 'seo_title', value: v.seo_title, error: errors.seo })}
      ${field({ label: 'SEO description', name: 'seo_description', value: v.seo_description })}
    </div>
    ${termBoxes(taxonomies, v.terms, errors.terms)}`
}
