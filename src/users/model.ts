// Shapes of the users feature: what callers send to create one, and the public view of an account.
import { z } from 'zod'
import { email, newPassword } from '../auth/model'
import type { User } from '../db/schema'

export const newUserInput = z.object({
  email,
  name: z.string().trim().max(200).default(''),
  password: newPassword,
  isAdmin: z.boolean().default(false),
})
export type NewUser = z.input<typeof newUserInput>

/** An account as pages, the CLI and anyone outside this folder see it: never the password hash. */
export const publicUser = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  is_admin: z.boolean(),
  is_active: z.boolean(),
  created_at: z.string(),
})
export type PublicUser = z.infer<typeof publicUser>

export const toPublicUser = (u: User): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  is_admin: u.isAdmin,
  is_active: u.isActive,
  created_at: u.createdAt,
})
