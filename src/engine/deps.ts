import type { Pool } from 'pg';
import type { AgentRunner } from './ports/agent-runner';
import type { RouterModel } from './ports/router-model';
import type { Logger } from '../logger';
import type { SlackPublisher } from './ports/slack-publisher';
import type { ThreadViews } from './ports/thread-views';
import type { ChangePipeline } from './ports/change-pipeline';
import type { WorkflowLibrary } from './plan/definitions-loader';
import type { PreflightCheck } from '../domain/preflight';
import type { DueJobQueue, JobQueue } from './ports/job-queue';
import type { Compensator, StepAction } from './ports/step-actions';

import type { GatePolicy } from '../domain/approval-policy';

/**
 * What a click, a thread reply or a command needs: read and record in Postgres, post in the thread,
 * queue jobs. The web role builds only this; anything that reaches an agent, a target database or
 * GitHub is a job, run by a worker with {@link EngineDeps}.
 */
export interface DecisionDeps {
  pool: Pool;
  queue: JobQueue;
  slack: SlackPublisher;
  /** How the thread's messages look (src/views). */
  views: ThreadViews;
  policy: GatePolicy;
  /** How many attempts a gated step may have; Request changes is not offered on the last (INFRA_MAX_STEP_ATTEMPTS). */
  maxStepAttempts: number;
  logger: Logger;
}

/** What the worker's jobs need, passed in by the composition root (src/worker.ts). */
export interface EngineDeps extends DecisionDeps {
  queue: DueJobQueue;
  agents: AgentRunner;
  router?: RouterModel;
  library: WorkflowLibrary;
  actions: Map<string, StepAction>;
  compensators: Map<string, Compensator>;
  preflight: PreflightCheck[];
  /** The change-safety pipeline: gate checks, the merge gate's contents, the merge, branch clean-up. */
  changes: ChangePipeline;
  /** Attempts for transient errors, as the queue is configured. */
  attempts: number;
  /** Shortest time between two live-progress edits of a step's message (ms). */
  progressIntervalMs: number;
  /** How long a question waits for a reply: a reminder at half of it, the workflow stops at the end (ms). */
  replyTimeoutMs: number;
  /** Where the bot writes the workflow's files (INFRA_WORKSPACE_DIR). */
  workspaceDir: string;
}
