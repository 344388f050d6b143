// Request shapes for content and term batches, and the listing queries.
import { z } from 'zod'
import { pageQuery } from '../http/envelope'
import { rfc3339, slugRecord, typeSlug } from '../integrations/model'

export const MAX_BATCH = 1000
const wpId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

const item = z.object({
  external_id: wpId,
  post_type: typeSlug,
  title: z.string().max(1000).default(''),
  slug: z.string().max(400).default(''),
  status: z.string().max(40).default('publish'),
  url: z.string().max(2000).default(''),
  modified_at: rfc3339.nullable().default(null),
  terms: slugRecord(
    z
      .array(wpId)
      .max(MAX_BATCH)
      .transform((ids) => [...new Set(ids)]),
  ).default({}),
  seo: z
    .object({ title: z.string().max(1000).nullable().optional(), description: z.string().max(5000).nullable().optional() })
    .nullable()
    .optional(),
})
export type ItemInput = z.infer<typeof item>

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

export const syncContentBody = z.object({
  items: z
    .array(item)
    .max(MAX_BATCH, `At most ${MAX_BATCH} items per request.`)
    .superRefine(noDuplicates((i) => i.external_id, 'external_id'))
    .default([]),
  deleted: z.array(wpId).max(MAX_BATCH, `At most ${MAX_BATCH} ids per request.`).default([]),
})
export type SyncContent = z.infer<typeof syncContentBody>

const term = z.object({
  external_id: wpId,
  taxonomy: typeSlug,
  name: z.string().max(400).default(''),
  slug: z.string().max(400).default(''),
  parent: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  description: z.string().max(10_000).default(''),
})
export type TermInput = z.infer<typeof term>

export const syncTermsBody = z.object({
  terms: z
    .array(term)
    .max(MAX_BATCH, `At most ${MAX_BATCH} terms per request.`)
    .superRefine(noDuplicates((t) => `${t.taxonomy}:${t.external_id}`, 'external_id'))
    .default([]),
  deleted: z
    .array(z.object({ taxonomy: typeSlug, external_id: wpId }))
    .max(MAX_BATCH, `At most ${MAX_BATCH} per request.`)
    .default([]),
})
export type SyncTerms = z.infer<typeof syncTermsBody>

export const contentQuery = z.object({
  ...pageQuery,
  post_type: typeSlug.optional(),
  status: z.string().max(40).optional(),
  search: z.string().max(200).optional(),
})
export const termsQuery = z.object({ ...pageQuery, taxonomy: typeSlug.optional() })
