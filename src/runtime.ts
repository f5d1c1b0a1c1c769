import IORedis from 'ioredis';
import type { App } from '@slack/bolt';
import { LogLevel, WebClient } from '@slack/web-api';
import type { Worker } from 'bullmq';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { ChangeTarget } from './changes/targets/change-target';
import type { Config } from './config/config';
import type { DecisionDeps, EngineDeps } from './engine/deps';
import { BullJobQueue } from './engine/jobs/queues';
import type { DueJobQueue } from './engine/ports/job-queue';
import { digestQueue } from './metrics/digest-job';
import { createErrorCounters } from './metrics/error-counters';
import { healthzRoute } from './metrics/healthz';
import { startMetricsServer } from './metrics/metrics-server';
import { modelCallMetrics } from './metrics/model-call-metrics';
import { metricsRoute, registerStoreMetrics } from './metrics/prometheus';
import { slackFetch, tracedModelCalls } from './metrics/tracing';
import { TracedJobQueue } from './metrics/workflow-trace';
import { ChannelLimiter } from './slack/delivery/channel-limiter';
import { DeliveryQueue } from './slack/delivery/delivery-queue';
import { ApproverGroups, livePolicy } from './slack/approver-groups';
import { WebApiPublisher } from './slack/publisher';
import { slackThreadViews } from './slack/thread-views';
import { checkPostgres, checkRedis } from './service-reachability';
import { createPool } from './store/db';
import { migrate } from './store/migrate';
import { startWeb } from './web';
import { prepareWorker, startWorker } from './worker';
import type { RuntimeOptions } from './runtime-options';

export type { RuntimeOptions } from './runtime-options';

export interface Runtime {
  /** What the web role's listeners use (Postgres, queue, Slack, views, policy). */
  decisions: DecisionDeps;
  /** The worker role's engine; absent in a web-only process. */
  engine?: EngineDeps;
  /** The workflow queue, as the worker and the reconciler use it. */
  queue: DueJobQueue;
  /** The team's database (branches, merge, revert), when one is configured. */
  target?: ChangeTarget;
  app?: App;
  worker?: Worker;
  /** The HTTP port actually bound (useful with PORT=0). */
  port?: number;
  /** A worker-only process's /metrics and /healthz port (INFRA_WORKER_METRICS_PORT), as bound. */
  metricsPort?: number;
  stop(): Promise<void>;
}

/**
 * Builds and starts the roles asked for (src/web.ts, src/worker.ts). Both share the Postgres pool, the
 * queue and the Slack publisher; the worker's parts are checked before anything connects, and schema
 * migrations run before either role starts.
 */
export async function startRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const log = opts.logger;
  // The pool connects on first use: the worker's data files are checked before anything connects.
  const pool: Pool = createPool(config.DATABASE_URL, 10, (err) =>
    log.warn({ err: err.message }, 'a Postgres connection was dropped; the call that used it fails'),
  );
  const prometheus = new Registry();
  const errors = createErrorCounters(prometheus);
  const counted = modelCallMetrics(prometheus);
  const modelCalls = opts.tracing ? tracedModelCalls(opts.tracing.tracer, counted) : counted;
  const parts = opts.roles.worker ? await prepareWorker(config, opts, { pool, errors, modelCalls }) : undefined;
  // A server that cannot be reached is named by its setting, not by a bare ECONNREFUSED.
  await checkPostgres('DATABASE_URL', config.DATABASE_URL);
  await checkRedis('REDIS_URL', config.REDIS_URL);
  await migrate(pool);
  const queueRedis = new IORedis(config.REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true });
  const redisDown = (err: Error) => log.warn({ err: err.message }, 'Redis is unreachable; jobs wait for it');
  queueRedis.on('error', redisDown);
  const queue = new BullJobQueue(
    {
      connection: queueRedis,
      prefix: config.INFRA_QUEUE_PREFIX,
      attempts: config.INFRA_STEP_ATTEMPTS,
      telemetry: opts.tracing?.bullmq,
    },
    redisDown,
  );
  // With tracing, every role enqueues under the workflow's own trace (src/metrics/workflow-trace.ts).
  const jobs: DueJobQueue = opts.tracing ? new TracedJobQueue(queue, opts.tracing.tracer, pool) : queue;
  const now = opts.now ?? (() => new Date());
  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig:
      opts.slackRetries === undefined
        ? undefined
        : { retries: opts.slackRetries, factor: 1, minTimeout: 50, maxTimeout: 200 },
    logLevel: LogLevel.ERROR,
    fetch: slackFetch(errors.slack, opts.tracing),
    // The delivery queue waits out a 429's Retry-After for the whole channel, in every process.
    rejectRateLimitedCalls: true,
  });
  const delivery = new DeliveryQueue(
    new ChannelLimiter(queueRedis, config.INFRA_QUEUE_PREFIX),
    {
      postIntervalMs: config.INFRA_SLACK_POST_INTERVAL_MS,
      updateIntervalMs: config.INFRA_SLACK_UPDATE_INTERVAL_MS,
      fileIntervalMs: config.INFRA_SLACK_FILE_INTERVAL_MS,
    },
    log,
  );
  // Read before either role starts, so the first gate already knows the groups' members.
  const groups = config.INFRA_APPROVER_GROUPS?.length
    ? new ApproverGroups(client, config.INFRA_APPROVER_GROUPS, log)
    : undefined;
  await groups?.start(config.INFRA_APPROVER_GROUPS_REFRESH);
  const decisions: DecisionDeps = {
    pool,
    queue: jobs,
    slack: new WebApiPublisher(client, pool, delivery, log),
    views: slackThreadViews,
    policy: livePolicy(
      { approvers: config.INFRA_APPROVERS, requesterMayApproveMerge: config.INFRA_REQUESTER_MAY_APPROVE_MERGE },
      groups,
    ),
    maxStepAttempts: config.INFRA_MAX_STEP_ATTEMPTS,
    logger: log,
  };
  const engine: EngineDeps | undefined = parts && { ...decisions, ...parts.jobs, queue: jobs };
  const runtime: Runtime = { decisions, engine, queue: jobs, target: parts?.target, stop: async () => undefined };
  const closers: Array<() => Promise<unknown>> = [];
  const digest = digestQueue(queueRedis, config.INFRA_QUEUE_PREFIX);
  digest.on('error', redisDown);

  if (engine) {
    const started = await startWorker(config, opts, engine, digest, now);
    runtime.worker = started.worker;
    closers.push(...started.closers);
  }
  if (opts.roles.web) {
    const web = await startWeb(config, opts, {
      decisions,
      redis: queueRedis,
      prometheus,
      errors,
      queues: [queue.queue, digest],
      now,
    });
    runtime.app = web.app;
    runtime.port = web.port;
    closers.unshift(() => web.app.stop());
    registerStoreMetrics(prometheus, { pool, queues: [queue.queue, digest] });
    if (config.INFRA_WORKER_METRICS_PORT !== undefined && engine) {
      log.info(
        { port: runtime.port },
        'INFRA_WORKER_METRICS_PORT is not used: web and worker run in one process, whose GET /metrics on PORT has both',
      );
    }
  } else if (config.INFRA_WORKER_METRICS_PORT !== undefined) {
    const server = await startMetricsServer(config.INFRA_WORKER_METRICS_PORT, {
      metrics: metricsRoute(prometheus),
      healthz: healthzRoute(pool, queueRedis),
    });
    runtime.metricsPort = server.port;
    closers.unshift(() => server.close());
  }
  closers.push(
    async () => groups?.stop(),
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
