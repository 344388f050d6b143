// Request and answer shapes of push-back (contract "Push-back: IGNY8 → WordPress"): edits, drafts, resolutions,
// the plugin's results and its nudge endpoint.
import { z } from 'zod'
import { CHANGE_STATES } from '../db/schema/changes'
import { pageQuery } from '../http/envelope'
import { rfc3339, slugRecord, typeSlug } from '../integrations/model'

const wpId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
export const POST_STATUSES = ['publish', 'draft', 'pending', 'private'] as const

/** Each editable field on its own, so a resolution's `{"value": …}` is checked by the same rule as an edit. */
export const fieldSchemas = {
  title: z.string().max(1000),
  slug: z.string().max(400),
  status: z.enum(POST_STATUSES, { error: `Must be one of ${POST_STATUSES.join(', ')}.` }),
  content: z.string().max(2_000_000),
  excerpt: z.string().max(10_000),
  terms: slugRecord(
    z
      .array(wpId)
      .max(1000)
      .transform((ids) => [...new Set(ids)]),
  ),
  seo: z
    .object({ title: z.string().max(1000).nullable().optional(), description: z.string().max(5000).nullable().optional() })
    .strict()
    .refine((s) => s.title !== undefined || s.description !== undefined, 'Send title, description, or both.'),
}
export type EditFields = { [K in keyof typeof fieldSchemas]?: z.output<(typeof fieldSchemas)[K]> }

export const patchContentBody = z
  .object({ ...mapOptional(fieldSchemas), base_modified_at: rfc3339.optional() })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'base_modified_at'), {
    message: 'Send at least one of title, slug, status, content, excerpt, terms, seo.',
  })
export type PatchContent = z.output<typeof patchContentBody>

export const createContentBody = z
  .object({ ...mapOptional(fieldSchemas), post_type: typeSlug, title: fieldSchemas.title, status: fieldSchemas.status.default('draft') })
  .strict()
export type CreateContent = z.output<typeof createContentBody>

const choice = z.union([z.enum(['igny8', 'wordpress']), z.object({ value: z.unknown() }).strict()], {
  error: 'Choose "igny8", "wordpress" or {"value": …}.',
})
export type Choice = z.output<typeof choice>
export const resolveBody = z.object({ fields: z.record(z.string(), choice) }).strict()
export type ResolveInput = z.output<typeof resolveBody>

// The item is checked by sync-content's own schema (in the service), so both routes accept exactly the same item.
export const resultBody = z.discriminatedUnion('status', [
  z.object({ status: z.literal('applied'), external_id: wpId, item: z.record(z.string(), z.unknown()) }),
  z.object({ status: z.literal('conflict'), item: z.record(z.string(), z.unknown()) }),
  z.object({ status: z.literal('failed'), error: z.string().min(1).max(2000), retry: z.boolean() }),
])
export type ResultInput = z.output<typeof resultBody>

export const endpointBody = z.object({
  url: z
    .string()
    .trim()
    .max(2000)
    .pipe(z.url({ protocol: /^https?$/, error: 'Enter the http(s) URL of the plugin’s nudge endpoint.' })),
})

export const changesQuery = z.object({ ...pageQuery, state: z.enum(CHANGE_STATES).optional() })
export const changeParams = z.object({ id: z.coerce.number().int().positive(), cid: z.coerce.number().int().positive() })
export const itemParams = z.object({ id: z.coerce.number().int().positive(), external_id: z.coerce.number().int().positive() })

// Answers.
export const changeSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['create', 'update']),
  external_id: z.number().int().nullable(),
  post_type: z.string(),
  fields: z.record(z.string(), z.unknown()),
  base_modified_at: z.string().nullable(),
  state: z.enum(CHANGE_STATES),
  delivery: z.enum(['plugin', 'rest']).nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
  conflict: z
    .object({ fields: z.record(z.string(), z.object({ base: z.unknown(), igny8: z.unknown(), wordpress: z.unknown() })) })
    .nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  applied_at: z.string().nullable(),
})
export const endpointSchema = z.object({ url: z.string(), secret: z.string() })

function mapOptional<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, s.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> }
}
