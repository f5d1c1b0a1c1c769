import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A small HTTP server of its own, for a process without the web role. */
export interface MetricsServer {
  /** The port bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` and `GET /healthz` on `port` (the worker role's INFRA_WORKER_METRICS_PORT):
 * a worker-only process has no Bolt receiver, and its counters would otherwise never be scraped.
 * Anything else is 404.
 */
export async function startMetricsServer(
  port: number,
  routes: { metrics: Route; healthz: Route },
  host = '0.0.0.0',
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/metrics') return routes.metrics(req, res);
    if (req.method === 'GET' && path === '/healthz') return routes.healthz(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found: this port serves GET /metrics and GET /healthz.\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
