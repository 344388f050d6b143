// Request shapes for /auth.
import { z } from 'zod'

export const email = z.string().trim().toLowerCase().pipe(z.email('Enter a valid email address.').max(254))

export const loginBody = z.object({
  email,
  password: z.string().min(1, 'This field is required.').max(1024),
})
export const refreshBody = z.object({ refresh: z.string().min(1, 'This field is required.').max(512) })

export const newPassword = z.string().min(10, 'Use at least 10 characters.').max(1024)
