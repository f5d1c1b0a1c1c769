/** The local Slack's messages, threads, ephemerals and App Home views, as the real WebClient sees them. */
import { webApi } from '@slack/bolt';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import { approvalBlocks, startLocalSlackClient, TOKEN } from '../support/slack-fixtures';

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
