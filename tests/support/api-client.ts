import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Harness } from './harness';

export const API_SECRET = 'orchestrator-secret-0123456789abcdef';
export const OTHER_SECRET = 'other-system-secret-0123456789abcdef';

/** The settings that turn the HTTP API on, with two tokens and loopback callbacks allowed. */
export const API_ENV: Record<string, string> = {
  INFRA_API_TOKENS: `orchestrator:${API_SECRET},other:${OTHER_SECRET}`,
  INFRA_API_CALLBACK_ALLOW_LOOPBACK_HTTP: 'true',
  INFRA_API_CALLBACK_BACKOFF_MS: '100',
  INFRA_API_CALLBACK_POLL_MS: '100',
};

export interface ApiAnswer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** Calls the harness's web role at /api/v1 over HTTP, as another system would. */
export async function api(
  h: Harness,
  method: 'GET' | 'POST',
  path: string,
  opts: { token?: string | null; body?: unknown } = {},
): Promise<ApiAnswer> {
  const token = opts.token === undefined ? API_SECRET : opts.token;
  const res = await fetch(`http://127.0.0.1:${h.runtime.port}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * A strict local receiver of callbacks: POST /hook only (anything else is recorded as unexpected),
 * answering each request with the next status of `statuses`, then 200.
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  readonly unexpected: string[] = [];
  private server!: Server;

  static async start(statuses: number[] = []): Promise<CallbackReceiver> {
    const r = new CallbackReceiver();
    r.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/hook') {
          r.unexpected.push(`${req.method} ${req.url}`);
          res.writeHead(404).end();
          return;
        }
        const answered = statuses.shift() ?? 200;
        r.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((ok) => r.server.listen(0, '127.0.0.1', ok));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  close(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }
}
