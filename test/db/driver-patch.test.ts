// `npm install` runs scripts/patch-deps.cjs: the postgres.js fix for connections left unable to write after a
// PostgreSQL restart (see that script) must be in the driver the server and the executable are built from.
import { describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

describe('the installed postgres.js', () => {
  it('carries the dead-socket fix in every build of its connection module', () => {
    for (const file of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
      const text = readFileSync(join(import.meta.dir, '../../node_modules/postgres', file), 'utf8')
      expect([file, text.split('igny8: reset after a dead socket').length - 1]).toEqual([file, 2])
    }
  })
})
