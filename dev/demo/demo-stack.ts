import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { loadConfig } from '../../src/config/config';
import { postDailyDigest } from '../../src/metrics/digest-job';
import type { Logger } from '../../src/logger';
import { startRuntime, type Runtime } from '../../src/runtime';
import { startLocalSlack } from '../local-slack/local-slack-server';
import type { LocalSlack } from '../local-slack/local-slack';
import { ChannelPage } from '../local-slack/channel-page';
import type { PagePerson } from '../local-slack/channel-page-state';
import { embeddedChangeTarget } from '../embedded-postgres/embedded-branch-provider';
import { createDemoDatabases, type DemoOwner, type DemoPostgres } from './demo-databases';
import { SAMPLE_REQUESTS } from './sample-requests';
import { ScriptedAgentRunner } from './scripted-agent-runner';

/** The demo's channel and the people the page can act as. */
export const DEMO_CHANNEL = { id: 'C0DEMO0001', name: 'platform' };
export const DEMO_PEOPLE: PagePerson[] = [
  { id: 'U0DEMOREQ1', name: 'dana', role: 'requester' },
  { id: 'U0DEMOAPP1', name: 'sam', role: 'approver' },
  { id: 'U0DEMOAPP2', name: 'lee', role: 'second approver' },
  { id: 'U0DEMOSTR1', name: 'alex', role: 'not allowed to approve' },
];
const APPROVERS = DEMO_PEOPLE.filter((p) => p.role.includes('approver')).map((p) => p.id);

/** Settings of one demo stack; `startDemo` in main.ts and the browser test choose them. */
export interface DemoOptions {
  /** A Postgres server whose user may create databases, or the embedded one; the demo makes its own two databases there. */
  postgres: DemoPostgres;
  redisUrl: string;
  /** Names of the bot's database and of the target the workflows change. */
  databases: { bot: string; target: string };
  queuePrefix: string;
  /** The demo the databases are marked with on a server (default: a named demo called after the bot's database). */
  owner?: DemoOwner;
  /** Validation records, backups and merged migration files; emptied at start, as the target is recreated. */
  workspaceDir: string;
  /** Port of the page (and of the local Slack's Web API); 0 picks a free one. */
  port: number;
  /** Interface the page listens on; default 127.0.0.1 (this machine only). */
  host?: string;
  /** The person's environment: ANTHROPIC_API_KEY and friends, LOG_LEVEL. Slack and database settings are the demo's. */
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Drop the databases and the queue's keys when the demo stops (tests); a person's demo keeps them to look at. */
  cleanUpOnStop?: boolean;
}

/** A running demo: the page's URL, the local Slack behind it, the bot, and how to stop it all. */
export interface Demo {
  pageUrl: string;
  slack: LocalSlack;
  runtime: Runtime;
  /** True when the scripted model stands in for Claude. */
  scripted: boolean;
  stop(): Promise<void>;
}

/**
 * Starts the local Slack with its channel page, the bot (web and worker roles) against it, and the demo's databases:
 * the target is a Supabase-shaped Postgres database, so the migration round trip and the RLS audit
 * run for real. Without ANTHROPIC_API_KEY the scripted model stands in for Claude.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  await deleteQueueKeys(options.redisUrl, options.queuePrefix);
  // Migration files merged by an earlier demo would be pending against the new target and stop pre-flight.
  await rm(options.workspaceDir, { recursive: true, force: true });
  const databases = await createDemoDatabases(options.postgres, options.databases, options.owner);
  const signingSecret = randomBytes(16).toString('hex');
  let digest: (() => Promise<string>) | undefined;
  const page = new ChannelPage({
    channel: DEMO_CHANNEL,
    people: DEMO_PEOPLE,
    signingSecret,
    suggestions: [...SAMPLE_REQUESTS.map((s) => `/infra ${s.request}`), '/infra metrics', '/infra list', '/infra help'],
    tasks: [
      { label: "Post today's digest", run: () => (digest ? digest() : Promise.resolve('the bot is still starting')) },
    ],
  });
  const slack = await startLocalSlack({
    port: options.port,
    host: options.host,
    extraRoutes: (req, res, url) => page.handle(req, res, url),
  });
  const config = loadConfig({
    // The demo's branches go beside its target (its own throwaway database), still under per-branch roles;
    // an INFRA_BRANCH_DATABASE_URL in the environment puts them on that server instead.
    INFRA_ALLOW_SHARED_BRANCH_SERVER: 'true',
    ...options.env,
    SLACK_BOT_TOKEN: 'xoxb-local-demo',
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: databases.botUrl,
    REDIS_URL: options.redisUrl,
    TARGET_DATABASE_URL: databases.targetUrl,
    SUPABASE_ACCESS_TOKEN: '',
    SUPABASE_PROJECT_REF: '',
    INFRA_MIGRATIONS_DIR: '',
    INFRA_APPROVERS: APPROVERS.join(','),
    INFRA_DIGEST_CHANNEL: DEMO_CHANNEL.id,
    INFRA_QUEUE_PREFIX: options.queuePrefix,
    INFRA_WORKSPACE_DIR: options.workspaceDir,
    INFRA_RECONCILE_INTERVAL_MS: '5000',
    INFRA_SHUTDOWN_GRACE_MS: '1000',
    // The local Slack enforces no rate limit: the demo's thread fills as fast as the bot works.
    INFRA_SLACK_POST_INTERVAL_MS: '0',
    INFRA_SLACK_UPDATE_INTERVAL_MS: '0',
    INFRA_SLACK_FILE_INTERVAL_MS: '0',
    PORT: '0',
  });
  const scripted = config.ANTHROPIC_API_KEY === undefined;
  const runtime = await startRuntime(config, {
    roles: { web: true, worker: true },
    logger: options.logger,
    agentRunner: scripted ? new ScriptedAgentRunner() : undefined,
    botId: slack.botId,
    botUserId: slack.botUserId,
    slackRetries: 2,
    postgresTarget: databases.embedded
      ? embeddedChangeTarget({
          server: databases.embedded,
          target: options.databases.target,
          backupDir: join(options.workspaceDir, 'backups'),
          logger: options.logger,
        })
      : undefined,
  });
  page.connect(slack, `http://127.0.0.1:${runtime.port}/slack/events`);
  // What the digest's job scheduler does at INFRA_DIGEST_CRON, on request: one digest per channel and day.
  const digestDeps = {
    pool: runtime.decisions.pool,
    slack: runtime.decisions.slack,
    timeZone: config.INFRA_DIGEST_TZ,
    fontDir: config.INFRA_CHART_FONT_DIR,
    now: () => new Date(),
    logger: options.logger,
  };
  digest = async () =>
    (await postDailyDigest(digestDeps, DEMO_CHANNEL.id)) === 'posted'
      ? 'posted in #platform'
      : 'already posted today (one digest per channel and day)';
  const pageUrl = slack.apiUrl.replace(/\/api\/$/, '/');
  return {
    pageUrl,
    slack,
    runtime,
    scripted,
    stop: async () => {
      await runtime.stop();
      await slack.close();
      if (options.cleanUpOnStop) {
        await deleteQueueKeys(options.redisUrl, options.queuePrefix);
        await databases.drop();
      }
    },
  };
}

/** Removes a queue prefix's keys, so a demo starts (or ends) with no jobs of an earlier one. */
async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
