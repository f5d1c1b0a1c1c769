/** The local Slack's injected faults, refusals, response_url edits and waitFor, as the real WebClient sees them. */
import { webApi } from '@slack/bolt';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import { approvalBlocks, silentLogger, startLocalSlackClient, TOKEN } from '../support/slack-fixtures';

const CHANNEL = 'C0INFRA001';

describe('fake Slack with the real WebClient', () => {
  let fake: LocalSlack;
  let client: webApi.WebClient;

  beforeEach(async () => {
    ({ fake, client } = await startLocalSlackClient());
  });

  afterEach(async () => {
    await fake.close();
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
