// Generators of hostile JSON for the fuzz tests (built as text, so `__proto__` keys, duplicate keys, numbers
// beyond double range and deep nesting reach the server as sent), and a fingerprint of the whole database.
import type { Database } from 'bun:sqlite'
import fc from 'fast-check'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

const numbers = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    '1e309',
    '-1e309',
    '9007199254740993',
    '-0',
    '0.5',
    '1e-400',
    '123456789012345678901234567890',
    '2147483648',
    '-2147483649',
    '1E2',
  ),
)
const strings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFEFF',
    '\u202Eevil',
    '\uD800', // lone surrogate
    '<script>alert(1)</script>',
    "'; drop table content; --",
    '../../etc/passwd',
    '%s%n',
    '2025-13-45T99:99:99Z',
    'x'.repeat(100_000),
    '\u{1F600}'.repeat(20_000),
    'é'.repeat(5000),
    'null',
    'true',
    '1',
  ),
)
const keys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', 'hasOwnProperty', '\u0000', 'a'.repeat(300)),
  fc.string({ maxLength: 12 }),
)

/** Any JSON text, as odd as JSON allows: deep nesting is built directly (too deep for fast-check's own recursion). */
export const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numbers,
    strings.map((t) => JSON.stringify(t)),
    fc.constantFrom('null', 'true', 'false'),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
  object: fc
    .array(fc.tuple(keys, tie('value')), { maxLength: 4 })
    .map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
})).value

const deep = fc.oneof(
  fc.integer({ min: 50, max: 50_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 50, max: 20_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 1001, max: 20_000 }).map((n) => `[${Array(n).fill('{}').join(',')}]`), // more than any route's batch limit
)
/** One hostile value as JSON text. */
const hostileValue = fc.oneof(hostileJson, deep)

type Path = (string | number)[]
/** Every node of a JSON value, with its path (root included). */
function paths(v: Json, at: Path = []): { path: Path; node: Json }[] {
  const here = [{ path: at, node: v }]
  if (Array.isArray(v)) return here.concat(v.flatMap((x, i) => paths(x, [...at, i])))
  if (v && typeof v === 'object') return here.concat(Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k])))
  return here
}

type Edit = { path: Path; kind: 'replace' | 'add' | 'duplicate'; key?: string; text: string }
const same = (a: Path, b: Path) => a.length === b.length && a.every((x, i) => x === b[i])

/** Serialises `v`, applying the edit at its path (replace the node, or add a key to the object there). */
function serialise(v: Json, e: Edit, at: Path = []): string {
  if (e.kind === 'replace' && same(at, e.path)) return e.text
  if (Array.isArray(v)) return `[${v.map((x, i) => serialise(x, e, [...at, i])).join(',')}]`
  if (v && typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${serialise(x, e, [...at, k])}`)
    if (same(at, e.path) && e.kind !== 'replace') {
      // `duplicate` repeats an existing key with a hostile value: which one wins must not matter for safety.
      const key = e.kind === 'duplicate' ? (Object.keys(v)[0] ?? e.key!) : e.key!
      parts.push(`${JSON.stringify(key)}:${e.text}`)
    }
    return `{${parts.join(',')}}`
  }
  return JSON.stringify(v)
}

/** A request body; fast-check reports it cut short (a counterexample can be megabytes of brackets). */
export type Body = { text: string; [fc.toStringMethod]: () => string }
export const shown = (text: string): Body => ({
  text,
  [fc.toStringMethod]: () => (text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text),
})

/** A valid body with one hostile edit somewhere in it. */
export function withHostile(valid: Json): fc.Arbitrary<Body> {
  const all = paths(valid)
  const objects = all.filter((p) => p.node !== null && typeof p.node === 'object' && !Array.isArray(p.node))
  return fc
    .oneof(
      fc
        .record({ at: fc.constantFrom(...all), text: hostileValue })
        .map(({ at, text }) => serialise(valid, { path: at.path, kind: 'replace', text })),
      fc
        .record({ at: fc.constantFrom(...objects), key: keys, text: hostileValue, dup: fc.boolean() })
        .map(({ at, key, text, dup }) => serialise(valid, { path: at.path, kind: dup ? 'duplicate' : 'add', key, text })),
    )
    .map(shown)
}

/** Odd form keys and values for the admin forms. */
export const odd = {
  key: fc.oneof(fc.constantFrom('email', 'password', '_csrf', 'name', 'url', '__proto__', 'next'), keys),
  string: strings,
}

// Bookkeeping columns written on an authenticated request whatever its outcome (an API key's last use, at
// most once a minute): not something the request changed.
const BOOKKEEPING = new Set(['last_used_at'])
// Login attempts are counted before the password is checked, whatever the answer: refusing is their point.
const BOOKKEEPING_TABLES = new Set(['login_attempts'])

/** A hash of every row of every table (bookkeeping columns aside): equal before and after means nothing changed. */
export function fingerprint(db: Database): string {
  const tables = db.query("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as {
    name: string
  }[]
  const h = new Bun.CryptoHasher('sha256')
  for (const { name } of tables) {
    if (BOOKKEEPING_TABLES.has(name)) continue
    const cols = (db.query(`select name from pragma_table_info('${name}')`).all() as { name: string }[])
      .map((c) => c.name)
      .filter((c) => !BOOKKEEPING.has(c))
    h.update(`\u0001${name}\u0001`)
    for (const row of db.query(`select ${cols.map((c) => `"${c}"`).join(',')} from "${name}" order by rowid`).values())
      h.update(JSON.stringify(row))
  }
  return h.digest('hex')
}
