import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { App } from '@slack/bolt';
import { LogLevel, WebClient } from '@slack/web-api';
import type { Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { AgentRunner } from './engine/ports/agent-runner';
import { loadAgents } from './agents/agents-loader';
import { ClaudeAgentRunner } from './agents/claude-agent-runner';
import { ClaudeRouterModel } from './agents/claude-router-model';
import type { RouterModel } from './engine/ports/router-model';
import { createToolRegistry } from './agents/tools/tool-registry';
import { UnconfiguredAgentRunner } from './agents/unconfigured-agent-runner';
import {
  branchTestAction,
  deleteBranchCompensator,
  revertMigrationCompensator,
  rlsAuditAction,
  smokeTestAction,
} from './changes/actions/change-actions';
import { buildChangeSetup, checkBranchServer } from './changes/targets/build-change-target';
import type { ChangeTarget } from './changes/targets/change-target';
import { SafeChangePipeline } from './changes/change-pipeline';
import { ciReviewAction } from './changes/actions/ci-review-action';
import { ciRunAction, discardCiBranchCompensator, type CiDeps } from './changes/actions/ci-run-action';
import { deleteFunctionCompensator, edgeFunctionTestAction } from './changes/actions/edge-function-action';
import { loadSqlParser } from './changes/sql/sql-parser';
import { GitHubApi } from './changes/targets/github-api';
import { type Config, targetOf } from './config/config';
import type { Logger } from './logger';
import { digestQueue, scheduleDigest, startDigestWorker } from './metrics/digest-job';
import { anthropicCountingFetch, createErrorCounters, slackCountingFetch } from './metrics/error-counters';
import { metricsRoute, registerStoreMetrics } from './metrics/prometheus';
import { createSlackApp } from './slack/app';
import { WebApiPublisher } from './slack/publisher';
import { slackThreadViews } from './slack/thread-views';
import { pgAgentToolStore } from './agents/tools/pg-agent-tool-store';
import { createPool } from './store/db';
import { migrate } from './store/migrate';
import { loadWorkflowLibrary } from './engine/plan/definitions-loader';
import type { EngineDeps } from './engine/deps';
import { startWorkflowWorker } from './engine/jobs/job-processor';
import { BullJobQueue } from './engine/jobs/queues';
import { reconcile } from './engine/jobs/reconciler';
import { closeWorker, RunningJobs } from './engine/jobs/running-jobs';
import type { Compensator, StepAction } from './engine/ports/step-actions';
import { registry } from './engine/ports/step-actions';

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
  /** Web API client retries; undefined keeps the client's default policy. */
  slackRetries?: number;
  botId?: string;
  botUserId?: string;
  /** The clock of the metrics, the digest and the Home tab; default the system clock. */
  now?: () => Date;
}

