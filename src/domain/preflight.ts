import type { Workflow } from './records';

/** One line of the pre-flight checks the plan shows before the first step runs. */
export interface PreflightResult {
  name: string;
  ok: boolean;
  /** Passed, but worth a look (shown with a warning sign). */
  warn?: boolean;
  detail: string;
}

/** A pre-flight check ("environment available", …); the target lock is the engine's own. */
export interface PreflightCheck {
  name: string;
  run(workflow: Workflow): Promise<PreflightResult | PreflightResult[]>;
}
