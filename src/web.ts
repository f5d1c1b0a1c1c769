import type { App } from '@slack/bolt';
import type { Queue } from 'bullmq';
import type IORedis from 'ioredis';
import type { Registry } from 'prom-client';
import { apiRoutes } from './api/api-routes';
import { callbackPolicyOf, type Config, targetOf } from './config/config';
import type { DecisionDeps } from './engine/deps';
import type { ErrorCounters } from './metrics/error-counters';
import { healthzRoute } from './metrics/healthz';
import { metricsRoute } from './metrics/prometheus';
import { queueDashboardRoutes } from './metrics/queue-dashboard';
import { slackFetch } from './metrics/tracing';
import type { RuntimeOptions } from './runtime-options';
import { createSlackApp } from './slack/app';

/**
 * Starts the web role: the Bolt receiver for Slack's requests, /healthz, /metrics, the HTTP API
 * (/api/v1) and, with INFRA_ADMIN_TOKEN, the queue dashboard at /admin/queues. It builds no agent
 * runner, tool registry or step action: its listeners and routes record decisions in Postgres, post in
 * the thread and queue jobs; everything that reaches an agent, a target database or GitHub is a job.
 */
export async function startWeb(
  config: Config,
  opts: RuntimeOptions,
  deps: {
    decisions: DecisionDeps;
    redis: IORedis;
    prometheus: Registry;
    errors: ErrorCounters;
    /** The queues the dashboard shows (INFRA_ADMIN_TOKEN). */
    queues: Queue[];
    now: () => Date;
  },
): Promise<{ app: App; port: number }> {
  const { decisions, redis, prometheus, errors, now } = deps;
  const dashboard = config.INFRA_ADMIN_TOKEN
    ? queueDashboardRoutes({ queues: deps.queues, token: config.INFRA_ADMIN_TOKEN, write: config.INFRA_ADMIN_WRITE })
    : [];
  const app = createSlackApp(
    {
      botToken: config.SLACK_BOT_TOKEN,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      botId: opts.botId,
      botUserId: opts.botUserId,
      retries: opts.slackRetries,
      fetch: slackFetch(errors.slack, opts.tracing),
      logger: opts.logger,
      routes: [
        { path: '/healthz', method: 'GET', handler: healthzRoute(decisions.pool, redis) },
        { path: '/metrics', method: 'GET', handler: metricsRoute(prometheus) },
        ...dashboard,
        // The HTTP API is mounted only with INFRA_API_TOKENS set; otherwise /api/v1/* answers 404.
        ...(config.INFRA_API_TOKENS
          ? apiRoutes({
              decisions,
              redis,
              prefix: config.INFRA_QUEUE_PREFIX,
              tokens: config.INFRA_API_TOKENS,
              ratePerMinute: config.INFRA_API_RATE_LIMIT,
              callbackPolicy: callbackPolicyOf(config),
              target: targetOf(config),
              now,
              logger: opts.logger,
            })
          : []),
      ],
    },
    {
      pool: decisions.pool,
      engine: decisions,
      target: targetOf(config),
      timeZone: config.INFRA_DIGEST_TZ,
      now,
      logger: opts.logger,
    },
  );
  const server = (await app.start(config.PORT)) as unknown as
    | { address(): { port: number } | string | null }
    | undefined;
  const address = server && typeof server.address === 'function' ? server.address() : null;
  return { app, port: address && typeof address === 'object' ? address.port : config.PORT };
}
