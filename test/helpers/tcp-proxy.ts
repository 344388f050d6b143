// A loopback TCP proxy in front of PostgreSQL that can cut the LISTEN connections without a word: their sockets stay
// open but nothing more passes either way, as when a NAT or firewall forgets a long-idle connection.
import { createServer, connect, type Socket } from 'node:net'

export type SilentCutProxy = {
  port: number
  /** From now on, nothing passes on the connections that sent a LISTEN; their sockets stay open. */
  silenceListeners(): void
  stop(): Promise<void>
}

export async function startSilentCutProxy(targetPort: number): Promise<SilentCutProxy> {
  const pairs: { client: Socket; server: Socket; listens: boolean; silent: boolean }[] = []
  const proxy = createServer((client) => {
    const server = connect(targetPort, '127.0.0.1')
    const pair = { client, server, listens: false, silent: false }
    pairs.push(pair)
    client.on('data', (chunk) => {
      // A simple-protocol Query message carries the statement text as it is.
      if (chunk.toString('latin1').includes('LISTEN "')) pair.listens = true
      if (!pair.silent) server.write(chunk)
    })
    server.on('data', (chunk) => {
      if (!pair.silent) client.write(chunk)
    })
    const close = () => {
      client.destroy()
      server.destroy()
    }
    client.on('error', close).on('close', close)
    server.on('error', close).on('close', close)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return {
    port: (proxy.address() as { port: number }).port,
    silenceListeners() {
      for (const pair of pairs) if (pair.listens) pair.silent = true
    },
    async stop() {
      for (const { client, server } of pairs) (client.destroy(), server.destroy())
      await new Promise((resolve) => proxy.close(resolve))
    },
  }
}
