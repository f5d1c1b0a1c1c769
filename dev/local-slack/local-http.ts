import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Handles one request; a thrown error is answered 500 and reported through `onError`. */
export type LocalHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A node:http server listening on 127.0.0.1 (or a chosen interface) on a random free port. */
export interface LocalServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly origin: string;
  /** Stops listening and destroys every open connection, including requests left hanging on purpose. */
  close(): Promise<void>;
}

/**
 * Starts a local server on `port` (0: a free one) of `host` (default 127.0.0.1; `0.0.0.0` inside a
 * container, so a mapped port reaches it); `onError` receives failures of the handler itself (bugs in
 * a fake). The origin is always on 127.0.0.1, which every interface includes.
 */
export async function listenLocal(
  handler: LocalHandler,
  onError: (error: unknown) => void,
  port = 0,
  host = '127.0.0.1',
): Promise<LocalServer> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        onError(error);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
        }
        res.end('fake server error');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    origin: `http://127.0.0.1:${bound}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Reads a request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBuffer(req)).toString('utf8');
}

/** Reads a request body as bytes (file uploads). */
export async function readBuffer(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** Answers with a JSON body (`application/json; charset=utf-8`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

/** The first value of a request header, or undefined. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
