// `npm install` runs scripts/patch-deps.cjs: the postgres.js fixes for connections whose socket died (see that
// script) must be in the driver the server and the executable are built from.
import { describe, expect, it } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

describe('the installed postgres.js', () => {
  it('carries both dead-socket fixes in every build of its connection module', () => {
    for (const file of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
      const text = readFileSync(join(import.meta.dir, '../../node_modules/postgres', file), 'utf8')
      expect([file, text.split('igny8: reset after a dead socket').length - 1]).toEqual([file, 2])
      expect([file, text.split('igny8: no answer comes for it now').length - 1]).toEqual([file, 1])
    }
  })
})
