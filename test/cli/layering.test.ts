// How the command line and the users feature are put together: commands share one helper module (no
// src/cli.ts ↔ src/commands/ cycle), and accounts live in src/users/, which the CLI and the admin both call.
import { describe, expect, it } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '../..')
const importsOf = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
const tsFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))

describe('src/commands', () => {
  it.each(tsFiles('src/commands'))('%s does not import src/cli.ts', (file) => {
    expect(importsOf(file).filter((p) => /(^|\/)cli$/.test(p))).toEqual([])
  })

  it('opens the database through one withDb', () => {
    const definitions = tsFiles('src').filter((f) => /function withDb\b|const withDb\b/.test(readFileSync(join(root, f), 'utf8')))
    expect(definitions).toEqual(['src/commands/shared.ts'])
  })
})

describe('src/users', () => {
  it('is the one home of account logic: no admin users-service, no src/auth/users', () => {
    expect(existsSync(join(root, 'src/admin/users-service.ts'))).toBe(false)
    expect(existsSync(join(root, 'src/auth/users.ts'))).toBe(false)
  })

  it.each(['src/admin/routes/users.ts', 'src/commands/user-create.ts', 'src/commands/user-admin.ts'])(
    '%s goes through src/users/service',
    (file) => {
      expect(importsOf(file)).toContain(file.startsWith('src/admin') ? '../../users/service' : '../users/service')
      expect(importsOf(file).filter((p) => /drizzle-orm|\/db\/schema/.test(p))).toEqual([])
    },
  )
})
