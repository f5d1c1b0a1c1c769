/**
 * A run that dies after Slack took its post but before the ts was recorded: the next run must find the
 * post and record it, never post it again — for thread replies, for root messages and for file shares.
 */
import type { Pool } from 'pg';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import type { WebApiPublisher } from '../../src/slack/publisher';
import { CHANNEL } from '../support/harness';
import { publisherPerTest } from './publisher-fixture';

/** The process "dies" at the record of a post: the UPDATE that stores its ts fails, once. */
class DyingPool {
  dieAtRecord = false;
  constructor(private readonly inner: Pool) {}
  query(text: string, values?: unknown[]) {
    if (this.dieAtRecord && text.startsWith('UPDATE slack_messages SET ts')) {
      this.dieAtRecord = false;
      return Promise.reject(new Error('killed between the Slack answer and the record'));
    }
    return this.inner.query(text, values);
  }
}

describe('a post whose run died between Slack’s answer and the record', () => {
  let dying: DyingPool | undefined;
  let fake: LocalSlack;
  let publisher: WebApiPublisher;
  const fixture = publisherPerTest((pool) => {
    dying = new DyingPool(pool);
    return dying as unknown as Pool;
  });
  beforeEach(() => {
    ({ fake, publisher } = fixture);
  });

  /** Runs `post` as a run that dies at the record, then as the run after it; returns the second's answer. */
  async function dieThenRetry<T>(post: () => Promise<T>): Promise<T> {
    dying!.dieAtRecord = true;
    await expect(post()).rejects.toThrow('killed between the Slack answer and the record');
    return post();
  }

  it('keeps the root message Slack already has instead of posting the workflow a second root', async () => {
    await publisher.post('other', { channel: CHANNEL }, { text: 'an earlier workflow', blocks: [] });
    const ts = await dieThenRetry(() =>
      publisher.post('wf:7:root', { channel: CHANNEL }, { text: 'Workflow #7', blocks: [] }),
    );

    expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual(['an earlier workflow', 'Workflow #7']);
    expect(fake.channelMessages(CHANNEL)[1]?.ts).toBe(ts);
    expect(await publisher.post('wf:7:root', { channel: CHANNEL }, { text: 'Workflow #7', blocks: [] })).toBe(ts);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    fake.assertNoUnexpected();
  });

  it('keeps the thread reply Slack already has', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    const ts = await dieThenRetry(() =>
      publisher.post('step:3:progress', { channel: CHANNEL, threadTs: root }, { text: '[1/5] Invoking…', blocks: [] }),
    );
    expect(fake.thread(CHANNEL, root).map((m) => m.ts)).toEqual([ts]);
  });

  it('keeps the file share Slack already has, and not an older share of a file with the same name', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    const thread = { channel: CHANNEL, threadTs: root };
    const first = await publisher.uploadFile('attempt-1:file', thread, { filename: 'up.sql', content: 'select 1;' });
    const id = await dieThenRetry(() =>
      publisher.uploadFile('attempt-2:file', thread, { filename: 'up.sql', content: 'select 2;' }),
    );

    expect(id).not.toBe(first);
    expect(fake.files.map((f) => f.id)).toEqual([first, id]);
    expect(fake.thread(CHANNEL, root).map((m) => m.files?.[0]?.id)).toEqual([first, id]);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(2);
  });

  it('keeps the share of several files Slack already has', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    const files = [
      { filename: 'plan.md', content: '# Plan' },
      { filename: 'up.sql', content: 'select 1;' },
    ];
    const id = await dieThenRetry(() =>
      publisher.uploadFiles('wf:7:step:1:files', { channel: CHANNEL, threadTs: root }, files),
    );
    expect(fake.thread(CHANNEL, root).map((m) => m.files?.map((f) => f.name))).toEqual([['plan.md', 'up.sql']]);
    expect(fake.thread(CHANNEL, root)[0]?.files?.[0]?.id).toBe(id);
  });

  it('posts once, with no look-up, when the key is new', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    await publisher.post('reply', { channel: CHANNEL, threadTs: root }, { text: 'reply', blocks: [] });
    expect(fake.callsTo('conversations.replies')).toHaveLength(0);
    expect(fake.callsTo('conversations.history')).toHaveLength(0);
  });
});
