// JSON body parsing for the API: 415 for other media types, 413 over the route's limit, 400 for malformed JSON.
import { MalformedJson, PayloadTooLarge, UnsupportedMediaType } from './errors'

const MiB = 1024 * 1024
/** Per-route body limits; content batches carry up to 1,000 items. */
export const bodyLimitFor = (path: string): number => (/\/sync-(content|terms)\/?$/.test(path) ? 16 * MiB : 2 * MiB)
/** Bun's own transport limit must sit above every route's, so our 413 (in the envelope) is the one clients see. */
export const transportBodyLimit = 64 * MiB

const isJson = (contentType: string) => /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim())

/** Reads and parses a JSON request body, counting bytes as they arrive so a chunked body cannot exceed the limit. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? ''
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared === 0 || (!request.body && !contentType)) return {}
  if (!isJson(contentType)) throw new UnsupportedMediaType()
  if (declared > limit) throw new PayloadTooLarge(limit)
  // With a declared length the HTTP layer already bounds the body: read it natively in one go.
  if (declared > 0) return parseJson(await request.text())
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
  return parseJson(new TextDecoder().decode(Buffer.concat(chunks)))
}

function parseJson(text: string): unknown {
  if (text.length === 0) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new MalformedJson()
  }
}

/**
 * Route options for a JSON body: the zod schema validates it, and `parse: 'json'` tells the OpenAPI
 * generator the media type (the global parse hook above is what actually reads the body).
 */
export const jsonBody = <S>(schema: S) => ({ body: schema, parse: 'json' as const })
