// Shapes of the admin's form posts (application/x-www-form-urlencoded: every value arrives as a string).
import { z } from 'zod'
import { email, newPassword } from '../auth/model'
import { HttpError } from '../http/errors'
import { createSiteBody } from '../sites/model'
import { typeSlug } from '../integrations/model'
import { changesQuery } from '../changes/model'

const required = z.string().trim().min(1, 'This field is required.')
const checkbox = z
  .string()
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0')

const confirmed = <T extends { password: string; confirm: string }>(o: T, ctx: z.RefinementCtx) => {
  if (o.password !== o.confirm) ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The two passwords do not match.' })
}

export const setupForm = z
  .object({ token: required, name: z.string().trim().max(200).default(''), email, password: newPassword, confirm: z.string() })
  .superRefine(confirmed)
export const loginForm = z.object({ email, password: z.string().min(1, 'This field is required.').max(1024) })
export const passwordForm = z
  .object({ current: z.string().min(1, 'This field is required.'), password: newPassword, confirm: z.string() })
  .superRefine(confirmed)
export const newUserForm = z.object({ email, name: z.string().trim().max(200).default(''), password: newPassword, is_admin: checkbox })
export const resetPasswordForm = z.object({ password: newPassword })
export const siteForm = createSiteBody
export const flagForm = z.object({ value: z.enum(['on', 'off']) })

/** A content-type card: the checkbox is absent when unchecked; "reset" drops both overrides. */
export const typeCardForm = z.object({
  enabled: checkbox,
  fetch_limit: z.coerce
    .number({ error: 'Enter a whole number.' })
    .int('Enter a whole number.')
    .min(0, 'At least 0.')
    .max(1_000_000, 'At most 1,000,000.'),
  reset: checkbox,
})

export const idParam = z.object({ id: z.coerce.number().int().positive() })
export const typeParams = z.object({
  id: z.coerce.number().int().positive(),
  kind: z.enum(['post_types', 'taxonomies']),
  slug: typeSlug,
})
export const slugParams = typeParams.omit({ kind: true })
export const keyParams = z.object({ id: z.coerce.number().int().positive(), keyId: z.coerce.number().int().positive() })
// Query strings come from links people bookmark and edit: a bad value falls back instead of answering 400.
const pageNumber = z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1)
export const pageQuery = z.object({ page: pageNumber, m: z.string().max(40).optional() })
/** A synced-items list: free-text search over title and slug, one status, a page. Empty means "any". */
export const listQuery = z.object({
  page: pageNumber,
  search: z.string().trim().max(200).catch('').default(''),
  status: z.string().trim().max(40).catch('').default(''),
})
export type ListQuery = z.output<typeof listQuery>

export type FormErrors = Record<string, string>
export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FormErrors; values: Record<string, string> }

/** Validates a form body; on failure answers the first message per field and the raw values to refill the form (never passwords). */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values: Record<string, string> = {}
  for (const [k, v] of Object.entries((body as Record<string, unknown>) ?? {})) {
    if (typeof v === 'string' && !/password|confirm|current|token|_csrf/.test(k)) values[k] = v
  }
  const parsed = schema.safeParse(body ?? {})
  if (parsed.success) return { ok: true, data: parsed.data }
  const errors: FormErrors = {}
  for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message
  return { ok: false, errors, values }
}

/** A service's refusal (wrong password, taken email, rate limit) as messages for the form; anything else is rethrown. */
export function formFailure(e: unknown): { status: number; errors: FormErrors; headers?: Record<string, string> } {
  if (!(e instanceof HttpError) || e.status >= 500) throw e
  const errors: FormErrors = {}
  for (const [path, messages] of Object.entries(e.errors ?? {})) errors[path] = messages[0] ?? e.message
  if (!Object.keys(errors).length) errors.form = e.message
  // A form that failed validation is re-rendered as 422, which the layout lets htmx swap in place.
  return { status: e.status === 400 ? 422 : e.status, errors, headers: e.headers }
}

// Push-back pages: the Changes tab's state filter, one change, one post.
export const changesListQuery = z.object({
  page: pageNumber,
  state: changesQuery.shape.state.unwrap().or(z.literal('')).catch('').default(''),
})
export const changeParams = z.object({ id: z.coerce.number().int().positive(), cid: z.coerce.number().int().positive() })
export const postParams = z.object({ id: z.coerce.number().int().positive(), external_id: z.coerce.number().int().positive() })
