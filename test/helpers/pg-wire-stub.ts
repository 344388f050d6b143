// A minimal PostgreSQL v3 wire-protocol server that claims to be a given version. Only for the one thing no real
// server here can do: be older than 15 (Debian ships 15 only), so that igny8's "too old" refusal runs end to end.
// It answers postgres.js's connect sequence, the version queries and postgres.js's array-type query; every other
// statement gets an ErrorResponse, and every statement text is recorded for the test to inspect.
import { createServer, type Socket } from 'node:net'

export type PgWireStub = {
  port: number
  /** Every statement text received (Parse and simple Query), in order. */
  queries: string[]
  /** The statements answered with the "not supported" error, in order. */
  refused: string[]
  stop(): Promise<void>
}

type Answer = { columns: { name: string; type: number }[]; rows: string[][] }
const TEXT = 25
const OID = 26
const SSL_REQUEST = 80877103
const PROTOCOL_3 = 196608

/** Starts the stub on 127.0.0.1 (random port) reporting `version` ("14.11" → server_version_num 140011). */
export async function startPgWireStub(version: string): Promise<PgWireStub> {
  const [major, minor] = version.split('.').map(Number)
  const versionNum = String(major! * 10000 + (minor ?? 0))
  const queries: string[] = []
  const refused: string[] = []
  const sockets = new Set<Socket>()

  /** What a statement returns, or undefined for anything the stub does not serve. */
  function answer(text: string): Answer | undefined {
    // postgres.js's fetch_types query on each new connection; no rows is a server without array types to add.
    if (/pg_catalog\.pg_type/.test(text) && /typarray/.test(text))
      return {
        columns: [
          { name: 'oid', type: OID },
          { name: 'typarray', type: OID },
        ],
        rows: [],
      }
    const setting =
      /current_setting\(\s*'(server_version(?:_num)?)'\s*\)/i.exec(text) ?? /^\s*show\s+(server_version(?:_num)?)\s*;?\s*$/i.exec(text)
    if (!setting) return undefined
    const alias = /\bas\s+"?([a-z_][a-z0-9_]*)"?\s*;?\s*$/i.exec(text)?.[1]
    const name = alias ?? (/^\s*show/i.test(text) ? setting[1]! : 'current_setting')
    return { columns: [{ name, type: TEXT }], rows: [[setting[1] === 'server_version' ? version : versionNum]] }
  }

  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {}) // the client may just drop the connection when it exits
    let buffer = Buffer.alloc(0)
    let started = false // before the StartupMessage, messages have no type byte
    let skipping = false // after an error in the extended protocol, PostgreSQL ignores everything up to Sync
    const statements = new Map<string, Answer>()
    let portal: Answer | undefined

    const send = (type: string, ...parts: Buffer[]) => {
      const body = Buffer.concat(parts)
      const head = Buffer.alloc(5)
      head.write(type, 0, 'latin1')
      head.writeInt32BE(body.length + 4, 1)
      socket.write(Buffer.concat([head, body]))
    }
    const refuse = (text: string, message = 'not supported by the stub') => {
      refused.push(text)
      // Severity, SQLSTATE 0A000 (feature_not_supported), message: what postgres.js turns into a PostgresError.
      send('E', cstr('SERROR'), cstr('VERROR'), cstr('C0A000'), cstr(`M${message}`), Buffer.from([0]))
    }
    const rowDescription = (a: Answer) =>
      send(
        'T',
        int16(a.columns.length),
        ...a.columns.flatMap((c) => [cstr(c.name), int32(0), int16(0), int32(c.type), int16(-1), int32(-1), int16(0)]),
      )
    const dataRows = (a: Answer) => {
      for (const row of a.rows) send('D', int16(row.length), ...row.flatMap((v) => [int32(Buffer.byteLength(v)), Buffer.from(v)]))
      send('C', cstr(`SELECT ${a.rows.length}`))
    }

    function startup(code: number) {
      // postgres.js sends SSLRequest only with ssl set; 'N' means "no TLS here", and it goes on in the clear.
      if (code === SSL_REQUEST) return void socket.write('N')
      if (code !== PROTOCOL_3) return void socket.end()
      started = true
      send('R', int32(0)) // AuthenticationOk: any user and password will do, none is asked for
      const params = {
        server_version: version, // postgres.js keeps these in sql.options.parameters; igny8 asks with a query instead
        server_encoding: 'UTF8',
        client_encoding: 'UTF8',
        DateStyle: 'ISO, MDY',
        integer_datetimes: 'on',
        standard_conforming_strings: 'on',
        TimeZone: 'UTC',
      }
      for (const [k, v] of Object.entries(params)) send('S', cstr(k), cstr(v))
      send('K', int32(process.pid), int32(0x1938)) // BackendKeyData: what a cancel request would quote
      send('Z', Buffer.from('I')) // ReadyForQuery, idle: the connection is open
    }

    function message(type: string, body: Buffer) {
      if (type === 'X') return void socket.end() // Terminate
      if (type === 'S') {
        skipping = false
        return send('Z', Buffer.from('I')) // Sync ends the extended-protocol batch, in error or not
      }
      if (type === 'Q') {
        // Simple query: rows (or the error), then ReadyForQuery.
        const text = readCstr(body, 0)[0]
        queries.push(text)
        const a = answer(text)
        if (a) (rowDescription(a), dataRows(a))
        else refuse(text)
        return send('Z', Buffer.from('I'))
      }
      if (skipping || type === 'H') return // Flush: the stub writes every answer at once anyway
      if (type === 'P') {
        // Parse: statement name, text. Refusing here is where a real server reports an unknown function too.
        const [name, at] = readCstr(body, 0)
        const text = readCstr(body, at)[0]
        queries.push(text)
        const a = answer(text)
        if (!a) return ((skipping = true), refuse(text))
        statements.set(name, a)
        return send('1') // ParseComplete
      }
      if (type === 'B') {
        // Bind: portal name, statement name; the stub's statements take no parameters.
        const [, at] = readCstr(body, 0)
        portal = statements.get(readCstr(body, at)[0])
        return send('2') // BindComplete
      }
      if (type === 'D') {
        // Describe a statement: its parameter types (none) and its columns; a portal: its columns only.
        const a = body[0] === 0x53 ? statements.get(readCstr(body, 1)[0]) : portal
        if (body[0] === 0x53) send('t', int16(0))
        return a ? rowDescription(a) : send('n')
      }
      if (type === 'E') return portal ? dataRows(portal) : send('I') // Execute (EmptyQueryResponse without a portal)
      if (type === 'C') {
        if (body[0] === 0x53) statements.delete(readCstr(body, 1)[0])
        return send('3') // CloseComplete
      }
      skipping = true
      refuse(`(message ${type})`, `message ${type} is not supported by the stub`)
    }

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const head = started ? 1 : 0
        if (buffer.length < head + 4) return
        const length = buffer.readInt32BE(head)
        if (buffer.length < head + length) return
        const body = buffer.subarray(head + 4, head + length)
        const type = started ? String.fromCharCode(buffer[0]!) : ''
        buffer = buffer.subarray(head + length)
        if (started) message(type, body)
        else startup(body.readInt32BE(0)) // the startup parameters (user, database) do not matter here
      }
    })
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    queries,
    refused,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

const cstr = (s: string) => Buffer.from(s + '\0')
const int16 = (n: number) => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(n)
  return b
}
const int32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}
/** A NUL-terminated string at `at`, and the offset after it. */
function readCstr(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at)
  return [buf.toString('utf8', at, end), end + 1]
}
