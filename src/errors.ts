/** Stable error codes; the message of each error says what the person should do next. */
export enum ErrorCode {
  BadRequest = 'bad_request',
  RequestTooLong = 'request_too_long',
  WorkflowNotFound = 'workflow_not_found',
  NotAllowed = 'not_allowed',
  AlreadyDecided = 'already_decided',
  InvalidState = 'invalid_state',
  AgentFailed = 'agent_failed',
  AgentUnavailable = 'agent_unavailable',
  HandoffInvalid = 'handoff_invalid',
  DefinitionInvalid = 'definition_invalid',
  ActionFailed = 'action_failed',
}

/** Base class: `retryable` is decided where the error is made, never guessed later. */
export class InfraError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly retryable = false) {
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
    super(ErrorCode.HandoffInvalid, `${agent} did not produce a valid handoff (${details}). Retry the workflow or rephrase the request.`);
  }
}

export class DefinitionInvalidError extends InfraError {
  constructor(file: string, details: string) {
    super(ErrorCode.DefinitionInvalid, `${file} is invalid: ${details}. Fix the file and restart the bot.`);
  }
}

export class ActionFailedError extends InfraError {
  constructor(action: string, message: string, retryable: boolean) {
    super(ErrorCode.ActionFailed, `${action} failed: ${message}`, retryable);
  }
}

/** True when an error is worth another attempt (network blips, rate limits, overloads). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof InfraError) return error.retryable;
  const code = (error as { code?: string } | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === '40001' || code === '40P01';
}
