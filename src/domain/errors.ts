/** Stable error codes; the message of each error says what the person should do next. */
export enum ErrorCode {
  BadRequest = 'bad_request',
  RequestTooLong = 'request_too_long',
  WorkflowNotFound = 'workflow_not_found',
  NotAllowed = 'not_allowed',
  InvalidState = 'invalid_state',
  AgentFailed = 'agent_failed',
  AgentUnavailable = 'agent_unavailable',
  HandoffInvalid = 'handoff_invalid',
  DefinitionInvalid = 'definition_invalid',
  ActionFailed = 'action_failed',
  DemoServicesMissing = 'demo_services_missing',
  ServiceUnreachable = 'service_unreachable',
}

/** Base class: `retryable` is decided where the error is made, never guessed later. */
export class InfraError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'InfraError';
  }
}

export class BadRequestError extends InfraError {
  constructor(message: string) {
    super(ErrorCode.BadRequest, message);
  }
}

export class RequestTooLongError extends InfraError {
  constructor(length: number, limit: number) {
    super(
      ErrorCode.RequestTooLong,
      `Your request is ${length.toLocaleString('en-US')} characters; the limit is ${limit.toLocaleString('en-US')}. ` +
        'Shorten it, or put the details in a thread reply once the workflow has started.',
    );
  }
}

export class WorkflowNotFoundError extends InfraError {
  constructor(id: string) {
    super(ErrorCode.WorkflowNotFound, `There is no workflow #${id}. \`/infra list\` shows the active ones.`);
  }
}

export class NotAllowedError extends InfraError {
  constructor(message: string) {
    super(ErrorCode.NotAllowed, message);
  }
}

export class AgentFailedError extends InfraError {
  constructor(message: string, retryable: boolean) {
    super(ErrorCode.AgentFailed, message, retryable);
  }
}

export class HandoffInvalidError extends InfraError {
  constructor(agent: string, details: string) {
    super(
      ErrorCode.HandoffInvalid,
      `${agent} did not produce a valid handoff (${details}). Retry the workflow or rephrase the request.`,
    );
  }
}

export class DefinitionInvalidError extends InfraError {
  constructor(file: string, details: string) {
    super(ErrorCode.DefinitionInvalid, `${file} is invalid: ${details}. Fix the file and restart the bot.`);
  }
}

/** A move between states that the transition table (src/domain/states.ts) does not list: a bug in the bot. */
export class InvalidTransitionError extends InfraError {
  constructor(entity: 'workflow' | 'step' | 'gate', id: number, from: readonly string[], to: string) {
    const sources = from.length ? `from ${from.join(' or ')}` : 'from any state';
    super(
      ErrorCode.InvalidState,
      `A ${entity} may not move ${sources} to ${to} (${entity} ${id}): the transition table in src/domain/states.ts does not allow it. ` +
        'This is a bug in the bot; report it with this message.',
    );
  }
}

export class ActionFailedError extends InfraError {
  constructor(action: string, message: string, retryable: boolean) {
    super(ErrorCode.ActionFailed, `${action} failed: ${message}`, retryable);
  }
}

/** Slack answers that mean "try again later" rather than "this request is wrong". */
const SLACK_TRANSIENT = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Socket errors of a connection to Postgres or Redis that went away or never came. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** Postgres SQLSTATEs of a server going down or not up yet: admin/crash shutdown, cannot connect now. */
const PG_DOWN_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What node-postgres and ioredis say, without a code, when their connection is gone. */
const DROPPED_CONNECTION = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /^Connection is closed\.?$/,
  /^Reached the max retries per request limit/,
  /^Stream isn't writeable/,
  /^timeout exceeded when trying to connect$/,
];

/**
 * True when an error says Postgres or Redis could not be reached (refused, reset, timed out, shut
 * down, starting up, SQLSTATE class 08) rather than that the work itself is wrong. The one place that
 * decides it: such errors wait out the outage (INFRA_OUTAGE_TOLERANCE_MS) instead of using up the job's
 * attempts. Errors of this program decide for themselves, so they are never infrastructure errors.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof InfraError || !error || typeof error !== 'object') return false;
  // No look at `cause`: fetch failures of the HTTP services (Slack, Anthropic, GitHub, Supabase) carry
  // ECONNREFUSED there, and those services are not what this tolerance is for.
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (SOCKET_CODES.has(code) || PG_DOWN_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  // Node's connect to a host with several addresses fails with an AggregateError of each attempt.
  if (Array.isArray(e.errors) && e.errors.length && e.errors.every(isInfrastructureError)) return true;
  return typeof e.message === 'string' && !code && DROPPED_CONNECTION.some((re) => re.test(e.message as string));
}

/**
 * True when an error is worth another attempt: Postgres or Redis unreachable, network blips, Postgres
 * serialisation failures and deadlocks, Slack rate limits and server errors. Errors of this program
 * decide for themselves.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof InfraError) return error.retryable;
  if (isInfrastructureError(error)) return true;
  const e = error as { code?: string; statusCode?: number; data?: { error?: string } } | null;
  switch (e?.code) {
    case '40001':
    case '40P01':
    case 'slack_webapi_rate_limited_error':
    case 'slack_webapi_request_error':
      return true;
    case 'slack_webapi_http_error':
      return (e.statusCode ?? 0) >= 500 || e.statusCode === 429;
    case 'slack_webapi_platform_error':
      return SLACK_TRANSIENT.has(e.data?.error ?? '');
    default:
      return false;
  }
}

/** `npm run demo` found no Postgres or Redis it could use or start; the message says what to install. */
export class DemoServicesMissingError extends InfraError {
  constructor(message: string) {
    super(ErrorCode.DemoServicesMissing, message);
  }
}

/** A server named by a setting (DATABASE_URL, REDIS_URL, …) cannot be reached; the message names the setting. */
export class ServiceUnreachableError extends InfraError {
  constructor(message: string) {
    super(ErrorCode.ServiceUnreachable, message);
  }
}
