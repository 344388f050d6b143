// The igny8 command line: serve (default), user create, cron run-now, backup, db copy, --help, --version.
import { parseArgs } from 'node:util'
import { fail } from './commands/shared'
import { ConfigError, options, resolveConfig, type Config } from './config'
import { VERSION } from './version'

const HELP = `igny8 ${VERSION} — self-hosted backend for the IGNY8 WordPress plugin

Usage:
  igny8 [serve] [--host H] [--port P] [--data-dir D] [options]
  igny8 user create --email E [--name N] [--admin] [--data-dir D]   password as below
  igny8 user set-password --email E [--admin] [--data-dir D]         account recovery; password as below
  igny8 user list [--data-dir D]
  igny8 cron run-now [--data-dir D]
  igny8 backup FILE [--data-dir D]
  igny8 db copy --to postgres://… [--data-dir D]   copy this SQLite install into an empty PostgreSQL
                                                  database (a snapshot: stop the server on it first)
  igny8 health [--host H] [--port P]      ask a running server for /api/v1/health/
  igny8 --help | --version

Passwords for user create / set-password: --password P works, but every local user can read a command
line (ps), so prefer IGNY8_PASSWORD=P in the environment, or one line on standard input when --password
is absent and standard input is not a terminal:  printf '%s\\n' "$PW" | igny8 user create --email E

Options (each also as an environment variable):
${Object.values(options)
  .map((o) => `  --${o.flag.padEnd(26)} ${o.env.padEnd(30)} ${o.help}`)
  .join('\n')}
`

const configFlags = Object.fromEntries(
  Object.values(options).map((o) => [o.flag, { type: 'bool' in o ? ('boolean' as const) : ('string' as const) }]),
)

/** Runs one command and returns the process exit code; `serve` resolves only when the server stops. */
export async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...configFlags,
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        email: { type: 'string' },
        password: { type: 'string' },
        name: { type: 'string' },
        admin: { type: 'boolean' },
        to: { type: 'string' },
      },
    })
  } catch (e) {
    return fail(`${(e as Error).message.split('\n')[0]} (see igny8 --help)`)
  }
  const { values, positionals } = parsed
  if (values.help) return print(HELP)
  if (values.version) return print(VERSION)
  const command = positionals.join(' ') || 'serve'
  let config: Config
  try {
    config = resolveConfig(values)
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message)
    throw e
  }
  // `return await`, so a ConfigError a command throws (e.g. MigrationError at start-up) is caught here.
  try {
    if (command === 'serve') return await (await import('./serve')).serve(config)
    if (command === 'user create') return await (await import('./commands/user-create')).userCreate(config, values)
    if (command === 'health') return await (await import('./commands/health')).health(config)
    if (command === 'user set-password') return await (await import('./commands/user-admin')).userSetPassword(config, values)
    if (command === 'user list') return await (await import('./commands/user-admin')).userList(config)
    if (command === 'cron run-now') return await (await import('./commands/cron-run-now')).cronRunNow(config)
    if (command === 'db copy') return await (await import('./commands/db-copy')).dbCopy(config, values.to)
    if (positionals[0] === 'backup' && positionals.length === 2)
      return await (await import('./commands/backup')).backup(config, positionals[1]!)
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message)
    throw e
  }
  return fail(`unknown command "${command}" (see igny8 --help)`)
}

function print(text: string): number {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  return 0
}