export interface Runtime {
  engine: EngineDeps;
  /** The team's database (branches, merge, revert), when one is configured. */
  target?: ChangeTarget;
  app?: App;
  worker?: Worker;
  /** The HTTP port actually bound (useful with PORT=0). */
  port?: number;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..');

/**
 * Builds and starts the roles asked for. The web role serves Slack; the worker role runs jobs and the
 * reconciler. Both share the Postgres pool and the queue; schema migrations run first.
 */
export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const log = opts.logger;
  // The pool connects on first use: the data files below are checked before anything connects.
  const pool: Pool = createPool(config.DATABASE_URL);
  const agentDefs = loadAgents(opts.agentsDir ?? join(ROOT, 'agents'));
  const { target: change, preflight } = buildChangeSetup(config, log, {
    supabasePollIntervalMs: opts.supabasePollIntervalMs,
    postgresTarget: opts.postgresTarget,
  });
  const changeDeps = { target: change, pool, workspaceDir: config.INFRA_WORKSPACE_DIR };
  const github =
    config.GITHUB_TOKEN && config.GITHUB_REPOSITORY
      ? new GitHubApi({
          baseUrl: config.GITHUB_API_URL,
          token: config.GITHUB_TOKEN,
          repository: config.GITHUB_REPOSITORY,
        })
      : undefined;
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
  await migrate(pool);
  const redisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };
  const queueRedis = new IORedis(config.REDIS_URL, redisOptions);
  const queue = new BullJobQueue({
    connection: queueRedis,
    prefix: config.INFRA_QUEUE_PREFIX,
    attempts: config.INFRA_STEP_ATTEMPTS,
  });

  const now = opts.now ?? (() => new Date());
  const prometheus = new Registry();
  const errors = createErrorCounters(prometheus);

  const anthropic = config.ANTHROPIC_API_KEY
    ? new Anthropic({
        apiKey: config.ANTHROPIC_API_KEY,
        baseURL: config.ANTHROPIC_BASE_URL,
        maxRetries: config.ANTHROPIC_MAX_RETRIES,
        fetch: anthropicCountingFetch(errors.anthropic),
      })
    : undefined;
  const tools = createToolRegistry({
    branches: change?.provider,
    ...(change?.functions ? { functions: change.functions } : {}),
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
        })
      : new UnconfiguredAgentRunner());
  const routerDef = agentDefs.get('router');
  const router =
    opts.routerModel ??
    (anthropic && routerDef
      ? new ClaudeRouterModel({ client: anthropic, router: routerDef, model: config.ANTHROPIC_MODEL, logger: log })
      : undefined);

  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig:
      opts.slackRetries === undefined
        ? undefined
        : { retries: opts.slackRetries, factor: 1, minTimeout: 50, maxTimeout: 200 },
    logLevel: LogLevel.ERROR,
    fetch: slackCountingFetch(errors.slack),
  });

  const engine: EngineDeps = {
    pool,
    queue,
    slack: new WebApiPublisher(client, pool),
    views: slackThreadViews,
    agents,
    router,
    library,
    actions,
    compensators: registry([
      deleteBranchCompensator(changeDeps),
      revertMigrationCompensator(changeDeps),
      deleteFunctionCompensator(changeDeps),
      discardCiBranchCompensator(ci),
      ...(opts.compensators ?? []),
    ]),
    changes: new SafeChangePipeline({ pool, logger: log, target: change, ci: github ? ci : undefined }),
    preflight,
    policy: { approvers: config.INFRA_APPROVERS, requesterMayApproveMerge: config.INFRA_REQUESTER_MAY_APPROVE_MERGE },
    attempts: config.INFRA_STEP_ATTEMPTS,
    logger: log,
    progressIntervalMs: config.INFRA_PROGRESS_INTERVAL_MS,
    replyTimeoutMs: config.INFRA_REPLY_TIMEOUT,
    workspaceDir: config.INFRA_WORKSPACE_DIR,
  };

  const runtime: Runtime = { engine, target: change, stop: async () => undefined };
  const closers: Array<() => Promise<unknown>> = [];
  const digest = digestQueue(queueRedis, config.INFRA_QUEUE_PREFIX);

  if (opts.roles.worker) {
    const workerRedis = new IORedis(config.REDIS_URL, redisOptions);
    const running = new RunningJobs();
    const worker = startWorkflowWorker(engine, {
      running,
      connection: workerRedis,
      prefix: config.INFRA_QUEUE_PREFIX,
      concurrency: config.INFRA_STEP_CONCURRENCY,
      lockDuration: opts.lockDuration,
      stalledInterval: opts.stalledInterval,
    });
    const tick = () => reconcile(engine).catch((err) => log.warn({ err: (err as Error).message }, 'reconcile failed'));
    await tick();
    const timer = setInterval(tick, config.INFRA_RECONCILE_INTERVAL_MS);
    runtime.worker = worker;
    closers.push(
      async () => clearInterval(timer),
      () => closeWorker(worker, running, config.INFRA_SHUTDOWN_GRACE_MS),
      () => workerRedis.quit(),
    );

    await scheduleDigest(digest, {
      channel: config.INFRA_DIGEST_CHANNEL,
      cron: config.INFRA_DIGEST_CRON,
      timeZone: config.INFRA_DIGEST_TZ,
    });
    if (config.INFRA_DIGEST_CHANNEL) {
      const digestRedis = new IORedis(config.REDIS_URL, redisOptions);
      const digestRunning = new RunningJobs();
      const digestWorker = startDigestWorker(
        { pool, slack: engine.slack, timeZone: config.INFRA_DIGEST_TZ, now, logger: log },
        { connection: digestRedis, prefix: config.INFRA_QUEUE_PREFIX, running: digestRunning },
      );
      closers.push(
        () => closeWorker(digestWorker, digestRunning, config.INFRA_SHUTDOWN_GRACE_MS),
        () => digestRedis.quit(),
      );
    }
  }

  if (opts.roles.web) {
    const slackApp = createSlackApp(
      {
        botToken: config.SLACK_BOT_TOKEN,
        signingSecret: config.SLACK_SIGNING_SECRET,
        appToken: config.SLACK_APP_TOKEN,
        apiUrl: config.SLACK_API_URL,
        botId: opts.botId,
        botUserId: opts.botUserId,
        retries: opts.slackRetries,
        fetch: slackCountingFetch(errors.slack),
        logger: log,
        routes: [
          { path: '/healthz', method: 'GET', handler: healthz(pool, queueRedis) },
          { path: '/metrics', method: 'GET', handler: metricsRoute(prometheus) },
        ],
      },
      { pool, engine, target: targetOf(config), timeZone: config.INFRA_DIGEST_TZ, now, logger: log },
    );
    const server = (await slackApp.start(config.PORT)) as unknown as
      | { address(): { port: number } | string | null }
      | undefined;
    const address = server && typeof server.address === 'function' ? server.address() : null;
    runtime.port = address && typeof address === 'object' ? address.port : config.PORT;
    runtime.app = slackApp;
    closers.unshift(() => slackApp.stop());
  }

  if (opts.roles.web) registerStoreMetrics(prometheus, { pool, queues: [queue.queue, digest] });
  closers.push(
    () => digest.close(),
    () => queue.close(),
    () => queueRedis.quit(),
    () => pool.end(),
  );
  runtime.stop = async () => {
    for (const close of closers) {
      await close().catch((err) => log.warn({ err: (err as Error).message }, 'error while stopping'));
    }
  };
  return runtime;
}

function healthz(pool: Pool, redis: IORedis) {
  return (_req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    Promise.all([pool.query('SELECT 1'), redis.ping()])
      .then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      })
      .catch((err: Error) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: err.message.replace(/\/\/[^@]*@/, '//***@') }));
      });
  };
}
