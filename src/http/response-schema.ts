// Zod shapes of the contract's envelopes, for routes' `response` option: the OpenAPI document shows what
// each route answers, and Elysia checks every answer against it before it goes out.
import { z } from 'zod'

/** `{"success": true, "data": …}` */
export const okSchema = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data })

/** The DRF-style list envelope: `{"success": true, "count", "next", "previous", "results": […]}`. */
export const listSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    success: z.literal(true),
    count: z.number().int().min(0),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  })

/** `{"success": false, "error", "code", "errors"?}`: what every refusal looks like. */
export const errorSchema = z.object({
  success: z.literal(false),
  error: z.string(),
  code: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
})

/** The same envelope under each status a route may refuse with, to document them next to its answer. */
export const errorResponses = <S extends number>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((s) => [s, errorSchema])) as Record<S, typeof errorSchema>
