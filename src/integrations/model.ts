// Request shapes for /integration/integrations, including the plugin's structure push.
import { z } from 'zod'
import { pageQuery } from '../http/envelope'
import { CONFLICT_POLICIES, SERVER_OWNED_KEYS } from './config'

/** A WordPress post type or taxonomy slug (contract), and the same rule for platform names. The one copy of it. */
export const SLUG_PATTERN = /^[a-z0-9_-]{1,32}$/
export const typeSlug = z.string().regex(SLUG_PATTERN, 'Must be 1–32 characters of a–z, 0–9, _ or -.')

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

export const platform = typeSlug
/**
 * config_json as a user may send it: free-form keys of their own, `conflict_policy` validated, and
 * never a key the server owns (the structure, the overrides, the plugin's flags), which have their own
 * validated routes. A null value removes a key on PATCH.
 */
const configObject = z.looseObject({ conflict_policy: z.enum(CONFLICT_POLICIES).nullable().optional() }).superRefine((config, ctx) => {
  for (const key of SERVER_OWNED_KEYS) {
    if (Object.hasOwn(config, key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'This key is set by the server and cannot be changed here.', input: config })
    }
  }
})

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

// Answers, for the routes' `response` option (documented in the OpenAPI document and checked by Elysia).
const count = z.number().int().min(0)
export const integrationSchema = z.object({
  id: z.number().int(),
  site: z.number().int(),
  platform: z.string(),
  is_active: z.boolean(),
  config_json: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
})
export const structurePushedSchema = z.object({
  message: z.string(),
  post_types_count: count,
  taxonomies_count: count,
  last_structure_fetch: z.string(),
})
const contentTypeSchema = z.object({
  label: z.string(),
  count,
  synced_count: count,
  enabled: z.boolean(),
  fetch_limit: count,
  overridden: z.boolean().meta({ description: 'An admin override applies to enabled or fetch_limit.' }),
})
export const contentTypesSchema = z.object({
  post_types: z.record(z.string(), contentTypeSchema),
  taxonomies: z.record(z.string(), contentTypeSchema),
  last_structure_fetch: z.string().nullable(),
  plugin_connection_enabled: z.boolean(),
  two_way_sync_enabled: z.boolean(),
  stale: z.boolean().meta({ description: 'The last structure push or pull was received more than 26 h ago (server clock).' }),
  site_url: z.string().nullable(),
  wordpress_version: z.string().nullable(),
})
