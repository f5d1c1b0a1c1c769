import type { AddressInfo } from 'node:net';
import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { App, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import {
  blockActionsBody,
  messageEventBody,
  postToSlackEvents,
  sign,
  slashCommandBody,
} from '../../dev/local-slack/slack-requests';

const TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0INFRA001';
const MODEL = 'claude-sonnet-4-6';

const approvalBlocks = [
  { type: 'header', text: { type: 'plain_text', text: 'Apply migration?' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*002_add_index.sql* on `staging`' },
    fields: [{ type: 'mrkdwn', text: 'Risk: low' }],
  },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'requested by <@U0ALICE001>' }] },
  {
    type: 'actions',
    block_id: 'gate',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        text: { type: 'plain_text', text: 'Approve' },
        value: 'run-1',
        style: 'primary',
      },
      {
        type: 'button',
        action_id: 'reject',
        text: { type: 'plain_text', text: 'Reject' },
        value: 'run-1',
        style: 'danger',
      },
    ],
  },
];

/** Swallows the WebClient's logging (it logs Slack's `[ERROR]` response messages even at ERROR level). */
const silentLogger: webApi.Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => undefined,
};

describe('fake Slack with the real WebClient', () => {
  let fake: LocalSlack;
  let client: webApi.WebClient;

  beforeEach(async () => {
    fake = await startLocalSlack();
    client = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers auth.test with the bot identity it was started with', async () => {
    const custom = await startLocalSlack({ botUserId: 'U0CUSTOM01', botId: 'B0CUSTOM01', teamId: 'T0CUSTOM01' });
    try {
      const other = new webApi.WebClient(TOKEN, { slackApiUrl: custom.apiUrl, retryConfig: { retries: 0 } });
      const auth = await other.auth.test();
      expect(auth).toMatchObject({
        ok: true,
        user_id: 'U0CUSTOM01',
        bot_id: 'B0CUSTOM01',
        team_id: 'T0CUSTOM01',
        team: 'Test Team',
        user: 'infra-bot',
      });
      expect(custom.calls[0]?.token).toBe(TOKEN);
    } finally {
      await custom.close();
    }
  });

  it('posts messages with strictly increasing six-decimal timestamps and stores them', async () => {
    const first = await client.chat.postMessage({ channel: CHANNEL, text: 'Plan ready', blocks: approvalBlocks });
    const second = await client.chat.postMessage({ channel: CHANNEL, text: 'second' });

    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first).toMatchObject({
      ok: true,
      channel: CHANNEL,
      message: { type: 'message', text: 'Plan ready', user: fake.botUserId, bot_id: fake.botId, ts: first.ts },
    });
    expect(first.message?.blocks).toHaveLength(4);
    expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual(['Plan ready', 'second']);
    expect(fake.callsTo('chat.postMessage')[0]?.params.blocks).toEqual(approvalBlocks);
  });

  it('keeps the previous blocks when chat.update sends only text, and records every version', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'Plan ready', blocks: approvalBlocks });
    const ts = posted.ts ?? '';

    const updated = await client.chat.update({ channel: CHANNEL, ts, text: 'Approved by Alice' });

    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts, text: 'Approved by Alice' });
    expect(updated.message?.edited?.user).toBe(fake.botUserId);
    const message = fake.message(CHANNEL, ts);
    expect(message?.text).toBe('Approved by Alice');
    expect(message?.blocks).toEqual(approvalBlocks);
    expect(message?.history.map((v) => v.via)).toEqual(['chat.postMessage', 'chat.update']);

    await client.chat.update({ channel: CHANNEL, ts, text: 'Cleared', blocks: [] });
    expect(fake.message(CHANNEL, ts)?.blocks).toBeUndefined();
  });

  it('answers message_not_found when updating an unknown message', async () => {
    await expect(client.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { ok: false, error: 'message_not_found' },
    });
  });

  it('lists a thread parent then its replies, with metadata only when include_all_metadata is set', async () => {
    const metadata = { event_type: 'workflow_run', event_payload: { run_id: 'run-1' } };
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'Run started', metadata });
    const parentTs = parent.ts ?? '';
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: parentTs, text: 'step 1 done' });
    const human = fake.addUserMessage({
      channel: CHANNEL,
      user: 'U0ALICE001',
      thread_ts: parentTs,
      text: 'looks good',
    });
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: parentTs, text: 'step 2 done', metadata });

    const withMetadata = await client.conversations.replies({
      channel: CHANNEL,
      ts: parentTs,
      include_all_metadata: true,
    });
    const without = await client.conversations.replies({ channel: CHANNEL, ts: parentTs });

    expect(withMetadata.messages?.map((m) => m.text)).toEqual([
      'Run started',
      'step 1 done',
      'looks good',
      'step 2 done',
    ]);
    expect(withMetadata.messages?.[0]).toMatchObject({ thread_ts: parentTs, reply_count: 3, metadata });
    expect(withMetadata.messages?.[2]).toMatchObject({ user: 'U0ALICE001', thread_ts: parentTs, ts: human.ts });
    expect(withMetadata.messages?.[3]?.metadata).toEqual(metadata);
    expect(withMetadata).toMatchObject({ has_more: false, response_metadata: { next_cursor: '' } });
    expect(without.messages?.some((m) => m.metadata !== undefined)).toBe(false);
    expect(fake.thread(CHANNEL, parentTs).map((m) => m.text)).toEqual(['step 1 done', 'looks good', 'step 2 done']);
    expect(fake.channelMessages(CHANNEL)).toHaveLength(1);
  });

  it('pages thread replies with limit and cursor', async () => {
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'parent' });
    for (const text of ['a', 'b', 'c']) {
      await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts ?? '', text });
    }
    const page1 = await client.conversations.replies({ channel: CHANNEL, ts: parent.ts ?? '', limit: 2 });
    const page2 = await client.conversations.replies({
      channel: CHANNEL,
      ts: parent.ts ?? '',
      limit: 2,
      cursor: page1.response_metadata?.next_cursor ?? '',
    });
    expect(page1.messages?.map((m) => m.text)).toEqual(['parent', 'a']);
    expect(page1.has_more).toBe(true);
    expect(page2.messages?.map((m) => m.text)).toEqual(['b', 'c']);
    expect(page2.has_more).toBe(false);
  });

  it('answers thread_not_found for an unknown thread', async () => {
    await expect(client.conversations.replies({ channel: CHANNEL, ts: '1700000999.000100' })).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
  });

  it('stores ephemerals and published home views', async () => {
    const ephemeral = await client.chat.postEphemeral({ channel: CHANNEL, user: 'U0ALICE001', text: 'only you' });
    const published = await client.views.publish({
      user_id: 'U0ALICE001',
      view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Recent runs' } }] },
    });

    expect(ephemeral.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals).toEqual([
      expect.objectContaining({ channel: CHANNEL, user: 'U0ALICE001', text: 'only you' }),
    ]);
    expect(published.view?.id).toMatch(/^V[A-Z0-9]+$/);
    expect(fake.published[0]).toMatchObject({ user_id: 'U0ALICE001', view: { type: 'home', team_id: fake.teamId } });
  });

  it('surfaces an injected 429 with its Retry-After as a rate-limited error', async () => {
    const rejecting = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: silentLogger,
    });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });

    await expect(rejecting.chat.postMessage({ channel: CHANNEL, text: 'hi' })).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ status: 429, ok: false, error: 'ratelimited' });
    expect(fake.channelMessages(CHANNEL)).toHaveLength(0);
  });

  it('lets a retrying client succeed after waiting out the Retry-After', async () => {
    const retrying = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 1, minTimeout: 0 },
      logger: silentLogger,
    });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });

    const started = Date.now();
    const posted = await retrying.chat.postMessage({ channel: CHANNEL, text: 'eventually' });

    expect(posted.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('answers an injected error as a platform error', async () => {
    fake.failNext('chat.update', { error: 'cant_update_message' });
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'x' });
    await expect(client.chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: 'y' })).rejects.toMatchObject({
      data: { error: 'cant_update_message' },
    });
    expect(fake.message(CHANNEL, posted.ts ?? '')?.text).toBe('x');
  });

  it('answers no_text and channel_not_found like Slack', async () => {
    await expect(client.apiCall('chat.postMessage', { channel: CHANNEL })).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
    await expect(client.apiCall('chat.postMessage', { text: 'hi' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
  });

  it('accepts application/json bodies with the token in the Authorization header', async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: CHANNEL, text: 'json', blocks: approvalBlocks.slice(0, 1) }),
    });
    expect(await response.json()).toMatchObject({ ok: true, message: { text: 'json' } });
    expect(fake.channelMessages(CHANNEL)[0]?.blocks).toEqual(approvalBlocks.slice(0, 1));
  });

  it('records an unknown method as unexpected and answers 404 unknown_method', async () => {
    await expect(client.apiCall('chat.delete', { channel: CHANNEL, ts: '1.1' })).rejects.toMatchObject({
      code: webApi.ErrorCode.HTTPError,
      statusCode: 404,
    });
    expect(fake.unexpected).toEqual(['POST /api/chat.delete']);
    expect(() => fake.assertNoUnexpected()).toThrow(/chat\.delete/);
  });

  it('refuses blocks Slack would refuse with invalid_blocks and records them as unexpected', async () => {
    const tooLongButton = [
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } }],
      },
    ];
    await expect(client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: tooLongButton })).rejects.toMatchObject(
      {
        data: { error: 'invalid_blocks' },
      },
    );
    expect(fake.unexpected[0]).toMatch(
      /invalid_blocks: must be less than 76 characters \[json-pointer:\/blocks\/0\/elements\/0\/text\/text\]/,
    );
  });

  it('applies replace_original and delete_original posted to a response url bound to a message', async () => {
    const kept = await client.chat.postMessage({ channel: CHANNEL, text: 'Approve?', blocks: approvalBlocks });
    const gone = await client.chat.postMessage({ channel: CHANNEL, text: 'Temporary' });
    const post = (url: string, body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const replaced = await post(fake.responseUrl('r1', { channel: CHANNEL, ts: kept.ts ?? '' }), {
      replace_original: true,
      text: 'Approved',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Approved :white_check_mark:' } }],
    });
    await post(fake.responseUrl('r2', { channel: CHANNEL, ts: gone.ts ?? '' }), { delete_original: true });

    expect(replaced.status).toBe(200);
    expect(await replaced.text()).toBe('ok');
    expect(textOf(fake.message(CHANNEL, kept.ts ?? ''))).toBe('Approved\nApproved :white_check_mark:');
    expect(fake.message(CHANNEL, gone.ts ?? '')).toBeUndefined();
    expect(fake.responses.map((r) => [r.name, r.replace_original, r.delete_original])).toEqual([
      ['r1', true, undefined],
      ['r2', undefined, true],
    ]);
  });

  it('fails waitFor with the description and a dump of every conversation', async () => {
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'Run started' });
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts ?? '', text: 'step 1 done' });

    const waiting = fake.waitFor(() => fake.channelMessages(CHANNEL).find((m) => m.text === 'never'), {
      timeoutMs: 100,
      description: 'the completion message',
    });

    await expect(waiting).rejects.toThrow(/the completion message[\s\S]*Run started[\s\S]*↳ .*step 1 done/);
  });

  it('resolves waitFor with the first truthy value of the predicate', async () => {
    setTimeout(() => void client.chat.postMessage({ channel: CHANNEL, text: 'later' }), 50);
    const found = await fake.waitFor(() => fake.channelMessages(CHANNEL).find((m) => m.text === 'later'));
    expect(found.user).toBe(fake.botUserId);
  });
});

