import Anthropic from '@anthropic-ai/sdk';
import { AgentFailedError, InfraError } from '../domain/errors';

/**
 * Turns an error of a Messages API call into an AgentFailedError whose message says what to do.
 * Rate limits, overloads, server errors and connection failures are retryable (the SDK has already
 * retried them `maxRetries` times); a request Claude refuses is not. `who` names the caller, e.g. the agent.
 */
export function claudeCallError(error: unknown, who: string): InfraError {
  if (error instanceof InfraError) return error;
  if (error instanceof Anthropic.APIConnectionError) {
    const what = error instanceof Anthropic.APIConnectionTimeoutError ? 'timed out' : 'could not connect';
    return new AgentFailedError(
      `The call to Claude for ${who} ${what}; the step will retry. If it keeps failing, check the network and ANTHROPIC_BASE_URL.`,
      true,
    );
  }
  if (error instanceof Anthropic.APIUserAbortError) {
    return new AgentFailedError(`The call to Claude for ${who} was cancelled; the step will retry.`, true);
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status ?? 0;
    const detail = `${status}${error.apiMessage ? `: ${error.apiMessage}` : ''}${error.requestID ? `, request id ${error.requestID}` : ''}`;
    if (status === 529)
      return new AgentFailedError(`Claude is overloaded right now; the step will retry (${who}).`, true);
    if (status === 429) {
      return new AgentFailedError(
        `Claude's rate limit was reached for ${who}; the step will retry. If it keeps happening, lower ` +
          `INFRA_STEP_CONCURRENCY or raise the organization's rate limit.`,
        true,
      );
    }
    if (status >= 500 || status === 408 || status === 409) {
      return new AgentFailedError(
        `Claude answered with a temporary error (${detail}) for ${who}; the step will retry.`,
        true,
      );
    }
    return new AgentFailedError(`${refusal(status, who)} (${detail})`, false);
  }
  if (error instanceof Anthropic.AnthropicError) {
    return new AgentFailedError(
      `The Claude client refused to call the API for ${who}: ${error.message}. Check ANTHROPIC_API_KEY and restart the bot.`,
      false,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AgentFailedError(
    `The call to Claude for ${who} failed unexpectedly: ${message}. Report this with the bot's logs.`,
    false,
  );
}

function refusal(status: number, who: string): string {
  switch (status) {
    case 400:
      return (
        `Claude rejected the request for ${who} as invalid. Check the agent's definition in agents/ and ` +
        `ANTHROPIC_MODEL; if they look right, report this`
      );
    case 401:
      return 'Claude rejected the API key. Check ANTHROPIC_API_KEY and restart the bot';
    case 402:
      return "Claude refused the request for billing reasons. Check the Anthropic organization's billing and credit balance";
    case 403:
      return `The API key may not use this model or feature (${who}). Check the key's workspace permissions and ANTHROPIC_MODEL`;
    case 404:
      return (
        `Claude answered "not found" for ${who}: the model or endpoint does not exist. Check ` +
        `ANTHROPIC_MODEL, the agent's model and ANTHROPIC_BASE_URL`
      );
    case 413:
      return `The request for ${who} is too large for Claude. Shorten the request or the earlier artifacts and start it again`;
    default:
      return `Claude refused the request for ${who}. Check the bot's configuration and report this if it persists`;
  }
}
