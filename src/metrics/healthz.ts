import type { IncomingMessage, ServerResponse } from 'node:http';
import type IORedis from 'ioredis';
import type { Pool } from 'pg';

/** `GET /healthz`: 200 when Postgres and Redis answer, 503 with the error (credentials masked) otherwise. */
export function healthzRoute(pool: Pool, redis: IORedis) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    Promise.all([pool.query('SELECT 1'), redis.ping()])
      .then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      })
      .catch((err: Error) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: err.message.replace(/\/\/[^@]*@/, '//***@') }));
      });
  };
}
