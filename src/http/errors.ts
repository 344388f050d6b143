// The error classes services throw, and the one place that turns any error into the contract's envelope.
import type { Logger } from '../log'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: Record<string, string[]>,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export class Invalid extends HttpError {
  constructor(message: string, errors?: Record<string, string[]>) {
    super(400, 'invalid', message, errors)
  }
  /** A validation error about one field. */
  static field(path: string, message: string): Invalid {
    return new Invalid(message, { [path]: [message] })
  }
}
export class MalformedJson extends HttpError {
  constructor() {
    super(400, 'malformed_json', 'The request body is not valid JSON.')
  }
}
export class Unauthorized extends HttpError {
  constructor(message = 'Authentication credentials were not provided or are invalid.', code = 'not_authenticated') {
    super(401, code, message)
  }
}
export class Forbidden extends HttpError {
  constructor(message = 'You do not have permission to perform this action.', code = 'forbidden') {
    super(403, code, message)
  }
}
export class NotFound extends HttpError {
  constructor(what = 'Resource') {
    super(404, 'not_found', `${what} not found.`)
  }
}
export class Conflict extends HttpError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message)
  }
}
export class PayloadTooLarge extends HttpError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `The request body is larger than this route accepts (${limit} bytes).`)
  }
}
export class UnsupportedMediaType extends HttpError {
  constructor(message = 'Request bodies must be sent as Content-Type: application/json.') {
    super(415, 'unsupported_media_type', message)
  }
}
export class TooManyRequests extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, undefined, {
      'Retry-After': String(retryAfterSeconds),
    })
  }
}

export type ErrorEnvelope = { success: false; error: string; code: string; errors?: Record<string, string[]> }

type StandardIssue = { path?: readonly (PropertyKey | { key: PropertyKey })[]; message: string }

/** Groups Standard Schema (zod) issues by dotted field path: `post_types.page.count`. */
export function issuesToFieldErrors(issues: readonly StandardIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const issue of issues) {
    const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || 'non_field_errors'
    ;(out[path] ??= []).push(issue.message)
  }
  return out
}

/** Maps whatever was thrown (our errors, Elysia's own codes) to a status and envelope. */
export function toErrorResponse(
  code: string | number,
  error: unknown,
  log: Logger,
  requestId: string,
): { status: number; body: ErrorEnvelope; headers?: Record<string, string> } {
  // Elysia wraps whatever a parse hook throws in its own ParseError; ours rides along as the cause.
  const cause = (error as { cause?: unknown })?.cause
  if (code === 'PARSE' && cause instanceof HttpError) error = cause
  // Before PARSE below: the bearer check in the parse hook reads the database, and its failure is no client's fault.
  const lost = databaseConnectionError(error)
  if (lost) {
    log.warn('database unavailable', { request_id: requestId, code: lost })
    return { status: 503, body: { success: false, error: DB_UNAVAILABLE, code: 'db_unavailable' }, headers: { 'Retry-After': '5' } }
  }
  if (error instanceof HttpError) {
    const body: ErrorEnvelope = { success: false, error: error.message, code: error.code }
    if (error.errors) body.errors = error.errors
    return { status: error.status, body, headers: error.headers }
  }
  // An answer that fails its own response schema is our bug, not the client's: a 500 below, never a 400.
  if (code === 'VALIDATION' && (error as { type?: string }).type !== 'response') {
    const e = error as { validator?: any; value?: unknown; type?: string }
    const std = e.validator && ('~standard' in e.validator ? e.validator : e.validator.schema)?.['~standard']
    const issues: StandardIssue[] = std?.validate(e.value)?.issues ?? [{ message: 'Invalid input.' }]
    const errors = issuesToFieldErrors(issues)
    const first = Object.entries(errors)[0]!
    const where = e.type === 'query' ? 'query parameter' : 'field'
    return {
      status: 400,
      body: {
        success: false,
        error: first[0] === 'non_field_errors' ? first[1][0]! : `Invalid ${where} ${first[0]}: ${first[1][0]}`,
        code: 'invalid',
        errors,
      },
    }
  }
  if (code === 'NOT_FOUND') return { status: 404, body: { success: false, error: 'Not found.', code: 'not_found' } }
  if (code === 'PARSE') return { status: 400, body: { success: false, error: new MalformedJson().message, code: 'malformed_json' } }
  // Anything else is our bug: log it with the request id, answer without internals.
  const what = code === 'VALIDATION' ? 'ResponseValidation: an answer did not match its response schema' : describeSafely(error)
  log.error('unhandled error', { request_id: requestId, error: what })
  return { status: 500, body: { success: false, error: 'Internal server error.', code: 'internal_error' } }
}

export const DB_UNAVAILABLE = 'The database is unavailable; try again shortly.'

// postgres.js's own connection codes, and the server's "going away / not accepting" SQLSTATEs: the connection was
// lost or never made, which a retry a little later can fix. Class 08 is "connection exception".
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '53300', // too_many_connections
])

/**
 * The driver code when `error` (or what it wraps: Drizzle puts the driver's error in `cause`, Elysia a parse hook's)
 * says the database connection is gone or refused; null for anything else, including errors of a working database.
 */
export function databaseConnectionError(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code
  }
  return null
}

/** One line about an unexpected error with no stack, SQL or parameters (Drizzle puts the query and its params in the message). */
export function describeSafely(error: unknown): string {
  if (!(error instanceof Error)) return 'non-error thrown'
  const cause = (error as { cause?: unknown }).cause
  if (error.message.startsWith('Failed query')) return cause instanceof Error ? `${cause.name}: ${cause.message}` : 'database query failed'
  return `${error.name}: ${error.message.split('\n')[0]}`
}
