// The igny8 command line: serve (default), user create, cron run-now, backup, --help, --version.
import { parseArgs } from 'node:util'
import { ConfigError, options, resolveConfig, type Config } from './config'
import { VERSION } from './version'

const HELP = `igny8 ${VERSION} — self-hosted backend for the IGNY8 WordPress plugin

Usage:
  igny8 [serve] [--host H] [--port P] [--data-dir D] [options]
  igny8 user create --email E --password P [--name N] [--admin] [--data-dir D]
  igny8 user set-password --email E --password P [--admin] [--data-dir D]   account recovery
  igny8 user list [--data-dir D]
  igny8 cron run-now [--data-dir D]
  igny8 backup FILE [--data-dir D]
  igny8 health [--host H] [--port P]      ask a running server for /api/v1/health/
  igny8 --help | --version

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
  try {
    if (command === 'serve') return (await import('./serve')).serve(config)
    if (command === 'user create') return (await import('./commands/user-create')).userCreate(config, values)
    if (command === 'health') return (await import('./commands/health')).health(config)
    if (command === 'user set-password') return (await import('./commands/user-admin')).userSetPassword(config, values)
    if (command === 'user list') return (await import('./commands/user-admin')).userList(config)
    if (command === 'cron run-now') return (await import('./commands/cron-run-now')).cronRunNow(config)
    if (positionals[0] === 'backup' && positionals.length === 2) return (await import('./commands/backup')).backup(config, positionals[1]!)
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
export function fail(message: string): number {
  process.stderr.write(`igny8: ${message}\n`)
  return 2
}
