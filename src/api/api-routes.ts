import type { IncomingMessage, ServerResponse } from 'node:http';
import type IORedis from 'ioredis';
import type { z } from 'zod';
import { ErrorCode, InfraError } from '../domain/errors';
import { ACTIVE_WORKFLOW_STATES } from '../domain/states';
import { cancelWorkflow } from '../engine/cancel';
import type { DecisionDeps } from '../engine/deps';
import { startRequest } from '../engine/start-request';
import type { Logger } from '../logger';
import { listCallerWorkflows, workflowCaller } from '../store/api-workflows-repo';
import { getWorkflow } from '../store/workflows-repo';
import { type ApiToken, authenticate, checkRateLimit } from './api-auth';
import { cancelBodySchema, createRequestSchema, listQuerySchema } from './api-schemas';
import { type CallbackUrlPolicy, callbackUrlProblem } from './callbacks/callback-url';
import { ApiFailure, readJson, sendJson } from './http-io';
import { openApiDocument } from './openapi-document';
import { workflowDetail, workflowSummary } from './workflow-view';

/** What the API routes need, from the web role's composition root. */
export interface ApiDeps {
  decisions: DecisionDeps;
  /** The per-token rate limit's counters. */
  redis: IORedis;
  /** Redis key prefix (INFRA_QUEUE_PREFIX). */
  prefix: string;
  tokens: readonly ApiToken[];
  /** Calls a minute per token (INFRA_API_RATE_LIMIT). */
  ratePerMinute: number;
  callbackPolicy: CallbackUrlPolicy;
  /** The target every change workflow of this deployment works on. */
  target: string;
  now: () => Date;
  logger: Logger;
}

type Request = IncomingMessage & { params?: Record<string, string> };
interface Answer {
  status: number;
  body: unknown;
}
/** A Bolt custom route (`@slack/bolt` custom-routes: path params as `:name`). */
export interface ApiRoute {
  path: string;
  method: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

const invalid = (what: string, error: z.ZodError): ApiFailure =>
  new ApiFailure(400, {
    error: 'invalid_body',
    message: `The ${what} is not valid; see issues, fix those fields and send it again. Nothing was queued.`,
    issues: error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: i.message,
      code: i.code,
    })),
  });

const notFound = (id: string) =>
  new ApiFailure(404, {
    error: 'not_found',
    message: `This token started no workflow #${id}; GET /api/v1/workflows lists its workflows.`,
  });

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.RequestTooLong]: 400,
  [ErrorCode.NotAllowed]: 403,
  [ErrorCode.WorkflowNotFound]: 404,
};

/**
 * The /api/v1 routes for other systems: start a workflow, read and list the ones a token started,
 * cancel one, and the OpenAPI document. No route decides a gate: gates are decided in Slack only.
 */
export function apiRoutes(deps: ApiDeps): ApiRoute[] {
  let document: object | undefined;
  const guarded =
    (fn: (req: Request, caller: string) => Promise<Answer>) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const run = async (): Promise<Answer> => {
        const caller = authenticate(req, deps.tokens);
        await checkRateLimit(deps.redis, {
          prefix: deps.prefix,
          caller,
          perMinute: deps.ratePerMinute,
          nowMs: deps.now().getTime(),
        });
        return fn(req as Request, caller);
      };
      run()
        .then((a) => sendJson(res, a.status, a.body))
        .catch((error: unknown) => {
          if (error instanceof ApiFailure) return sendJson(res, error.status, error.body, error.headers);
          if (error instanceof InfraError && STATUS_OF[error.code])
            return sendJson(res, STATUS_OF[error.code]!, { error: error.code, message: error.message });
          deps.logger.error({ err: error, path: req.url }, 'API request failed');
          sendJson(res, 500, {
            error: 'internal',
            message: 'Something went wrong on our side; try again in a minute.',
          });
        });
    };

  /** The workflow `id` when `caller` started it; 404 otherwise, so tokens cannot see each other's. */
  const ownWorkflow = async (req: Request, caller: string) => {
    const raw = req.params?.id ?? '';
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
    const workflow =
      id > 0 && (await workflowCaller(deps.decisions.pool, id)) === caller
        ? await getWorkflow(deps.decisions.pool, id)
        : undefined;
    if (!workflow) throw notFound(raw);
    return workflow;
  };

  const createRequest = guarded(async (req, caller) => {
    const parsed = createRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) throw invalid('body', parsed.error);
    const body = parsed.data;
    const refused = body.callback_url ? await callbackUrlProblem(body.callback_url, deps.callbackPolicy) : undefined;
    if (refused)
      throw new ApiFailure(400, {
        error: 'invalid_body',
        message: `${refused}. Nothing was queued.`,
        issues: [{ path: ['callback_url'], message: refused, code: 'custom' }],
      });
    const workflow = await startRequest(deps.decisions, {
      request: body.request,
      requester: body.requester,
      // The API knows no workspace; a workflow started here has an empty team id.
      teamId: '',
      channelId: body.channel,
      target: deps.target,
      apiCaller: caller,
      callbackUrl: body.callback_url,
    });
    deps.logger.info({ workflowId: workflow.id, caller }, 'workflow requested through the API');
    return { status: 202, body: { id: workflow.id, state: workflow.state, thread_url: null } };
  });

  const listWorkflows = guarded(async (req, caller) => {
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
    const parsed = listQuerySchema.safeParse(query);
    if (!parsed.success) throw invalid('query', parsed.error);
    const { state, limit, cursor } = parsed.data;
    const page = await listCallerWorkflows(deps.decisions.pool, { caller, states: state, before: cursor, limit });
    const next = page.length === limit ? String(page[page.length - 1]!.id) : null;
    return { status: 200, body: { workflows: page.map(workflowSummary), next_cursor: next } };
  });

  const showWorkflow = guarded(async (req, caller) => {
    const workflow = await ownWorkflow(req, caller);
    return { status: 200, body: await workflowDetail(deps.decisions.pool, workflow, caller) };
  });

  const cancel = guarded(async (req, caller) => {
    const workflow = await ownWorkflow(req, caller);
    const parsed = cancelBodySchema.safeParse(await readJson(req));
    if (!parsed.success) throw invalid('body', parsed.error);
    const message = await cancelWorkflow(deps.decisions, workflow.id, parsed.data.by ?? workflow.requester);
    const after = await getWorkflow(deps.decisions.pool, workflow.id);
    // Ended before this call (by anyone, this API included): nothing was cancelled now.
    if (!(ACTIVE_WORKFLOW_STATES as readonly string[]).includes(workflow.state) || after?.state !== 'cancelled')
      throw new ApiFailure(409, { error: 'already_ended', message });
    deps.logger.info({ workflowId: workflow.id, caller }, 'workflow cancelled through the API');
    return { status: 200, body: { id: workflow.id, state: after.state, message } };
  });

  return [
    { path: '/api/v1/requests', method: 'POST', handler: createRequest },
    { path: '/api/v1/workflows', method: 'GET', handler: listWorkflows },
    { path: '/api/v1/workflows/:id', method: 'GET', handler: showWorkflow },
    { path: '/api/v1/workflows/:id/cancel', method: 'POST', handler: cancel },
    {
      path: '/api/v1/openapi.json',
      method: 'GET',
      handler: (_req, res) => {
        document ??= openApiDocument();
        sendJson(res, 200, document);
      },
    },
  ];
}
