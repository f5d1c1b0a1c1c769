import { connect, createServer, type Server, type Socket } from 'node:net';

/** One connection that went through the proxy: the phase it came in and its startup parameters. */
export interface ProxiedConnection {
  phase: string;
  /** user, database, options, application_name… as the client sent them in its StartupMessage. */
  params: Record<string, string>;
}

/** A TCP proxy in front of a Postgres server that records every connection made through it. */
export interface RecordingProxy {
  port: number;
  /** Connections are recorded under this phase; set it before each part of a test. */
  phase: string;
  connections: ProxiedConnection[];
  inPhase(phase: string): ProxiedConnection[];
  close(): Promise<void>;
}

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/** Reads the StartupMessage from the first bytes a client sends (after an SSL or GSS request, if any). */
function startupParams(buffer: Buffer): Record<string, string> | 'incomplete' | 'not startup' {
  let offset = 0;
  for (;;) {
    if (buffer.length < offset + 8) return 'incomplete';
    const length = buffer.readInt32BE(offset);
    const code = buffer.readInt32BE(offset + 4);
    if (code === SSL_REQUEST || code === GSS_REQUEST) {
      offset += length;
      continue;
    }
    if (code !== PROTOCOL_3) return 'not startup';
    if (buffer.length < offset + length) return 'incomplete';
    const fields = buffer
      .subarray(offset + 8, offset + length - 1)
      .toString('utf8')
      .split('\0');
    const params: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) params[fields[i]!] = fields[i + 1]!;
    return params;
  }
}

/** Starts a proxy on a free port of 127.0.0.1 that forwards to `upstreamPort`. */
export async function startRecordingProxy(upstreamPort: number, upstreamHost = '127.0.0.1'): Promise<RecordingProxy> {
  const sockets = new Set<Socket>();
  const proxy: RecordingProxy = {
    port: 0,
    phase: 'start',
    connections: [],
    inPhase: (phase) => proxy.connections.filter((c) => c.phase === phase),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, upstreamHost);
    sockets.add(client).add(upstream);
    const record: ProxiedConnection = { phase: proxy.phase, params: {} };
    proxy.connections.push(record);
    let head: Buffer | undefined = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        const parsed = startupParams(head);
        if (parsed !== 'incomplete') {
          if (parsed !== 'not startup') record.params = parsed;
          head = undefined;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.port = address && typeof address === 'object' ? address.port : 0;
  return proxy;
}
