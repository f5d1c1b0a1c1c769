import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Where the web role serves the dashboard. */
export const DASHBOARD_PATH = '/admin/queues';
/** The cookie a browser gets after opening the dashboard once with `?token=`. */
export const DASHBOARD_COOKIE = 'infra_admin';

export interface QueueDashboardOptions {
  /** The queues shown (the workflow and digest queues). */
  queues: Queue[];
  /** INFRA_ADMIN_TOKEN: every request must carry it. */
  token: string;
  /** INFRA_ADMIN_WRITE: retries, removals and the like; read-only otherwise. */
  write: boolean;
}

/** Bolt custom routes for the dashboard: every path under {@link DASHBOARD_PATH}, every method Bull Board uses. */
export function queueDashboardRoutes(opts: QueueDashboardOptions) {
  const handler = queueDashboard(opts);
  return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
    path: `${DASHBOARD_PATH}{/*rest}`,
    method,
    handler,
  }));
}

/**
 * Bull Board on an express app of its own, mounted at {@link DASHBOARD_PATH} behind the admin token. A
 * request passes with `Authorization: Bearer <token>`, or with the cookie a browser gets by opening
 * `/admin/queues?token=<token>` once (answered with a redirect that drops the token from the address).
 * Read-only unless `write`: Bull Board's queues are read-only, and anything but GET is refused here too.
 */
export function queueDashboard(opts: QueueDashboardOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: !opts.write, allowRetries: opts.write })),
    // @bull-board/express pins @bull-board/api 9.10.1 for its types; at run time it needs nothing from it.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'infra queues' } },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(DASHBOARD_PATH, guard(opts), serverAdapter.getRouter());
  return (req, res) => app(req as Request, res as Response);
}

/** The cookie's value: derived from the token, so the cookie does not carry the token itself. */
const sessionOf = (token: string) => createHmac('sha256', token).update('infra-admin-session').digest('hex');

/** Equal in constant time: both sides are hashed first, so their lengths never differ. */
function same(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function guard(opts: QueueDashboardOptions) {
  const session = sessionOf(opts.token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const query = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (query !== undefined && same(query, opts.token) && req.method === 'GET') {
      const secure = req.secure || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
      res.setHeader(
        'set-cookie',
        `${DASHBOARD_COOKIE}=${session}; Path=${DASHBOARD_PATH}; HttpOnly; SameSite=Strict; Max-Age=43200${secure}`,
      );
      const url = new URL(req.originalUrl, 'http://localhost');
      url.searchParams.delete('token');
      res.redirect(303, `${url.pathname}${url.search}`);
      return;
    }
    const fromCookie = cookie(req, DASHBOARD_COOKIE);
    const allowed =
      (bearer !== undefined && same(bearer, opts.token)) || (fromCookie !== undefined && same(fromCookie, session));
    if (!allowed) {
      res
        .status(401)
        .set('www-authenticate', 'Bearer realm="infra-admin"')
        .type('text/plain')
        .send(
          'The queue dashboard needs the admin token: send "Authorization: Bearer <INFRA_ADMIN_TOKEN>", or open ' +
            `${DASHBOARD_PATH}?token=<INFRA_ADMIN_TOKEN> once in the browser.\n`,
        );
      return;
    }
    if (!opts.write && req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .status(405)
        .type('text/plain')
        .send('The queue dashboard is read-only: set INFRA_ADMIN_WRITE=true to retry, promote or remove jobs.\n');
      return;
    }
    next();
  };
}
