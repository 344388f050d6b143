// Paging through a WordPress REST collection by what WordPress announces (X-WP-TotalPages), not by when a page
// comes back short: plugins and caches can shorten any page, and a short page is not the end of the listing.
import { PullError } from './errors'
import type { WpClient } from './wp-rest'

export const PER_PAGE = 100 // WordPress's maximum

/**
 * Reads pages 1..X-WP-TotalPages (re-read from each answer, as posts come and go) until `limit` rows.
 * `complete()` tells afterwards whether every page was read and nothing was cut by the limit; even then rows can
 * be missing (offsets shift when WordPress deletes something mid-read), so a caller confirms absence before deleting.
 */
export function readPages<T>(client: WpClient, route: string, query: Record<string, string>, limit: number) {
  let complete = false
  async function* rows(): AsyncGenerator<T[]> {
    const perPage = Math.max(1, Math.min(PER_PAGE, limit))
    let fetched = 0
    let lastPage = 1
    for (let page = 1; page <= lastPage; page++) {
      if (fetched >= limit) return
      const answer = await pageOf(client, route, { ...query, per_page: perPage, page })
      if (!answer) break // past the last page: the listing shrank while it was read
      if (!Array.isArray(answer.data)) return
      const kept = (answer.data as T[]).slice(0, limit - fetched)
      fetched += kept.length
      if (kept.length) yield kept
      if (kept.length < answer.data.length) return
      // Without the header (a proxy stripping it), go on until an empty page.
      const announced = Number(answer.headers.get('x-wp-totalpages') ?? NaN)
      lastPage = Number.isSafeInteger(announced) ? announced : answer.data.length ? page + 1 : page
      // An empty page before the announced last one: something is off, so stop, and call the read incomplete.
      if (!answer.data.length && page < lastPage) return
    }
    complete = true
  }
  return { rows: rows(), complete: () => complete }
}

/** One page, or null when WordPress says the page is past the last one (400 rest_post_invalid_page_number and kin). */
async function pageOf(client: WpClient, route: string, query: Record<string, string | number>) {
  try {
    return await client.get<unknown>(route, query)
  } catch (e) {
    if (e instanceof PullError && /_invalid_page_number$/.test(e.wpCode ?? '') && Number(query.page) > 1) return null
    throw e
  }
}
