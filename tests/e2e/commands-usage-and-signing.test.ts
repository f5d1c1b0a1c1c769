/** /infra usage, bad input, a new request, request signing and Slack retries, over signed HTTP. */
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import {
  CHANNEL,
  Harness,
  type HarnessOptions,
  REDIS_URL,
  REQUESTER,
  SIGNING_SECRET,
  STRANGER,
} from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { scriptSchemaChange } from '../support/scripted-agents';
import { messageEventBody, postToSlackEvents, slashCommandBody } from '../../dev/local-slack/slack-requests';

const REQUEST = 'Add a new table for user preferences';

interface AckJson {
  response_type?: string;
  text?: string;
  blocks?: unknown[];
}

const countRows = async (h: Harness, sql: string): Promise<number> =>
  Number((await h.pool.query<{ count: string }>(sql)).rows[0]!.count);

/** BullMQ job hashes of this test's prefix (`<prefix>:workflow:plan-1`, `...:step-3-g0`, ...). */
async function jobKeys(h: Harness): Promise<string[]> {
  const redis = new IORedis(REDIS_URL);
  try {
    const keys = await redis.keys(`${h.prefix}:*`);
    return keys.filter((k) => /:(plan|step|rollback)-[^:]+$/.test(k)).sort();
  } finally {
    redis.disconnect();
  }
}

/** Nothing was started: no workflow row, no job in Redis, no message posted, even a moment later. */
async function expectNothingQueued(h: Harness): Promise<void> {
  await sleep(300);
  expect(await countRows(h, 'select count(*) from workflows')).toBe(0);
  expect(await jobKeys(h)).toEqual([]);
  expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
  expect(h.slack.channelMessages(CHANNEL)).toHaveLength(0);
}

/** A slash command as Slack would send it, signed with whatever the test says. */
function rawCommand(h: Harness, text: string, sign: { signature?: string; timestamp?: number }) {
  const body = slashCommandBody({
    command: '/infra',
    text,
    userId: REQUESTER,
    channelId: CHANNEL,
    teamId: h.slack.teamId,
    responseUrl: h.slack.responseUrl('raw-cmd'),
  });
  return postToSlackEvents(h.url, body, {
    signingSecret: SIGNING_SECRET,
    contentType: 'application/x-www-form-urlencoded',
    ...sign,
  });
}