describe('textOf', () => {
  it('flattens the text, section text and fields, header, context and button labels a user sees', () => {
    const text = textOf({ text: 'Plan ready', blocks: approvalBlocks });
    expect(text.split('\n')).toEqual([
      'Plan ready',
      'Apply migration?',
      '*002_add_index.sql* on `staging`',
      'Risk: low',
      'requested by <@U0ALICE001>',
      'Approve',
      'Reject',
    ]);
    expect(textOf(undefined)).toBe('');
  });
});

describe('Slack request signing', () => {
  it("produces signatures Bolt's verifySlackRequest accepts and rejects a tampered body", () => {
    const body = slashCommandBody({
      command: '/infra',
      text: 'run schema-change',
      userId: 'U0ALICE001',
      channelId: CHANNEL,
      teamId: 'T0TEAM0001',
      responseUrl: 'http://127.0.0.1:1/response/x',
    });
    const headers = sign('secret', body);
    const options = {
      signingSecret: 'secret',
      headers: {
        'x-slack-signature': headers['x-slack-signature'],
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
    };
    expect(() => verifySlackRequest({ ...options, body })).not.toThrow();
    expect(() => verifySlackRequest({ ...options, body: `${body}x` })).toThrow(/signature mismatch/);
  });
});

describe('Slack request builders against a real Bolt app', () => {
  const signingSecret = 'signing-secret';
  let fake: LocalSlack;
  let app: App;
  let eventsUrl: string;

  beforeEach(async () => {
    fake = await startLocalSlack();
    app = new App({
      token: TOKEN,
      signingSecret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/infra', async ({ ack, respond, command }) => {
      await ack({ response_type: 'ephemeral', text: `Starting ${command.text}` });
      await respond({ response_type: 'ephemeral', text: `Finished ${command.text} for ${command.user_name}` });
    });
    app.action('approve', async ({ ack, body, respond, client }) => {
      await ack();
      if (body.type === 'block_actions' && body.channel !== undefined && body.message !== undefined) {
        await client.chat.update({
          channel: body.channel.id,
          ts: body.message.ts,
          text: `Approved by <@${body.user.id}>`,
        });
      }
      await respond({ replace_original: false, response_type: 'ephemeral', text: 'Thanks' });
    });
    app.message(async ({ message, say }) => {
      if (message.subtype === undefined && 'text' in message) {
        await say({ text: `echo: ${message.text ?? ''}`, thread_ts: message.thread_ts ?? message.ts });
      }
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it('returns the slash command ack as the HTTP body and records respond() on the response url', async () => {
    const body = slashCommandBody({
      command: '/infra',
      text: 'run schema-change',
      userId: 'U0ALICE001',
      userName: 'alice',
      channelId: CHANNEL,
      teamId: fake.teamId,
      responseUrl: fake.responseUrl('cmd-1'),
    });

    const result = await postToSlackEvents(eventsUrl, body, {
      signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });

    expect(result.status).toBe(200);
    expect(result.json).toEqual({ response_type: 'ephemeral', text: 'Starting run schema-change' });
    const response = await fake.waitFor(() => fake.responses.find((r) => r.name === 'cmd-1'), {
      description: 'respond()',
    });
    expect(response).toMatchObject({ response_type: 'ephemeral', text: 'Finished run schema-change for alice' });
    fake.assertNoUnexpected();
  });

  it('rejects a request whose signature does not match with 401', async () => {
    const body = slashCommandBody({
      command: '/infra',
      text: 'x',
      userId: 'U1',
      channelId: CHANNEL,
      teamId: fake.teamId,
      responseUrl: fake.responseUrl('r'),
    });
    const result = await postToSlackEvents(eventsUrl, body, {
      signingSecret,
      contentType: 'application/x-www-form-urlencoded',
      signature: 'v0=deadbeef',
    });
    expect(result.status).toBe(401);
  });

  it('delivers a button click that Bolt parses into block_actions', async () => {
    const posted = await app.client.chat.postMessage({ channel: CHANNEL, text: 'Plan ready', blocks: approvalBlocks });
    const ts = posted.ts ?? '';
    const body = blockActionsBody({
      userId: 'U0ALICE001',
      channelId: CHANNEL,
      teamId: fake.teamId,
      messageTs: ts,
      actionId: 'approve',
      blockId: 'gate',
      value: 'run-1',
      buttonText: 'Approve',
      responseUrl: fake.responseUrl('click-1', { channel: CHANNEL, ts }),
      message: fake.message(CHANNEL, ts),
    });

    const result = await postToSlackEvents(eventsUrl, body, {
      signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });

    expect(result).toMatchObject({ status: 200, text: '' });
    await fake.waitFor(() => fake.message(CHANNEL, ts)?.text.startsWith('Approved by <@U0ALICE001>'), {
      description: 'the approval edit',
    });
    await fake.waitFor(() => fake.responses.find((r) => r.name === 'click-1'), { description: 'the ephemeral thanks' });
    expect(fake.message(CHANNEL, ts)?.blocks).toEqual(approvalBlocks);
    fake.assertNoUnexpected();
  });

  it('delivers a message event that Bolt hands to message listeners', async () => {
    const human = fake.addUserMessage({ channel: CHANNEL, user: 'U0ALICE001', text: 'status?' });
    const body = messageEventBody({
      eventId: 'Ev0001',
      teamId: fake.teamId,
      channelId: CHANNEL,
      userId: 'U0ALICE001',
      text: 'status?',
      ts: human.ts,
    });

    const result = await postToSlackEvents(eventsUrl, body, {
      signingSecret,
      contentType: 'application/json',
      retryNum: 1,
    });

    expect(result.status).toBe(200);
    const reply = await fake.waitFor(() => fake.thread(CHANNEL, human.ts)[0], { description: 'the echo reply' });
    expect(reply.text).toBe('echo: status?');
    fake.assertNoUnexpected();
  });
});

describe('fake Anthropic with the real SDK', () => {
  let fake: FakeAnthropic;
  let anthropic: Anthropic;
  const tools = [
    {
      name: 'propose_plan',
      description: 'Propose a migration plan',
      input_schema: { type: 'object' as const, properties: { steps: { type: 'array', items: { type: 'string' } } } },
    },
  ];

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    anthropic = new Anthropic({ apiKey: 'test', baseURL: fake.baseUrl, maxRetries: 0 });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers a scripted tool_use turn in the Messages API shape', async () => {
    fake.script('planner', [
      { toolUse: { name: 'propose_plan', input: { steps: ['add index'] } }, text: 'Here is the plan.' },
    ]);

    const message = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 1024,
      system: 'You are an infra agent.\nname: planner',
      tools,
      messages: [{ role: 'user', content: 'Plan the migration' }],
    });

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content[0]).toEqual({ type: 'text', text: 'Here is the plan.', citations: null });
    expect(message.content[1]).toMatchObject({
      type: 'tool_use',
      name: 'propose_plan',
      input: { steps: ['add index'] },
    });
    expect(message.content[1]?.type === 'tool_use' && message.content[1].id).toMatch(/^toolu_/);
    expect(message.usage.input_tokens).toBeGreaterThan(10);
    expect(message.usage.cache_read_input_tokens).toBe(0);
    // SDK 1.x sends the API key as `Authorization: Bearer`, not `x-api-key`; the fake redacts both.
    expect(fake.requests[0]).toMatchObject({ agent: 'planner', headers: { authorization: '<redacted>' } });
    expect(fake.requests[0]?.headers['anthropic-version']).toBeDefined();
    fake.assertNoUnexpected();
  });

  it('picks the agent from the system prompt and consumes each agent’s turns in order', async () => {
    fake.script('reviewer', [{ text: 'LGTM' }, { text: 'Still LGTM' }]);
    fake.script('planner', [
      { toolUse: { name: 'propose_plan', input: { steps: [] } } },
      (request) => ({ text: `got ${request.toolResults[0]?.text ?? 'nothing'}` }),
    ]);
    const ask = (system: string, messages: Anthropic.MessageParam[]) =>
      anthropic.messages.create({
        model: MODEL,
        max_tokens: 256,
        system: [{ type: 'text', text: system }],
        tools,
        messages,
      });

    const first = await ask('name: planner', [{ role: 'user', content: 'go' }]);
    const review = await ask('You are the reviewer', [{ role: 'user', content: 'review' }]);
    const toolUse = first.content.find((b) => b.type === 'tool_use');
    const second = await ask('name: planner', [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: first.content.map((b) =>
          b.type === 'tool_use'
            ? { type: 'tool_use' as const, id: b.id, name: b.name, input: b.input }
            : { type: 'text' as const, text: b.type === 'text' ? b.text : '' },
        ),
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: toolUse?.type === 'tool_use' ? toolUse.id : '', content: 'plan stored' },
        ],
      },
    ]);

    expect(review.content).toEqual([{ type: 'text', text: 'LGTM', citations: null }]);
    expect(review.stop_reason).toBe('end_turn');
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'got plan stored' });
    expect(fake.remainingTurns('reviewer')).toBe(1);
    expect(fake.remainingTurns('planner')).toBe(0);
    fake.assertNoUnexpected();
  });

  it('surfaces a scripted 529 as an OverloadedError with status 529 and the request id', async () => {
    fake.script('planner', [{ status: 529 }]);

    const error = await anthropic.messages
      .create({ model: MODEL, max_tokens: 10, system: 'name: planner', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toBeInstanceOf(Anthropic.OverloadedError);
    expect(error).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect((error as APIError).requestID).toMatch(/^req_/);
  });

  it('surfaces a scripted 429 as a RateLimitError carrying retry-after', async () => {
    fake.script('planner', [{ status: 429, retryAfter: 3 }]);
    const error = await anthropic.messages
      .create({ model: MODEL, max_tokens: 10, system: 'name: planner', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as APIError).headers?.get('retry-after')).toBe('3');
  });

  it('refuses a tool_use that is not followed by its tool_result, as the API does', async () => {
    fake.script('planner', [{ text: 'never sent' }]);
    const error = await anthropic.messages
      .create({
        model: MODEL,
        max_tokens: 10,
        system: 'name: planner',
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'propose_plan', input: {} }] },
          { role: 'user', content: 'what now?' },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(fake.unexpected[0]).toMatch(
      /tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
    );
    expect(fake.remainingTurns('planner')).toBe(1);
  });

  it('answers a request without anthropic-version with 400 invalid_request_error and records it', async () => {
    const response = await fetch(`${fake.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test' },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
    expect(fake.unexpected).toEqual(['request without anthropic-version header']);
  });

  it('records an unexpected request when an agent has no scripted turn left', async () => {
    fake.script('planner', []);
    await expect(
      anthropic.messages.create({
        model: MODEL,
        max_tokens: 10,
        system: 'name: planner',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toMatchObject({ status: 500 });
    expect(fake.unexpected).toEqual(['no scripted turn left for planner']);
  });

  it('keeps a hanging call open until the client gives up', async () => {
    fake.script('planner', [{ hang: true }]);
    const call = anthropic.messages.create(
      { model: MODEL, max_tokens: 10, system: 'name: planner', messages: [{ role: 'user', content: 'hi' }] },
      { timeout: 300 },
    );
    await fake.waitFor(() => fake.requests.length === 1, { description: 'the hanging request' });
    await expect(call).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(fake.requests[0]?.status).toBeUndefined();
  });
});
