// Request shapes for /integration/integrations, including the plugin's structure push.
import { z } from 'zod'
import { pageQuery } from '../http/envelope'

export const typeSlug = z.string().regex(/^[a-z0-9_-]{1,32}$/, 'Must be 1–32 characters of a–z, 0–9, _ or -.')

export const MAX_TYPES = 500

/**
 * z.record keyed by slug that refuses a `__proto__` key: zod silently drops it, which would
 * answer 200 while storing less than was sent.
 */
export const slugRecord = <V extends z.ZodType>(value: V) =>
  z.preprocess(
    (input, ctx) => {
      if (input && typeof input === 'object' && Object.hasOwn(input, '__proto__')) {
        ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'This name is reserved.', input })
      }
      return input
    },
    z.record(typeSlug, value),
  )

const structureEntry = z.object({
  label: z.string().min(1).max(200).optional(),
  count: z.number().int().min(0),
  enabled: z.boolean().default(true),
  fetch_limit: z.number().int().min(0).max(1_000_000).default(100),
})
const typeMap = slugRecord(structureEntry).refine((m) => Object.keys(m).length <= MAX_TYPES, `At most ${MAX_TYPES} entries.`)

export const rfc3339 = z.iso.datetime({ offset: true, error: 'Must be an RFC 3339 date-time with offset, e.g. 2025-11-22T10:00:00Z.' })

export const updateStructureBody = z
  .object({
    post_types: typeMap.optional(),
    taxonomies: typeMap.optional(),
    plugin_connection_enabled: z.boolean().optional(),
    two_way_sync_enabled: z.boolean().optional(),
    timestamp: rfc3339.optional(),
    site_url: z.string().max(2000).optional(),
    wordpress_version: z.string().max(50).optional(),
  })
  .refine((b) => b.post_types !== undefined || b.taxonomies !== undefined, {
    message: 'Send post_types, taxonomies, or both.',
  })
export type StructurePush = z.infer<typeof updateStructureBody>

const overrideEntry = z.object({
  enabled: z.boolean().nullable().optional(),
  fetch_limit: z.number().int().min(0).max(1_000_000).nullable().optional(),
})
export const patchContentTypesBody = z
  .object({ post_types: slugRecord(overrideEntry).optional(), taxonomies: slugRecord(overrideEntry).optional() })
  .refine((b) => b.post_types !== undefined || b.taxonomies !== undefined, { message: 'Send post_types, taxonomies, or both.' })
export type ContentTypeOverridesPatch = z.infer<typeof patchContentTypesBody>

export const platform = z.string().regex(/^[a-z0-9_-]{1,32}$/, 'Must be 1–32 characters of a–z, 0–9, _ or -.')
const configObject = z.record(z.string(), z.unknown())

export const createIntegrationBody = z.object({
  site: z.number().int().positive(),
  platform: platform.default('wordpress'),
  is_active: z.boolean().default(true),
  config_json: configObject.default({}),
})
export const updateIntegrationBody = z
  .object({ is_active: z.boolean().optional(), config_json: configObject.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send is_active, config_json, or both.')

export const listIntegrationsQuery = z.object({
  ...pageQuery,
  site: z.coerce.number().int().positive().optional(),
  platform: platform.optional(),
})
