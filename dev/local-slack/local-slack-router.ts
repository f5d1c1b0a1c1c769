import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultQueue } from './fault-queue';
import type { RateLimits } from './rate-limits';
import { headerValue, readBody, readBuffer, sendJson } from './local-http';
import type { ResponseUrls } from './response-urls';
import { fail, parseParams, type ApiAnswer } from './slack-api-wire';
import type { LocalSlackCall, LocalSlackOptions } from './local-slack';
import type { ApiHandler } from './web-api-methods';
import type { LocalSlackState } from './local-slack-state';

/** What the router hands requests to. */
export interface LocalSlackRoutes {
  methods: Record<string, ApiHandler>;
  faults: FaultQueue;
  rateLimits: RateLimits;
  responseUrls: ResponseUrls;
  extraRoutes: LocalSlackOptions['extraRoutes'];
}

/**
 * The request handler of the local Slack: extra routes first, then file uploads, the Web API under
 * /api/ (recorded in `calls`, token required, queued faults served) and response_url posts. Anything
 * else is unexpected and answered 404.
 */
export function localSlackRouter(
  state: LocalSlackState,
  routes: LocalSlackRoutes,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (routes.extraRoutes !== undefined && (await routes.extraRoutes(req, res, url))) return;
    if (url.pathname.startsWith('/upload/') && req.method === 'POST') {
      const answer = await state.fileStore.receive(
        url.pathname.slice('/upload/'.length),
        await readBuffer(req),
        headerValue(req, 'content-type') ?? '',
      );
      if (answer.problem !== undefined) state.unexpected.push(answer.problem);
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.text);
      return;
    }
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      handleApi(state, routes, req, res, url, raw);
      return;
    }
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      routes.responseUrls.receive(req, res, decodeURIComponent(url.pathname.slice('/response/'.length)), raw);
      return;
    }
    state.unexpected.push(`${req.method ?? '?'} ${url.pathname}`);
    sendJson(res, 404, { ok: false, error: 'unknown_method' });
  };
}

function handleApi(
  state: LocalSlackState,
  routes: LocalSlackRoutes,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: string,
): void {
  const method = url.pathname.slice('/api/'.length);
  const contentType = headerValue(req, 'content-type') ?? '';
  let params: Record<string, unknown>;
  try {
    params = { ...Object.fromEntries(url.searchParams), ...parseParams(raw, contentType) };
  } catch (error) {
    state.unexpected.push(`${method}: unreadable ${contentType} body (${(error as Error).message})`);
    params = {};
  }
  const authorization = headerValue(req, 'authorization');
  const token = authorization?.startsWith('Bearer ')
    ? authorization.slice('Bearer '.length)
    : typeof params.token === 'string'
      ? params.token
      : undefined;
  delete params.token;
  const call: LocalSlackCall = { method, params, contentType, time: Date.now(), status: 200, ok: true };
  if (token !== undefined) call.token = token;
  state.calls.push(call);

  const answer = answerApi(state, routes, method, req.method ?? '', params, token);
  call.status = answer.status;
  call.ok = answer.body.ok === true;
  if (typeof answer.body.error === 'string') call.error = answer.body.error;
  sendJson(res, answer.status, answer.body, answer.headers);
}

function answerApi(
  state: LocalSlackState,
  routes: LocalSlackRoutes,
  method: string,
  httpMethod: string,
  params: Record<string, unknown>,
  token: string | undefined,
): ApiAnswer {
  const handler = Object.hasOwn(routes.methods, method) ? routes.methods[method] : undefined;
  if (handler === undefined || httpMethod !== 'POST') {
    state.unexpected.push(`${httpMethod} /api/${method}`);
    return { status: 404, body: { ok: false, error: 'unknown_method', req_method: method } };
  }
  if (token === undefined || token === '') {
    state.unexpected.push(`${method} called without a token`);
    return fail('not_authed');
  }
  return routes.faults.take(method) ?? routes.rateLimits.take(method, params) ?? handler(params);
}
