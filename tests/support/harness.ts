import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { type Config, loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { Registry } from 'prom-client';
import type { EngineDeps } from '../../src/engine/deps';
import { createErrorCounters } from '../../src/metrics/error-counters';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../src/runtime';
import { prepareWorker } from '../../src/worker';
import { type FakeAnthropic, startFakeAnthropic } from './fake-anthropic';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlack, LocalSlackMessage, LocalSlackOptions } from '../../dev/local-slack/local-slack';
import {
  blockActionsBody,
  messageEventBody,
  postToSlackEvents,
  slashCommandBody,
  type SlackPostResult,
} from '../../dev/local-slack/slack-requests';

export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const CHANNEL = 'C0INFRA001';
export const REQUESTER = 'U0REQUEST1';
export const APPROVER = 'U0APPROVE1';
export const SECOND_APPROVER = 'U0APPROVE2';
export const STRANGER = 'U0STRANGE1';

/** A database of its own for one test, dropped afterwards. */
export async function createTestDatabase(
  base = BASE_DATABASE_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `infra_test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: base, max: 1 });
  // The admin's idle connection may be dropped by a test that restarts its own server.
  admin.on('error', () => undefined);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Deletes every Redis key of a queue prefix. */
export async function deleteQueueKeys(prefix: string): Promise<number> {
  const redis = new IORedis(REDIS_URL);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  runtime?: Partial<RuntimeOptions>;
  /** Start the worker role in this process (default true). */
  worker?: boolean;
  /** Options of the fake Slack, e.g. its rate limits. */
  slack?: LocalSlackOptions;
  /** The Postgres server of the bot's database (a URL of a database to connect to for CREATE DATABASE). */
  databaseUrl?: string;
}

/** The bot, a fake Slack and a fake Claude, wired as in production; `close()` leaves nothing behind. */
export class Harness {
  slack!: LocalSlack;
  claude!: FakeAnthropic;
  runtime!: Runtime;
  config!: Config;
  url!: string;
  prefix = `infra-test-${randomBytes(5).toString('hex')}`;
  /** The bot's workspace (validation records, backups), removed by `close()`. */
  workspace = mkdtempSync(join(tmpdir(), 'infra-ws-'));
  private db!: { url: string; drop: () => Promise<void> };
  private eventSeq = 0;
  private extra: Runtime[] = [];

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const h = new Harness();
    await h.init(opts);
    return h;
  }

  private async init(opts: HarnessOptions): Promise<void> {
    this.db = await createTestDatabase(opts.databaseUrl);
    this.slack = await startLocalSlack(opts.slack);
    this.claude = await startFakeAnthropic();
    this.config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: this.slack.apiUrl,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: this.claude.baseUrl,
      ANTHROPIC_MODEL: 'claude-sonnet-4-6',
      DATABASE_URL: this.db.url,
      REDIS_URL,
      INFRA_QUEUE_PREFIX: this.prefix,
      // Explicit: unset, the bot lets nobody decide (fails closed); a test for everyone passes '*'.
      INFRA_APPROVERS: `${APPROVER},${SECOND_APPROVER}`,
      INFRA_RECONCILE_INTERVAL_MS: '500',
      INFRA_SHUTDOWN_GRACE_MS: '500',
      INFRA_WORKSPACE_DIR: this.workspace,
      // Branches of a TARGET_DATABASE_URL go on the test branch server, as in production.
      INFRA_BRANCH_DATABASE_URL: process.env.TEST_BRANCH_DATABASE_URL ?? '',
      PORT: '0',
      LOG_LEVEL: 'silent',
      // Unspaced unless a test asks for Slack's rate (the fake Slack enforces none unless told to).
      INFRA_SLACK_POST_INTERVAL_MS: '0',
      INFRA_SLACK_UPDATE_INTERVAL_MS: '0',
      INFRA_SLACK_FILE_INTERVAL_MS: '0',
      // The chart's fonts: Debian's folder by default; .ci/run points it at Homebrew's on macOS.
      ...(process.env.INFRA_CHART_FONT_DIR ? { INFRA_CHART_FONT_DIR: process.env.INFRA_CHART_FONT_DIR } : {}),
      ...opts.env,
    });
    this.runtime = await this.startRuntime({ web: true, worker: opts.worker ?? true }, opts.runtime);
    this.url = `http://127.0.0.1:${this.runtime.port}/slack/events`;
  }

  /** Another process's worth of roles on the same Postgres and Redis (another replica). */
  async startRuntime(roles: { web: boolean; worker: boolean }, extra: Partial<RuntimeOptions> = {}): Promise<Runtime> {
    const runtime = await startRuntime(this.config, {
      roles,
      logger: createLogger('silent'),
      slackRetries: 0,
      botId: this.slack.botId,
      botUserId: this.slack.botUserId,
      lockDuration: 2000,
      stalledInterval: 1000,
      ...extra,
    });
    if (this.runtime) this.extra.push(runtime);
    return runtime;
  }

  get pool(): Pool {
    return this.runtime.decisions.pool;
  }

  /**
   * A worker's engine on this harness's Postgres, Redis and Slack, with no worker taking jobs: for tests
   * that run a job's function by hand while the web role alone is up.
   */
  async workerEngine(extra: Partial<RuntimeOptions> = {}): Promise<EngineDeps> {
    const opts: RuntimeOptions = { roles: { web: false, worker: true }, logger: createLogger('silent'), ...extra };
    const parts = await prepareWorker(this.config, opts, {
      pool: this.pool,
      errors: createErrorCounters(new Registry()),
    });
    return { ...this.runtime.decisions, ...parts.jobs, queue: this.runtime.queue };
  }

  /** Types `/infra <text>` as `user`; returns the HTTP answer (Bolt's ack body). */
  command(text: string, user = REQUESTER): Promise<SlackPostResult> {
    const body = slashCommandBody({
      command: '/infra',
      text,
      userId: user,
      channelId: CHANNEL,
      teamId: this.slack.teamId,
      responseUrl: this.slack.responseUrl(`cmd-${++this.eventSeq}`),
    });
    return postToSlackEvents(this.url, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
  }

  /** The root message of the n-th workflow posted in the channel (1-based), once it exists. */
  async root(n = 1): Promise<LocalSlackMessage> {
    return this.slack.waitFor(() => this.slack.channelMessages(CHANNEL)[n - 1], { description: `root message #${n}` });
  }

  thread(root: LocalSlackMessage): LocalSlackMessage[] {
    return this.slack.thread(CHANNEL, root.ts);
  }

  threadTexts(root: LocalSlackMessage): string[] {
    return this.thread(root).map((m) => textOf(m));
  }

  /** Waits for a thread message whose text matches. */
  async waitForInThread(root: LocalSlackMessage, pattern: RegExp, timeoutMs = 20000): Promise<LocalSlackMessage> {
    return this.slack.waitFor(() => this.thread(root).find((m) => pattern.test(textOf(m))), {
      description: `thread message matching ${pattern}`,
      timeoutMs,
    });
  }

  /** The open gate message with the given title, once it is posted with its buttons. */
  async openGate(root: LocalSlackMessage, title: string): Promise<LocalSlackMessage> {
    return this.slack.waitFor(
      () =>
        this.thread(root).find(
          (m) => textOf(m).includes(title) && JSON.stringify(m.blocks ?? []).includes('gate_approve'),
        ),
      { description: `open gate "${title}"` },
    );
  }

  /** Clicks a button of a gate message as `user`, exactly as Slack sends it. */
  click(message: LocalSlackMessage, action: 'approve' | 'reject' | 'rollback', user: string): Promise<SlackPostResult> {
    return this.clickButton(message, `gate_${action}`, user);
  }

  /** Clicks the button with `actionId` on a message as `user`. */
  clickButton(message: LocalSlackMessage, actionId: string, user: string): Promise<SlackPostResult> {
    const actions = (message.blocks ?? []).find((b) => b.type === 'actions') as
      | { block_id: string; elements: Array<{ action_id: string; value: string }> }
      | undefined;
    const button = actions?.elements.find((e) => e.action_id === actionId);
    if (!actions || !button) throw new Error(`no ${actionId} button on ${textOf(message)}`);
    const body = blockActionsBody({
      userId: user,
      channelId: CHANNEL,
      teamId: this.slack.teamId,
      messageTs: message.ts,
      threadTs: message.thread_ts,
      actionId: button.action_id,
      blockId: actions.block_id,
      value: button.value,
      responseUrl: this.slack.responseUrl(`click-${++this.eventSeq}`),
      message: { text: message.text, blocks: message.blocks, user: message.user },
    });
    return postToSlackEvents(this.url, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
  }

  /** A person replies in the thread: the message lands in Slack, then Slack sends the event. */
  reply(root: LocalSlackMessage, text: string, user = REQUESTER): Promise<SlackPostResult> {
    const posted = this.slack.addUserMessage({ channel: CHANNEL, user, text, thread_ts: root.ts });
    const body = messageEventBody({
      eventId: `Ev${++this.eventSeq}${randomBytes(3).toString('hex')}`,
      teamId: this.slack.teamId,
      channelId: CHANNEL,
      userId: user,
      text,
      ts: posted.ts,
      threadTs: root.ts,
    });
    return postToSlackEvents(this.url, body, { signingSecret: SIGNING_SECRET, contentType: 'application/json' });
  }

  /** The workflow's state in Postgres, the source of truth. */
  async workflowState(id = 1): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ state: string }>('SELECT state FROM workflows WHERE id = $1', [id]);
    return rows[0]?.state;
  }

  async waitForState(state: string, id = 1): Promise<void> {
    const deadline = Date.now() + 20000;
    let last: string | undefined;
    while (Date.now() < deadline) {
      last = await this.workflowState(id);
      if (last === state) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`workflow #${id} is ${last}, not ${state}\n${this.slack.dump()}`);
  }

  async events(id = 1): Promise<Array<{ type: string; actor: string | null }>> {
    const { rows } = await this.pool.query('SELECT type, actor FROM events WHERE workflow_id = $1 ORDER BY id', [id]);
    return rows;
  }

  async close(): Promise<void> {
    for (const r of this.extra) await r.stop();
    await this.runtime?.stop();
    await this.claude?.close();
    await this.slack?.close();
    await deleteQueueKeys(this.prefix);
    await this.db?.drop();
    rmSync(this.workspace, { recursive: true, force: true });
  }
}
