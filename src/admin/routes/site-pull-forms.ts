// The Pull tab's form schemas: credentials, the connection test and Sync now, as a browser posts them.
import { z } from 'zod'
import { credentialsBody, testConnectionBody, wpUrl } from '../../pull/model'

// Form posts: a checkbox is absent when unchecked; blank fields of the connection test mean "test the saved ones".
const checkbox = z
  .string()
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0')
// The pull model's wpUrl throws (not an issue: a 500) on text that is no URL at all; such text stops here first.
const formUrl = z
  .string()
  .trim()
  .min(1, { message: 'This field is required.', abort: true })
  .refine((u) => URL.canParse(u), { message: 'Enter the http(s) address of the WordPress site.', abort: true })
  .pipe(wpUrl)

export const credentialsForm = credentialsBody.extend({ wp_url: formUrl, include_content: checkbox })
export const testForm = testConnectionBody.safeExtend({ wp_url: formUrl.optional() })
export const syncForm = z.object({ content: checkbox })
export const withoutBlanks = (body: unknown) =>
  Object.fromEntries(Object.entries((body as Record<string, unknown>) ?? {}).filter(([, v]) => v !== ''))
