import type { Usage } from './handoff';

/** One call of the Messages API, as the agent runner or the router saw it. */
export interface ModelCall {
  /** The agent that made the call (`router` for the router). */
  agent: string;
  model: string;
  /** Wall-clock time of the call, SDK retries included. */
  seconds: number;
  /** `error`: the call threw (after the SDK's retries); no usage then. */
  outcome: 'ok' | 'error';
  usage?: Usage;
}

/** Receives every model call; the composition root passes one that feeds Prometheus. */
export type ModelCallRecorder = (call: ModelCall) => void;
