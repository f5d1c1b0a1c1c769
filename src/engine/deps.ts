import type { Pool } from 'pg';
import type { AgentRunner } from './ports/agent-runner';
import type { RouterModel } from './ports/router-model';
import type { Logger } from '../logger';
import type { SlackPublisher } from './ports/slack-publisher';
import type { ThreadViews } from './ports/thread-views';
import type { ChangePipeline } from './ports/change-pipeline';
import type { WorkflowLibrary } from './plan/definitions-loader';
import type { PreflightCheck } from '../domain/preflight';
import type { JobQueue } from './ports/job-queue';
import type { Compensator, StepAction } from './ports/step-actions';

import type { GatePolicy } from '../domain/approval-policy';

/** Everything the engine needs, passed in by the composition root (tests pass fakes). */
export interface EngineDeps {
  pool: Pool;
  queue: JobQueue;
  slack: SlackPublisher;
  /** How the thread's messages look (src/views). */
  views: ThreadViews;
  agents: AgentRunner;
  router?: RouterModel;
  library: WorkflowLibrary;
  actions: Map<string, StepAction>;
  compensators: Map<string, Compensator>;
  preflight: PreflightCheck[];
  policy: GatePolicy;
  /** The change-safety pipeline: gate checks, the merge gate's contents, the merge, branch clean-up. */
  changes: ChangePipeline;
  /** Attempts for transient errors, as the queue is configured. */
  attempts: number;
  logger: Logger;
  /** Shortest time between two live-progress edits of a step's message (ms). */
  progressIntervalMs: number;
  /** How long a question waits for a reply: a reminder at half of it, the workflow stops at the end (ms). */
  replyTimeoutMs: number;
  /** Where the bot writes the workflow's files (INFRA_WORKSPACE_DIR). */
  workspaceDir: string;
}
