// The contract's success and list envelopes, and page-number pagination.
import { z } from 'zod'

export const ok = <T>(data: T) => ({ success: true as const, data })

/**
 * The `ok` envelope as a Response, its JSON text made once per `data` object: for a hot read that answers the same
 * shared (frozen) object until its data changes. The text is checked against `schema`, the route's documented 200,
 * when it is made; Elysia checks only what is not a Response, and would serialize and check it on every request.
 */
export function okOnce<T extends object>(schema: z.ZodType) {
  const texts = new WeakMap<T, string>()
  return (data: T): Response => {
    let text = texts.get(data)
    if (text === undefined) texts.set(data, (text = JSON.stringify(schema.parse(ok(data)))))
    return new Response(text, { headers: { 'content-type': 'application/json;charset=utf-8' } })
  }
}

export const MAX_PAGE_SIZE = 200

export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  // Above the maximum is served as the maximum (DRF's max_page_size), never refused.
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .meta({ description: `Items per page; above ${MAX_PAGE_SIZE} it is served as ${MAX_PAGE_SIZE}.` })
    .default(50)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
}
export type Page = { page: number; page_size: number }

export const offsetOf = (p: Page) => (p.page - 1) * p.page_size

/** DRF-style list envelope; next/previous keep every other query parameter. */
export function listEnvelope<T>(requestUrl: string, baseUrl: string | undefined, p: Page, count: number, results: T[]) {
  const url = new URL(requestUrl)
  const base = baseUrl ? new URL(baseUrl.replace(/\/+$/, '') + url.pathname + url.search) : url
  const link = (page: number) => {
    const u = new URL(base)
    u.searchParams.set('page', String(page))
    u.searchParams.set('page_size', String(p.page_size))
    return u.toString()
  }
  return {
    success: true as const,
    count,
    next: offsetOf(p) + results.length < count ? link(p.page + 1) : null,
    previous: p.page > 1 ? link(Math.min(p.page - 1, Math.max(1, Math.ceil(count / p.page_size)))) : null,
    results,
  }
}
