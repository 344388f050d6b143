// First run: while no user exists, a one-time setup token (printed in the log at start-up) lets the
// person who can read the server's log create the first administrator in the browser.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { countUsers, createUser, OPERATOR } from '../users/service'
import type { PublicUser } from '../users/model'
import type { AppContext } from '../context'
import { HttpError, NotFound } from '../http/errors'

// Kept in memory only: a restart with still no user prints a fresh one.
const tokens = new WeakMap<AppContext, string>()

/** Generates and logs the token if the database has no user yet; called once as the app is built. */
export async function initSetupToken(ctx: AppContext): Promise<void> {
  if ((await countUsers(ctx.db)) > 0) return
  const token = randomBytes(18).toString('base64url')
  tokens.set(ctx, token)
  ctx.log.warn('first run: no user exists yet. Open /setup in a browser and enter this setup token (or run `igny8 user create`)', {
    setup_url: ctx.config.baseUrl ? `${ctx.config.baseUrl.replace(/\/+$/, '')}/setup` : '/setup',
    setup_token: token,
  })
}

/** The live token, or undefined once any user exists (the setup page then disappears). */
export async function setupToken(ctx: AppContext): Promise<string | undefined> {
  const token = tokens.get(ctx)
  if (token && (await countUsers(ctx.db)) > 0) tokens.delete(ctx)
  return tokens.get(ctx)
}

/** 404 when setup is over, so the page does not even admit it exists. */
export async function assertSetupOpen(ctx: AppContext): Promise<void> {
  if (!(await setupToken(ctx))) throw new NotFound('Page')
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Creates the first administrator if the token matches; the token is claimed before the slow hash so two racing posts cannot both succeed. */
export async function completeSetup(
  ctx: AppContext,
  presented: string,
  input: { email: string; name: string; password: string },
): Promise<PublicUser> {
  const token = await setupToken(ctx)
  if (!token) throw new NotFound('Page')
  if (!sameToken(token, presented.trim())) {
    const message = 'The setup token is not correct. Copy it from the server log.'
    throw new HttpError(403, 'bad_setup_token', message, { token: [message] })
  }
  tokens.delete(ctx)
  try {
    // The setup token proves the operator: it was printed in the server's log.
    return await createUser(ctx.db, OPERATOR, { ...input, isAdmin: true })
  } catch (e) {
    tokens.set(ctx, token)
    throw e
  }
}
