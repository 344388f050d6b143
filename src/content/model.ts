// Request shapes for content and term batches, and the listing queries.
import { z } from 'zod'
import { pageQuery } from '../http/envelope'
import { rfc3339, slugRecord, typeSlug } from '../integrations/model'

export const MAX_BATCH = 1000
const wpId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
/** Text up to `max` characters. Never U+0000: PostgreSQL's text cannot hold it, so neither engine takes it. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), 'Must not contain a NUL character.')
/** A text field where "" means the same as null: cleared. */
const clearable = <T extends z.ZodType<string>>(schema: T) => z.preprocess((v) => (v === '' ? null : v), schema.nullable()).optional()

const item = z.object({
  external_id: wpId,
  post_type: typeSlug,
  title: text(1000).default(''),
  slug: text(400).default(''),
  status: text(40).default('publish'),
  url: text(2000).default(''),
  modified_at: rfc3339.nullable().default(null),
  terms: slugRecord(
    z
      .array(wpId)
      .max(MAX_BATCH)
      .transform((ids) => [...new Set(ids)]),
  ).default({}),
  seo: z
    .object({ title: text(1000).nullable().optional(), description: text(5000).nullable().optional() })
    .nullable()
    .optional(),
  // Contract "Content bodies": absent keeps what is stored, null or "" clears it (read as null from here on).
  // Kept last, so an item without them serialises (and fingerprints) exactly as before they existed.
  content: clearable(text(2_000_000)),
  excerpt: clearable(text(10_000)),
  published_at: clearable(rfc3339),
  author: z
    .object({ id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), name: text(400) })
    .nullable()
    .optional(),
})
export type ItemInput = z.infer<typeof item>
/** The item fields that an absent key leaves as stored (every other field is replaced by each batch). */
export const KEPT_WHEN_ABSENT = ['content', 'excerpt', 'published_at', 'author'] as const

/** Names the first repeat of a key within a batch, so one batch cannot say two things about one row. */
const noDuplicates =
  <T>(key: (x: T) => string | number, field: string) =>
  (list: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string | number>()
    list.forEach((x, i) => {
      const k = key(x)
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, field], message: 'Appears twice in this batch.' })
      seen.add(k)
    })
  }

/**
 * A batch names what it carries: `{}` (also what a POST without a body reads as) is never an empty
 * batch (contract). Checked before the defaults fill in the missing list.
 */
const namesWhatItSends = <L extends string>(list: L) =>
  [
    (b: Partial<Record<L | 'deleted', unknown>>) => b[list] !== undefined || b.deleted !== undefined,
    { message: `Send ${list}, deleted, or both.` },
  ] as const

export const syncContentBody = z
  .object({
    items: z
      .array(item)
      .max(MAX_BATCH, `At most ${MAX_BATCH} items per request.`)
      .superRefine(noDuplicates((i) => i.external_id, 'external_id'))
      .optional(),
    deleted: z.array(wpId).max(MAX_BATCH, `At most ${MAX_BATCH} ids per request.`).optional(),
  })
  .refine(...namesWhatItSends('items'))
  .transform((b) => ({ items: b.items ?? [], deleted: b.deleted ?? [] }))
export type SyncContent = z.output<typeof syncContentBody>

const term = z.object({
  external_id: wpId,
  taxonomy: typeSlug,
  name: text(400).default(''),
  slug: text(400).default(''),
  parent: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  description: text(10_000).default(''),
})
export type TermInput = z.infer<typeof term>

export const syncTermsBody = z
  .object({
    terms: z
      .array(term)
      .max(MAX_BATCH, `At most ${MAX_BATCH} terms per request.`)
      .superRefine(noDuplicates((t) => `${t.taxonomy}:${t.external_id}`, 'external_id'))
      .optional(),
    deleted: z
      .array(z.object({ taxonomy: typeSlug, external_id: wpId }))
      .max(MAX_BATCH, `At most ${MAX_BATCH} per request.`)
      .optional(),
  })
  .refine(...namesWhatItSends('terms'))
  .transform((b) => ({ terms: b.terms ?? [], deleted: b.deleted ?? [] }))
export type SyncTerms = z.output<typeof syncTermsBody>

export const contentQuery = z.object({
  ...pageQuery,
  post_type: typeSlug.optional(),
  status: text(40).optional(),
  search: text(200).optional(),
})
export const termsQuery = z.object({ ...pageQuery, taxonomy: typeSlug.optional() })

// Answers, for the routes' `response` option (documented in the OpenAPI document and checked by Elysia).
const count = z.number().int().min(0)
export const batchResultSchema = z.object({
  created: count,
  updated: count,
  unchanged: count,
  deleted: count,
  skipped: z.array(z.object({ external_id: z.number().int(), reason: z.string() })),
})
export const contentItemSchema = z.object({
  external_id: z.number().int(),
  post_type: z.string(),
  title: z.string(),
  slug: z.string(),
  status: z.string(),
  url: z.string(),
  modified_at: z.string().nullable().meta({ description: 'Exactly as the plugin sent it.' }),
  terms: z.record(z.string(), z.array(z.number().int())),
  seo: z.object({ title: z.string().nullable(), description: z.string().nullable() }),
  created_at: z.string(),
  updated_at: z.string(),
})
export const contentItemDetailSchema = contentItemSchema.extend({
  content: z.string().nullable().meta({ description: 'The raw post_content (block markup); null when never sent or cleared.' }),
  excerpt: z.string().nullable(),
  published_at: z.string().nullable().meta({ description: 'post_date_gmt, exactly as sent.' }),
  author: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  pending_change: z.number().int().nullable().meta({ description: 'The open (pending, delivering or conflict) change of this post.' }),
})
export const itemParams = z.object({ id: z.coerce.number().int().positive(), external_id: z.coerce.number().int().positive() })
export const termSchema = z.object({
  external_id: z.number().int(),
  taxonomy: z.string(),
  name: z.string(),
  slug: z.string(),
  parent: z.number().int().meta({ description: "The parent's WordPress id; 0 = top level." }),
  description: z.string(),
  depth: count,
  created_at: z.string(),
  updated_at: z.string(),
})
