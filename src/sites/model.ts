// Request and answer shapes for /system/sites.
import { z } from 'zod'
import { pageQuery } from '../http/envelope'

const siteUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter a valid http(s) URL.' }))

export const siteName = z.string().trim().min(1, 'This field is required.').max(200)

export const createSiteBody = z.object({ name: siteName, url: siteUrl })
export const updateSiteBody = z
  .object({ name: siteName.optional(), url: siteUrl.optional(), is_active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one of name, url, is_active.')
export const createApiKeyBody = z.object({ name: z.string().trim().max(100).optional() })

export const idParams = z.object({ id: z.coerce.number().int().positive() })
export const keyParams = z.object({ id: z.coerce.number().int().positive(), keyId: z.coerce.number().int().positive() })
export const listQuery = z.object(pageQuery)

export type CreateSite = z.infer<typeof createSiteBody>
export type UpdateSite = z.infer<typeof updateSiteBody>

// What the routes answer (the wire shapes of ./serialize).
const timestamp = z.string()
export const siteSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  is_active: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
})
export const apiKeySchema = z.object({
  id: z.number().int(),
  prefix: z.string(),
  name: z.string(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
})
/** A key just made: the only answer that carries the key itself. */
export const newApiKeySchema = z.object({
  id: z.number().int(),
  key: z.string(),
  prefix: z.string(),
  name: z.string(),
  created_at: timestamp,
})
