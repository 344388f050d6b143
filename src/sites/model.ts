// Request shapes for /system/sites.
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
