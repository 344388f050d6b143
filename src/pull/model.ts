// Request shapes for pull credentials, the connection test and "pull now".
import { z } from 'zod'

/** The site's address as WordPress's Settings → General shows it; a pasted …/wp-json is trimmed back to the site. */
export const wpUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter the http(s) address of the WordPress site.' }))
  // zod 4 still runs refinements after a failed url check; only judge what parses.
  .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), 'Leave the user name and password out of the URL.')
  .transform((u) => {
    const url = new URL(u)
    return url.origin + url.pathname.replace(/\/+$/, '').replace(/\/wp-json$/, '')
  })

const username = z.string().trim().min(1, 'This field is required.').max(200)
// WordPress shows Application Passwords in groups of four with spaces; it accepts them with or without.
const appPassword = z.string().trim().min(1, 'This field is required.').max(200)

export const credentialsBody = z.object({
  wp_url: wpUrl,
  username,
  app_password: appPassword,
  /** Pull content too, not just structure, when the daily job pulls (absent: keep the saved choice). */
  include_content: z.boolean().optional(),
})
export type CredentialsInput = z.infer<typeof credentialsBody>

/** Empty: test the saved credentials. All three fields: test those before saving them. */
export const testConnectionBody = z
  .object({ wp_url: wpUrl.optional(), username: username.optional(), app_password: appPassword.optional() })
  .refine(
    (b) =>
      [b.wp_url, b.username, b.app_password].every((v) => v === undefined) ||
      [b.wp_url, b.username, b.app_password].every((v) => v !== undefined),
    {
      message: 'Send wp_url, username and app_password together, or none of them to test the saved credentials.',
    },
  )
export type TestConnectionInput = z.infer<typeof testConnectionBody>

/** `content` absent: pull content only if the credentials say include_content. */
export const pullBody = z.object({ content: z.boolean().optional() })