describe('/infra subcommands over signed HTTP', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  /** The bot without a worker: whatever the web role queues stays in Redis, where the test can see it. */
  const startWebOnly = async (opts: HarnessOptions = {}) => {
    h = await Harness.start({ ...opts, worker: false });
  };

  /** A schema-change workflow #1 waiting at its first gate (API Review). */
  async function startAtFirstGate(): Promise<{ root: LocalSlackMessage; gate: LocalSlackMessage }> {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const ack = await h.command(REQUEST);
    expect(ack.status).toBe(200);
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    await h.waitForState('waiting_gate');
    return { root, gate };
  }

  describe('usage and bad input', () => {
    it('answers /infra with no text with an ephemeral usage text and queues nothing', async () => {
      await startWebOnly();
      const ack = await h.command('');
      expect(ack.status).toBe(200);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      expect(textOf(json)).toContain('Tell me what you need');
      expect(textOf(json)).toContain('Usage: /infra <request> | status <id> | list | cancel <id> | help');
      await expectNothingQueued(h);
      expect(h.slack.responses).toHaveLength(0);
      h.slack.assertNoUnexpected();
    });

    it('answers /infra help with the ephemeral usage of every subcommand and queues nothing', async () => {
      await startWebOnly();
      const ack = await h.command('help');
      expect(ack.status).toBe(200);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      const text = textOf(json);
      for (const usage of [
        '/infra <request>',
        '/infra status <id>',
        '/infra list',
        '/infra cancel <id>',
        '/infra help',
      ])
        expect(text).toContain(usage);
      expect(text).not.toContain('Tell me what you need');
      await expectNothingQueued(h);
      h.slack.assertNoUnexpected();
    });

    it('refuses a request over 3,000 characters with an ephemeral error naming the limit and queues nothing', async () => {
      await startWebOnly();
      const request = `Add a new table for user preferences. ${'Details of the columns. '.repeat(130)}`.trim();
      expect(request.length).toBeGreaterThan(3000);
      const ack = await h.command(request);
      expect(ack.status).toBe(200);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      expect(json.text).toContain(`Your request is ${request.length.toLocaleString('en-US')} characters`);
      expect(json.text).toContain('the limit is 3,000');
      expect(textOf(json)).toContain(':warning:');
      await expectNothingQueued(h);
      h.slack.assertNoUnexpected();
    });

    it('says there is no workflow #999 when asked for its status', async () => {
      await startWebOnly();
      const ack = await h.command('status 999');
      expect(ack.status).toBe(200);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      expect(json.text).toContain('There is no workflow #999');
      await expectNothingQueued(h);
      h.slack.assertNoUnexpected();
    });
  });

  describe('a request', () => {
    it('is answered in the ack itself, ephemerally, with its workflow number (no response_url round trip)', async () => {
      await startWebOnly();
      const ack = await h.command(REQUEST);
      expect(ack.status).toBe(200);
      expect(ack.elapsedMs).toBeLessThan(3000);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      expect(json.text).toContain('Got it: workflow #1 is being planned');
      expect(h.slack.responses).toEqual([]);

      const { rows } = await h.pool.query('select id, request, requester, channel_id, state from workflows');
      expect(rows).toEqual([
        { id: '1', request: REQUEST, requester: REQUESTER, channel_id: CHANNEL, state: 'planned' },
      ]);
      // Without a worker the plan job waits in Redis; this is also what makes expectNothingQueued meaningful.
      expect((await jobKeys(h)).map((k) => k.slice(h.prefix.length))).toEqual([':workflow:plan-1']);
      h.slack.assertNoUnexpected();
    });
  });

  describe('request signing', () => {
    it('answers 401 to a slash command with a wrong signature and queues nothing', async () => {
      await startWebOnly();
      const res = await rawCommand(h, REQUEST, { signature: `v0=${'0'.repeat(64)}` });
      expect(res.status).toBe(401);
      await expectNothingQueued(h);
      expect(h.slack.responses).toHaveLength(0);
      h.slack.assertNoUnexpected();
    });

    it('answers 401 to a correctly signed slash command whose timestamp is 6 minutes old and queues nothing', async () => {
      await startWebOnly();
      const res = await rawCommand(h, REQUEST, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
      expect(res.status).toBe(401);
      await expectNothingQueued(h);
      expect(h.slack.responses).toHaveLength(0);
      h.slack.assertNoUnexpected();
    });

    it('accepts the same slash command signed now (control for the two refusals above)', async () => {
      await startWebOnly();
      const res = await rawCommand(h, REQUEST, {});
      expect(res.status).toBe(200);
      expect((res.json as AckJson).text).toMatch(/Got it: workflow #1\b/);
      h.slack.assertNoUnexpected();
    });
  });

  describe('Slack retries', () => {
    it('records a thread reply once when Slack delivers the same event twice (second with retry-num 1)', async () => {
      const { root } = await startAtFirstGate();
      const text = 'Please also add a timezone column';
      const posted = h.slack.addUserMessage({ channel: CHANNEL, user: STRANGER, text, thread_ts: root.ts });
      const body = messageEventBody({
        eventId: 'Ev0RETRY0001',
        teamId: h.slack.teamId,
        channelId: CHANNEL,
        userId: STRANGER,
        text,
        ts: posted.ts,
        threadTs: root.ts,
      });
      const post = (retryNum?: number) =>
        postToSlackEvents(h.url, body, { signingSecret: SIGNING_SECRET, contentType: 'application/json', retryNum });

      expect((await post()).status).toBe(200);
      const comments = () => countRows(h, "select count(*) from events where type = 'thread_comment'");
      const deadline = Date.now() + 5000;
      while ((await comments()) === 0 && Date.now() < deadline) await sleep(25);
      expect(await comments()).toBe(1);

      expect((await post(1)).status).toBe(200);
      await sleep(300);
      expect(await comments()).toBe(1);
      const { rows } = await h.pool.query('select count(*) from slack_events where event_id = $1', ['Ev0RETRY0001']);
      expect(Number(rows[0].count)).toBe(1);
      h.slack.assertNoUnexpected();
    });
  });
});
