/** The signed requests of dev/local-slack/slack-requests.ts, as a real Bolt app receives them. */
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import {
  blockActionsBody,
  messageEventBody,
  postToSlackEvents,
  sign,
  slashCommandBody,
} from '../../dev/local-slack/slack-requests';
import { approvalBlocks } from '../support/slack-fixtures';

const TOKEN = 'xoxb-test-token';
const CHANNEL = 'C0INFRA001';

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
