// The ceiling for bench/hot.ts: a bare Bun.serve doing only what the transport must. GET answers fixed JSON; POST
// parses the JSON body and echoes it (the parse is work any JSON route pays). Its own process so it can be pinned
// to a core like dist/igny8: `bun bench/bare-server.ts PORT`.
const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: bun bench/bare-server.ts PORT')

const fixed = { success: true, data: { status: 'ok' } }
Bun.serve({
  hostname: '127.0.0.1',
  port,
  fetch: async (req) => (req.method === 'POST' ? Response.json(await req.json()) : Response.json(fixed)),
})
