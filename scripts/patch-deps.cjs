// Runs after `npm install` (package.json "postinstall"): fixes two bugs of postgres.js 3.4.9 that the pinned version
// still has, both about a connection whose socket died (PostgreSQL restarted, or the session terminated):
// - closed()/terminate() cancel a queued write but leave its timer and chunk set, so that connection never writes
//   again: after a PostgreSQL restart every query routed to it waits out connect_timeout, until the process restarts
//   (porsager/postgres#1209, #1215). The fix resets both, as upstream's does.
// - the query that was running when the socket died is rejected but stays the connection's current query, so end()
//   takes the connection for busy and waits out its whole timeout (a node's shutdown after a PostgreSQL restart took
//   5 s more). The fix forgets it once the socket is gone: no answer can come for it any more.
// Idempotent; fails loudly if the driver changed, so an upgrade cannot silently drop a fix.
const { readFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const dir = join(__dirname, '..', 'node_modules', 'postgres')
const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version
if (version !== '3.4.9') {
  console.error(`scripts/patch-deps.cjs: postgres ${version} is not the 3.4.9 this patch was written for; check whether it still needs it`)
  process.exit(1)
}

const fixes = [
  {
    // The two bare calls (in terminate() and closed()); write()'s guarded one is fine as it is.
    line: /^\s*clearImmediate\(nextWriteTimer\)\s*$/,
    append: '/* igny8: reset after a dead socket */ nextWriteTimer = chunk = null',
    places: 2,
  },
  {
    line: /^\s*!hadError && \(query \|\| sent\.length\) && error\(Errors\.connection\('CONNECTION_CLOSED', options, socket\)\)\s*$/,
    append: '/* igny8: no answer comes for it now */ query = null',
    places: 1,
  },
]

for (const file of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const path = join(dir, file)
  const lines = readFileSync(path, 'utf8').split('\n')
  for (const fix of fixes) {
    if (lines.some((l) => l.includes(fix.append))) continue
    let patched = 0
    for (let i = 0; i < lines.length; i++) {
      if (fix.line.test(lines[i])) {
        lines[i] = `${lines[i]}; ${fix.append}`
        patched++
      }
    }
    if (patched !== fix.places) {
      console.error(`scripts/patch-deps.cjs: expected ${fix.places} places to patch in postgres/${file}, found ${patched}`)
      process.exit(1)
    }
  }
  writeFileSync(path, lines.join('\n'))
}
