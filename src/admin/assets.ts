// The admin's static files (stylesheet, behaviour script, vendored htmx), embedded in the executable
// and served under content-hashed URLs so browsers may cache them for a year.
import { createHash } from 'node:crypto'
import { Elysia } from 'elysia'
import base from '../../static/css/base.css' with { type: 'text' }
import components from '../../static/css/components.css' with { type: 'text' }
import forms from '../../static/css/forms.css' with { type: 'text' }
import lists from '../../static/css/lists.css' with { type: 'text' }
import contentTypes from '../../static/css/content-types.css' with { type: 'text' }
import pull from '../../static/css/pull.css' with { type: 'text' }
import contentList from '../../static/css/content-list.css' with { type: 'text' }
import changes from '../../static/css/changes.css' with { type: 'text' }
import phone from '../../static/css/phone.css' with { type: 'text' }
import js from '../../static/admin.js' with { type: 'text' }
// htmx 4.0.1, copied verbatim from node_modules/htmx.org/dist/htmx.min.js (pinned: 4.x changed inheritance and error swaps).
import htmx from '../../static/vendor/htmx-4.0.1.min.js' with { type: 'text' }

// Kept in small files to edit, sent as one stylesheet (one request, one cache entry); phone rules last so they win.
const css = [base, components, forms, lists, contentTypes, contentList, pull, changes, phone].join('\n')

type Asset = { name: string; ext: 'css' | 'js'; body: string; type: string }
const files: Asset[] = [
  { name: 'admin', ext: 'css', body: css, type: 'text/css; charset=utf-8' },
  { name: 'admin', ext: 'js', body: js, type: 'text/javascript; charset=utf-8' },
  { name: 'htmx-4.0.1', ext: 'js', body: htmx, type: 'text/javascript; charset=utf-8' },
]

const hashOf = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 12)
const byPath = new Map(files.map((f) => [`/static/${f.name}.${hashOf(f.body)}.${f.ext}`, f]))

/** Hashed URLs the layout links to: a changed file gets a new URL, so the long cache never serves a stale copy. */
export const assetUrls = Object.fromEntries([...byPath].map(([path, f]) => [`${f.name}.${f.ext}`, path])) as Record<
  'admin.css' | 'admin.js' | 'htmx-4.0.1.js',
  string
>

export function assetRoutes() {
  return new Elysia().get('/static/:file', ({ request, status }) => {
    const asset = byPath.get(new URL(request.url).pathname)
    // An old hash (after an upgrade) is a 404 rather than today's file under yesterday's immutable URL.
    if (!asset) return status(404, 'Not found.')
    return new Response(asset.body, {
      headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' },
    })
  })
}
