// Request bodies: JSON for the API (415 for other media types, 413 over the route's limit, 400 for malformed
// JSON) and urlencoded forms for the admin (a small limit, 413 over it).
import { parseQuery } from 'elysia/parse-query'
import { Invalid, MalformedJson, PayloadTooLarge, UnsupportedMediaType } from './errors'

const MiB = 1024 * 1024
/** Per-route body limits; content batches carry up to 1,000 items, sync-content with their bodies (contract: 32 MB). */
export const bodyLimitFor = (path: string): number =>
  /\/sync-content\/?$/.test(path) ? 32 * MiB : /\/sync-terms\/?$/.test(path) || PUSHBACK_BODY.test(path) ? 16 * MiB : 2 * MiB
// Push-back edits, drafts and results carry one post body (≤ 2,000,000 characters, up to 4 bytes each in UTF-8).
const PUSHBACK_BODY = /\/integrations\/\d+\/(content(\/\d+)?|changes\/\d+\/result)\/?$/
/** Admin pages post small urlencoded forms; nothing they send comes near this. */
export const ADMIN_FORM_LIMIT = 64 * 1024
/** Bun's own transport limit must sit above every route's, so our 413 (in the envelope) is the one clients see. */
export const transportBodyLimit = 64 * MiB

const isJson = (contentType: string) => /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim())

/** Reads and parses a JSON request body, counting bytes as they arrive so a chunked body cannot exceed the limit. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? ''
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared === 0 || (!request.body && !contentType)) return {}
  if (!isJson(contentType)) throw new UnsupportedMediaType()
  return parseJson(await readLimitedText(request, limit))
}

const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i

/**
 * Reads an admin form post (urlencoded, as browsers and htmx send it) within `limit` bytes, parsed the way
 * Elysia's own urlencoded parser does. Anything else is refused: the admin takes no JSON or uploads.
 */
export async function readFormBody(request: Request, limit: number): Promise<Record<string, string | string[]> | undefined> {
  const contentType = request.headers.get('content-type') ?? ''
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared === 0 || (!request.body && !contentType)) return undefined
  if (!FORM_TYPE.test(contentType.trim()))
    throw new UnsupportedMediaType('Admin forms must be sent as Content-Type: application/x-www-form-urlencoded.')
  const form = parseQuery(await readLimitedText(request, limit))
  const nul = pathOfNul(form)
  if (nul !== null) throw Invalid.field(nul, NUL_MESSAGE)
  return form
}

/** The body as text, refusing more than `limit` bytes whether the length is declared or the body comes chunked. */
async function readLimitedText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > limit) throw new PayloadTooLarge(limit)
  // With a declared length the HTTP layer already bounds the body: read it natively in one go.
  if (declared > 0) return request.text()
  const chunks: Uint8Array[] = []
  let size = 0
  if (request.body) {
    const reader = request.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        reader.cancel().catch(() => {})
        throw new PayloadTooLarge(limit)
      }
      chunks.push(value)
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

/** No request the contract defines nests past a handful of levels; past this, validators recurse until the stack or heap gives out (500). */
export const MAX_JSON_DEPTH = 64

function parseJson(text: string): unknown {
  if (text.length === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MalformedJson()
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH))
    throw new Invalid(`The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep.`)
  // PostgreSQL's text cannot hold U+0000, so no engine takes it (the same answer on both). JSON can only carry it
  // escaped, so bodies without that escape (all but hostile ones) skip the walk.
  const nul = text.includes('\\u0000') ? pathOfNul(value) : null
  if (nul !== null) throw Invalid.field(nul || 'non_field_errors', NUL_MESSAGE)
  return value
}

export const NUL_MESSAGE = 'Must not contain a NUL character.'

/** The dotted path ("items.1.title") of the first string or key holding U+0000, or null when there is none. */
export function pathOfNul(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']]
  while (stack.length) {
    const [node, path] = stack.pop()!
    if (typeof node === 'string') {
      if (node.includes('\0')) return path
      continue
    }
    if (node === null || typeof node !== 'object') continue
    for (const [key, child] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key
      if (key.includes('\0')) return at
      stack.push([child, at])
    }
  }
  return null
}

/** Walks the parsed value without recursion (so the check itself cannot overflow), stopping at the first node too deep. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(node) ? node : Object.values(node))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/**
 * Route options for a JSON body: the zod schema validates it, and `parse: 'json'` tells the OpenAPI
 * generator the media type (the global parse hook above is what actually reads the body).
 */
export const jsonBody = <S>(schema: S) => ({ body: schema, parse: 'json' as const })
