// Layering rules the code must keep. src/http/ is the shared floor every feature stands on: it imports no
// feature, no admin code and no view, so what the admin looks like is passed in by src/app.ts (as
// `authenticate` is). Views declare their own props and never take database rows, so a row carrying a
// password or key hash cannot reach a template.
import { describe, expect, it } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '../..')
const importsOf = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
const tsFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))

describe('src/http', () => {
  it.each(tsFiles('src/http'))('%s imports only itself, the logger and packages', (file) => {
    const local = importsOf(file).filter((p) => p.startsWith('.'))
    expect(local.filter((p) => !p.startsWith('./') && p !== '../log')).toEqual([])
  })
})

describe('views', () => {
  it.each(tsFiles('views'))('%s takes no database rows', (file) => {
    expect(importsOf(file).filter((p) => /\/src\/db\b/.test(p))).toEqual([])
  })
})

describe('src/admin', () => {
  it('keeps no sites queries of its own (they live in src/sites)', () => {
    expect(tsFiles('src/admin').filter((f) => f.endsWith('sites-service.ts'))).toEqual([])
    for (const file of tsFiles('src/admin')) expect(importsOf(file).filter((p) => p.includes('sites-service'))).toEqual([])
  })
})
