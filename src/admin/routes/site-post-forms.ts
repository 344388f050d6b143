// The post forms as the push-back API's bodies: an edit sends only the fields that differ from what the form showed
// (PATCH semantics), a new post sends what was filled in. Textareas arrive with CRLF line ends (browsers normalise
// them so); they are compared and sent with LF, as WordPress stores them.
import type { z } from 'zod'
import type { TaxonomyChoices } from '../../changes/admin-queries'
import { createContentBody, patchContentBody, type CreateContent, type PatchContent } from '../../changes/model'
import type { PostFormValues } from '../../../views/sites/post-form'

type Body = Record<string, unknown>
const str = (b: Body, k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '')
const text = (b: Body, k: string) => str(b, k).replace(/\r\n?/g, '\n')
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : typeof v === 'string' ? [v] : [])

/** The taxonomies' checked ids, for the taxonomies the form offered (unchecked all = none). */
function readTerms(b: Body, taxonomies: TaxonomyChoices[]): Record<string, number[]> {
  const offered = new Set(str(b, 'taxonomies').split(','))
  const out: Record<string, number[]> = {}
  for (const t of taxonomies) {
    if (!offered.has(t.taxonomy)) continue
    out[t.taxonomy] = [...new Set(list(b[`terms_${t.taxonomy}`]).map(Number))].filter((n) => Number.isSafeInteger(n) && n > 0)
  }
  return out
}

/** The form as submitted, to show again after a refusal. */
export function submitted(b: Body, taxonomies: TaxonomyChoices[]): PostFormValues {
  return {
    title: str(b, 'title'),
    slug: str(b, 'slug'),
    status: str(b, 'status'),
    excerpt: text(b, 'excerpt'),
    content: text(b, 'content'),
    seo_title: str(b, 'seo_title'),
    seo_description: text(b, 'seo_description'),
    terms: readTerms(b, taxonomies),
  }
}

const sameIds = (a: number[] = [], b: number[] = []) => a.length === b.length && [...a].sort().join() === [...b].sort().join()

/** PATCH body of the fields that differ from `shown`; null when nothing changed. */
export function editBody(v: PostFormValues, shown: PostFormValues, base: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {}
  for (const k of ['title', 'slug', 'status', 'excerpt', 'content'] as const) if (v[k] !== shown[k]) out[k] = v[k]
  const seo: Record<string, string | null> = {}
  if (v.seo_title !== shown.seo_title) seo.title = v.seo_title || null
  if (v.seo_description !== shown.seo_description) seo.description = v.seo_description || null
  if (Object.keys(seo).length) out.seo = seo
  const terms = Object.fromEntries(Object.entries(v.terms).filter(([t, ids]) => !sameIds(ids, shown.terms[t])))
  if (Object.keys(terms).length) out.terms = terms
  if (!Object.keys(out).length) return null
  if (base) out.base_modified_at = base
  return out
}

/** POST body of a new post: empty optional fields are left out. */
export function createBody(v: PostFormValues, postType: string): Record<string, unknown> {
  const out: Record<string, unknown> = { post_type: postType, title: v.title, status: v.status || 'draft' }
  if (v.slug) out.slug = v.slug
  if (v.excerpt) out.excerpt = v.excerpt
  if (v.content) out.content = v.content
  if (v.seo_title || v.seo_description) out.seo = { title: v.seo_title || null, description: v.seo_description || null }
  const terms = Object.fromEntries(Object.entries(v.terms).filter(([, ids]) => ids.length))
  if (Object.keys(terms).length) out.terms = terms
  return out
}

// Fields the form shows a message under; a message about anything else (base_modified_at, post_type) goes above it.
const SHOWN = new Set(['title', 'slug', 'status', 'excerpt', 'content', 'seo', 'terms'])
/** The form field a path is about (seo.title → seo, terms.category.0 → terms), else "form". */
export const formKey = (path: string) => (SHOWN.has(path.split('.')[0]!) ? path.split('.')[0]! : 'form')

/** First message per form field. */
export function issuesByField(issues: z.core.$ZodIssue[]): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const i of issues) errors[formKey(i.path.map(String).join('.'))] ??= i.message
  return errors
}

export const parseEdit = (b: Record<string, unknown>) => patchContentBody.safeParse(b) as z.ZodSafeParseResult<PatchContent>
export const parseCreate = (b: Record<string, unknown>) => createContentBody.safeParse(b) as z.ZodSafeParseResult<CreateContent>
