// An `html` tagged template that escapes every interpolation unless wrapped in raw(), and the one HTML response helper.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value
  }
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

/** Marks trusted markup (our own templates) as not to be escaped. Never pass user or WordPress data. */
export const raw = (s: string) => new Html(s)

/** Like JSX: booleans, null and undefined render as nothing, so `${cond && html`…`}` never prints "true" or "false". */
function render(value: unknown): string {
  if (value instanceof Html) return value.value
  if (value === null || value === undefined || typeof value === 'boolean') return ''
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!
  return new Html(out)
}

/** Sends HTML with the right type; fragments vary on HX-Request so caches keep page and fragment apart. */
export function htmlResponse(body: Html, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(body.value, {
    status: init.status ?? 200,
    headers: { 'content-type': 'text/html; charset=utf-8', vary: 'HX-Request', 'cache-control': 'no-store', ...init.headers },
  })
}
