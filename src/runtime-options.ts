import type { ChangeTarget } from './changes/targets/change-target';
import type { AgentRunner } from './engine/ports/agent-runner';
import type { RouterModel } from './engine/ports/router-model';
import type { Compensator, StepAction } from './engine/ports/step-actions';
import type { Logger } from './logger';
import type { Tracing } from './metrics/tracing';

/** How src/main.ts, the tests and the demo start the roles (src/runtime.ts). */
export interface RuntimeOptions {
  roles: { web: boolean; worker: boolean };
  logger: Logger;
  /** Folders of the data files; default the repository's `workflows/` and `agents/`. */
  workflowsDir?: string;
  agentsDir?: string;
  /** Replacements for tests and embedders; the real ones are built from the config otherwise. */
  agentRunner?: AgentRunner;
  routerModel?: RouterModel;
  actions?: StepAction[];
  compensators?: Compensator[];
  /** Worker tuning (ms); tests shorten them so a killed worker's job is taken over quickly. */
  lockDuration?: number;
  stalledInterval?: number;
  /** Between status checks of a Supabase branch coming up (tests shorten it). */
  supabasePollIntervalMs?: number;
  /** Replaces the self-hosted target of TARGET_DATABASE_URL (the demo's embedded Postgres). */
  postgresTarget?: ChangeTarget;
  /** Milliseconds per second of GitHub's `retry-after` (default 1000); tests pass 1 to retry a rate limit at once. */
  githubRetryAfterBaseValue?: number;
  /** Web API client retries; undefined keeps the client's default policy. */
  slackRetries?: number;
  botId?: string;
  botUserId?: string;
  /** The clock of the metrics, the digest and the Home tab; default the system clock. */
  now?: () => Date;
  /** OpenTelemetry, started once per process by main.ts when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: Tracing;
}
