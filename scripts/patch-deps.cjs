// Runs after `npm install` (package.json "postinstall"): fixes a bug of postgres.js 3.4.9 that the pinned version
// still has. When a connection's socket dies with a small write queued, closed()/terminate() cancel the queued write
// but leave its timer and chunk set, so that connection never writes again: after a PostgreSQL restart every query
// routed to it waits out connect_timeout, until the process restarts (porsager/postgres#1209, #1215). The fix resets
// both, as upstream's does. Idempotent; fails loudly if the driver changed, so an upgrade cannot silently drop it.
const { readFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const dir = join(__dirname, '..', 'node_modules', 'postgres')
const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version
if (version !== '3.4.9') {
  console.error(`scripts/patch-deps.cjs: postgres ${version} is not the 3.4.9 this patch was written for; check whether it still needs it`)
  process.exit(1)
}
const FIXED = '/* igny8: reset after a dead socket */ nextWriteTimer = chunk = null'
for (const file of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const path = join(dir, file)
  const text = readFileSync(path, 'utf8')
  if (text.includes(FIXED)) continue
  const lines = text.split('\n')
  let patched = 0
  for (let i = 0; i < lines.length; i++) {
    // The two bare calls (in terminate() and closed()); write()'s guarded one is fine as it is.
    if (/^\s*clearImmediate\(nextWriteTimer\)\s*$/.test(lines[i])) {
      lines[i] = `${lines[i]}; ${FIXED}`
      patched++
    }
  }
  if (patched !== 2) {
    console.error(`scripts/patch-deps.cjs: expected 2 places to patch in postgres/${file}, found ${patched}`)
    process.exit(1)
  }
  writeFileSync(path, lines.join('\n'))
}
