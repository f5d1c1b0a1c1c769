import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { Pool } from 'pg';
import { loadAgents } from './agents/agents-loader';
import { ClaudeAgentRunner } from './agents/claude-agent-runner';
import { ClaudeRouterModel } from './agents/claude-router-model';
import { pgAgentToolStore } from './agents/tools/pg-agent-tool-store';
import { createToolRegistry } from './agents/tools/tool-registry';
import { UnconfiguredAgentRunner } from './agents/unconfigured-agent-runner';
import {
  branchTestAction,
  deleteBranchCompensator,
  revertMigrationCompensator,
  rlsAuditAction,
  smokeTestAction,
} from './changes/actions/change-actions';
import { startCallbackDelivery } from './api/callbacks/callback-worker';
import { ciReviewAction } from './changes/actions/ci-review-action';
import { type CiDeps, ciRunAction, discardCiBranchCompensator } from './changes/actions/ci-run-action';
import { deleteFunctionCompensator, edgeFunctionTestAction } from './changes/actions/edge-function-action';
import { SafeChangePipeline } from './changes/change-pipeline';
import { loadSqlParser } from './changes/sql/sql-parser';
import { buildChangeSetup, checkBranchServer } from './changes/targets/build-change-target';
import type { ChangeTarget } from './changes/targets/change-target';
import { tracedBranchProvider } from './changes/targets/traced-branch-provider';
import { callbackPolicyOf, type Config } from './config/config';
import { buildGitHub } from './changes/targets/github-setup';
import { RepositoryMigrations } from './changes/targets/repository-migrations';
import { revertMigrationPullRequestCompensator } from './changes/actions/migration-pr-compensator';
import type { DecisionDeps, EngineDeps } from './engine/deps';
import { startWorkflowWorker } from './engine/jobs/job-processor';
import { reconcile } from './engine/jobs/reconciler';
import { closeWorker, RunningJobs } from './engine/jobs/running-jobs';
import { loadWorkflowLibrary } from './engine/plan/definitions-loader';
import { registry } from './engine/ports/step-actions';
import { loadChartLibraries } from './metrics/chart-render';
import { type digestQueue, scheduleDigest, startDigestWorker } from './metrics/digest-job';
import { anthropicCountingFetch, type ErrorCounters } from './metrics/error-counters';
import type { ModelCallRecorder } from './domain/model-call';
import type { RuntimeOptions } from './runtime-options';

const ROOT = join(__dirname, '..');
const REDIS_OPTIONS = { maxRetriesPerRequest: null, enableReadyCheck: true };

/** The worker role's own parts, and the change target they work on. */
export interface WorkerParts {
  target?: ChangeTarget;
  jobs: Omit<EngineDeps, keyof DecisionDeps>;
}

/**
 * Builds the worker role's parts before the process connects to Postgres or Redis (the pool connects
 * on first use): a misspelt agent, action or gate name, or a branch server that is production, stops
 * start-up here. Only the worker builds the agent runner, the agents' tools and the step actions.
 */
export async function prepareWorker(
  config: Config,
  opts: RuntimeOptions,
  shared: { pool: Pool; errors: ErrorCounters; modelCalls?: ModelCallRecorder },
): Promise<WorkerParts> {
  const log = opts.logger;
  const { pool, errors, modelCalls } = shared;
  const agentDefs = loadAgents(opts.agentsDir ?? join(ROOT, 'agents'));
  const github = buildGitHub(config, log, { retryAfterBaseValue: opts.githubRetryAfterBaseValue });
  const repository = github && new RepositoryMigrations(github);
  const setup = buildChangeSetup(config, log, {
    supabasePollIntervalMs: opts.supabasePollIntervalMs,
    postgresTarget: opts.postgresTarget,
    repository,
  });
  const { preflight } = setup;
  // With tracing, the SQL every action and agent tool runs on a branch is a span of the step's trace.
  const target =
    setup.target && opts.tracing
      ? { ...setup.target, provider: tracedBranchProvider(setup.target.provider) }
      : setup.target;
  const changeDeps = { target, pool, workspaceDir: config.INFRA_WORKSPACE_DIR };
  const ci: CiDeps = { github, pool, pollMs: config.INFRA_CI_POLL_MS, timeoutMs: config.INFRA_CI_TIMEOUT_MS };
  const actions = registry([
    branchTestAction(changeDeps),
    rlsAuditAction(changeDeps),
    smokeTestAction(changeDeps),
    edgeFunctionTestAction(changeDeps),
    ciReviewAction(),
    ciRunAction(ci),
    ...(opts.actions ?? []),
  ]);
  // A misspelt agent or action name stops start-up here, naming its file and field.
  const library = loadWorkflowLibrary(opts.workflowsDir ?? join(ROOT, 'workflows'), {
    agents: [...agentDefs.keys()],
    actions: [...actions.keys()],
  });
  await checkBranchServer(config, log, { postgresTarget: opts.postgresTarget });
  // Gate checks read SQL synchronously: the parser (WebAssembly) is loaded before any step runs.
  await loadSqlParser();

  const anthropic = config.ANTHROPIC_API_KEY
    ? new Anthropic({
        apiKey: config.ANTHROPIC_API_KEY,
        baseURL: config.ANTHROPIC_BASE_URL,
        maxRetries: config.ANTHROPIC_MAX_RETRIES,
        fetch: anthropicCountingFetch(errors.anthropic),
      })
    : undefined;
  const tools = createToolRegistry({
    branches: target?.provider,
    ...(target?.functions ? { functions: target.functions } : {}),
    store: pgAgentToolStore(pool),
    sql: { timeoutMs: config.INFRA_AGENT_SQL_TIMEOUT_MS, rowLimit: config.INFRA_AGENT_SQL_ROW_LIMIT },
  });
  const agents =
    opts.agentRunner ??
    (anthropic
      ? new ClaudeAgentRunner({
          client: anthropic,
          agents: agentDefs,
          tools,
          model: config.ANTHROPIC_MODEL,
          logger: log,
          maxTurns: config.INFRA_AGENT_TURN_LIMIT,
          tokenBudget: config.INFRA_STEP_TOKEN_BUDGET,
          timeBudgetMs: config.INFRA_STEP_TIME_BUDGET_MS,
          recordCall: modelCalls,
        })
      : new UnconfiguredAgentRunner());
  const routerDef = agentDefs.get('router');
  const router =
    opts.routerModel ??
    (anthropic && routerDef
      ? new ClaudeRouterModel({
          client: anthropic,
          router: routerDef,
          model: config.ANTHROPIC_MODEL,
          logger: log,
          recordCall: modelCalls,
        })
      : undefined);
  return {
    target,
    jobs: {
      agents,
      router,
      library,
      actions,
      compensators: registry([
        deleteBranchCompensator(changeDeps),
        revertMigrationCompensator(changeDeps),
        deleteFunctionCompensator(changeDeps),
        discardCiBranchCompensator(ci),
        revertMigrationPullRequestCompensator({ pool, repository }),
        ...(opts.compensators ?? []),
      ]),
      changes: new SafeChangePipeline({ pool, logger: log, target, ci: github ? ci : undefined, repository }),
      preflight,
      attempts: config.INFRA_STEP_ATTEMPTS,
      progressIntervalMs: config.INFRA_PROGRESS_INTERVAL_MS,
      replyTimeoutMs: config.INFRA_REPLY_TIMEOUT,
      workspaceDir: config.INFRA_WORKSPACE_DIR,
    },
  };
}

