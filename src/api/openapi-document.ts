import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import {
  acceptedSchema,
  callbackEventSchema,
  cancelBodySchema,
  cancelledSchema,
  createRequestSchema,
  errorSchema,
  idParamSchema,
  listQuerySchema,
  workflowDetailSchema,
  workflowListSchema,
} from './api-schemas';

const json = (schema: ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

const failures = {
  401: json(errorSchema, 'Missing or unknown bearer token'),
  429: {
    ...json(errorSchema, 'Too many requests for this token; try again after Retry-After seconds'),
    headers: {
      'Retry-After': { description: 'Seconds until the token may call again', schema: { type: 'integer' as const } },
    },
  },
};

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the routes validate with.
 * Built once per process; served at GET /api/v1/openapi.json.
 */
export function openApiDocument(): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'The secret of one INFRA_API_TOKENS pair',
  });
  const security = [{ [bearer.name]: [] }];
  registry.registerPath({
    method: 'post',
    path: '/api/v1/requests',
    summary: 'Start a workflow; its thread appears in the channel as for /infra',
    security,
    request: { body: { content: { 'application/json': { schema: createRequestSchema } } } },
    responses: {
      202: json(acceptedSchema, 'Recorded and queued'),
      400: json(errorSchema, 'The body is not valid (issues lists why); nothing was queued'),
      ...failures,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/workflows',
    summary: 'A page of the workflows this token started, newest first',
    security,
    request: { query: listQuerySchema },
    responses: { 200: json(workflowListSchema, 'One page'), 400: json(errorSchema, 'A bad query'), ...failures },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/workflows/{id}',
    summary: 'State, steps, gates (with who decided), artifacts, the report, usage and cost',
    security,
    request: { params: idParamSchema },
    responses: {
      200: json(workflowDetailSchema, 'The workflow'),
      404: json(errorSchema, 'No workflow with this id was started by this token'),
      ...failures,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/workflows/{id}/cancel',
    summary: 'Cancel, as /infra cancel does: by the requester or an approver; nothing more is merged',
    security,
    request: { params: idParamSchema, body: { content: { 'application/json': { schema: cancelBodySchema } } } },
    responses: {
      200: json(cancelledSchema, 'Cancelled'),
      400: json(errorSchema, 'A bad body'),
      403: json(errorSchema, '`by` may not cancel it'),
      404: json(errorSchema, 'No workflow with this id was started by this token'),
      409: json(errorSchema, 'The workflow has already ended'),
      ...failures,
    },
  });
  registry.registerWebhook({
    method: 'post',
    path: 'workflowStateChanged',
    summary:
      'POSTed to callback_url on every state change. Headers: X-Infra-Request-Timestamp, X-Infra-Signature ' +
      '(v0= HMAC-SHA256 of v0:<timestamp>:<body> keyed with the token secret), Idempotency-Key (same on every retry)',
    request: { body: { content: { 'application/json': { schema: callbackEventSchema } } } },
    responses: { 200: { description: 'Any 2xx counts as delivered; anything else is retried with backoff' } },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'infra-orchestrator HTTP API',
      version: '1',
      description: 'Start and follow workflows from other systems. Gates are decided in Slack only.',
    },
  });
}
