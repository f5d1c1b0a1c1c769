import { AgentFailedError } from '../domain/errors';
import type { AgentRunner } from '../engine/ports/agent-runner';

/** Used when no ANTHROPIC_API_KEY is set: every agent step fails at once with the fix. */
export class UnconfiguredAgentRunner implements AgentRunner {
  async run(): Promise<never> {
    throw new AgentFailedError(
      'No ANTHROPIC_API_KEY is set, so the agents cannot run. Set it (see the README) and start the request again.',
      false,
    );
  }
}