/**
 * Starts the worker role: the workflow worker, the reconciler on a timer, and the daily digest.
 * Returns the worker and the closers, in the order they must run.
 */
export async function startWorker(
  config: Config,
  opts: RuntimeOptions,
  engine: EngineDeps,
  digest: ReturnType<typeof digestQueue>,
  now: () => Date,
): Promise<{ worker: Worker; closers: Array<() => Promise<unknown>> }> {
  const log = opts.logger;
  const workerRedis = new IORedis(config.REDIS_URL, REDIS_OPTIONS);
  workerRedis.on('error', (err) => log.warn({ err: err.message }, 'Redis is unreachable; the worker waits for it'));
  const running = new RunningJobs();
  const worker = startWorkflowWorker(engine, {
    running,
    connection: workerRedis,
    prefix: config.INFRA_QUEUE_PREFIX,
    concurrency: config.INFRA_STEP_CONCURRENCY,
    telemetry: opts.tracing?.bullmq,
    lockDuration: opts.lockDuration ?? config.INFRA_JOB_LOCK_MS,
    stalledInterval: opts.stalledInterval ?? config.INFRA_STALLED_INTERVAL_MS,
    outage: { toleranceMs: config.INFRA_OUTAGE_TOLERANCE_MS, retryMaxMs: config.INFRA_OUTAGE_RETRY_MAX_MS },
  });
  const tick = () => reconcile(engine).catch((err) => log.warn({ err: (err as Error).message }, 'reconcile failed'));
  await tick();
  const timer = setInterval(tick, config.INFRA_RECONCILE_INTERVAL_MS);
  const closers: Array<() => Promise<unknown>> = [
    async () => clearInterval(timer),
    () => closeWorker(worker, running, config.INFRA_SHUTDOWN_GRACE_MS),
    () => workerRedis.quit(),
  ];
  if (config.INFRA_API_TOKENS) {
    const policy = callbackPolicyOf(config);
    closers.unshift(
      ...startCallbackDelivery(config, { pool: engine.pool, tokens: config.INFRA_API_TOKENS, policy, logger: log }),
    );
  }
  await scheduleDigest(digest, {
    channel: config.INFRA_DIGEST_CHANNEL,
    cron: config.INFRA_DIGEST_CRON,
    timeZone: config.INFRA_DIGEST_TZ,
  });
  if (config.INFRA_DIGEST_CHANNEL) {
    await loadChartLibraries();
    const digestRedis = new IORedis(config.REDIS_URL, REDIS_OPTIONS);
    digestRedis.on('error', (err) => log.warn({ err: err.message }, 'Redis is unreachable; the digest waits for it'));
    const digestRunning = new RunningJobs();
    const digestWorker = startDigestWorker(
      {
        pool: engine.pool,
        slack: engine.slack,
        timeZone: config.INFRA_DIGEST_TZ,
        fontDir: config.INFRA_CHART_FONT_DIR,
        now,
        logger: log,
      },
      { connection: digestRedis, prefix: config.INFRA_QUEUE_PREFIX, running: digestRunning },
    );
    closers.push(
      () => closeWorker(digestWorker, digestRunning, config.INFRA_SHUTDOWN_GRACE_MS),
      () => digestRedis.quit(),
    );
  }
  return { worker, closers };
}
