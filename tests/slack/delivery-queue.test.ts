import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import IORedis from 'ioredis';
import { createLogger } from '../../src/logger';
import { ChannelLimiter } from '../../src/slack/delivery/channel-limiter';
import { DeliveryQueue, type DeliveryLimits } from '../../src/slack/delivery/delivery-queue';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import { CHANNEL, deleteQueueKeys, REDIS_URL } from '../support/harness';

const INTERVAL = 200;

/** One process's worth: its own Redis connection and Web API client, sharing the prefix. */
function process_(fake: LocalSlack, prefix: string, limits: DeliveryLimits) {
  const redis = new IORedis(REDIS_URL);
  const client = new WebClient('xoxb-test-token', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const queue = new DeliveryQueue(new ChannelLimiter(redis, prefix), limits, createLogger('silent'));
  const post = (text: string, priority: 'interactive' | 'normal' | 'background' = 'normal') =>
    queue.post(CHANNEL, priority, () => client.chat.postMessage({ channel: CHANNEL, text }));
  const update = (ts: string, text: string, fold = false) =>
    queue.update(
      ts,
      CHANNEL,
      'background',
      text,
      async (latest) => {
        await client.chat.update({ channel: CHANNEL, ts, text: latest });
      },
      { fold },
    );
  const share = (filename: string) =>
    queue.share('normal', () =>
      client.filesUploadV2({ channel_id: CHANNEL, filename, file: Buffer.from('# report'), title: filename }),
    );
  return { queue, post, update, share, close: () => redis.quit() };
}

describe('the Slack delivery queue', () => {
  let fake: LocalSlack;
  let prefix: string;
  let procs: Array<ReturnType<typeof process_>>;

  const start = async (limits: DeliveryLimits, count = 2, burst = 2) => {
    fake = await startLocalSlack({
      rateLimits: {
        'chat.postMessage': { intervalMs: INTERVAL, burst },
        'chat.update': { intervalMs: INTERVAL, burst, scope: 'workspace' },
      },
    });
    prefix = `infra-test-${randomBytes(5).toString('hex')}`;
    procs = Array.from({ length: count }, () => process_(fake, prefix, limits));
  };
  const rateLimitedAnswers = () => fake.calls.filter((c) => c.status === 429).length;

  afterEach(async () => {
    await Promise.all(procs.map((p) => p.close()));
    await deleteQueueKeys(prefix);
    await fake.close();
  });

  it('keeps two processes posting into one channel within its rate: every post arrives and none is answered 429', async () => {
    // A little over the fake's interval: the spacing is measured where the calls arrive.
    await start({ postIntervalMs: INTERVAL + 20, updateIntervalMs: INTERVAL + 20, fileIntervalMs: 0 });
    const texts = Array.from({ length: 12 }, (_, i) => `message ${i}`);
    await Promise.all(texts.map((text, i) => procs[i % 2]!.post(text)));

    expect(
      fake
        .channelMessages(CHANNEL)
        .map((m) => m.text)
        .sort(),
    ).toEqual([...texts].sort());
    expect(rateLimitedAnswers()).toBe(0);
  });

  it('answers an unspaced burst with 429 + Retry-After (the fake enforces the rate); the queue still delivers every post', async () => {
    await start({ postIntervalMs: 0, updateIntervalMs: 0, fileIntervalMs: 0 }, 1, 1);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        procs[0]!.queue.post(CHANNEL, 'normal', () =>
          new WebClient('xoxb-test-token', {
            slackApiUrl: fake.apiUrl,
            retryConfig: { retries: 0 },
            rejectRateLimitedCalls: true,
          }).chat.postMessage({ channel: CHANNEL, text: `burst ${i}` }),
        ),
      ),
    );
    // The queue waits out each Retry-After, so all arrive; but Slack had to say 429 first.
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(rateLimitedAnswers()).toBeGreaterThan(0);
  });

  it('honours Retry-After for every process: after a 429 nobody posts in the channel until it has passed', async () => {
    await start({ postIntervalMs: INTERVAL + 20, updateIntervalMs: INTERVAL + 20, fileIntervalMs: 0 });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const first = procs[0]!.post('first');
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([first, procs[1]!.post('second')]);

    const posts = fake.callsTo('chat.postMessage');
    expect(posts.map((c) => c.status)).toEqual([429, 200, 200]);
    expect(posts[1]!.time - started).toBeGreaterThanOrEqual(950);
    expect(posts[2]!.time - started).toBeGreaterThanOrEqual(950);
    expect(
      fake
        .channelMessages(CHANNEL)
        .map((m) => m.text)
        .sort(),
    ).toEqual(['first', 'second']);
  });

  it('serves what a person waits for first: an interactive post overtakes the posts and edits queued before it', async () => {
    await start({ postIntervalMs: 300, updateIntervalMs: 300, fileIntervalMs: 0 });
    const queued = Array.from({ length: 5 }, (_, i) => procs[i % 2]!.post(`background post ${i}`, 'background'));
    await new Promise((r) => setTimeout(r, 50));
    const urgent = procs[1]!.post('[2/5] Invoking the next step', 'interactive');
    await Promise.all([...queued, urgent]);

    const order = fake.callsTo('chat.postMessage').map((c) => c.params.text);
    // The first background post took the free slot at once; the interactive one is next.
    expect(order.indexOf('[2/5] Invoking the next step')).toBe(1);
    expect(rateLimitedAnswers()).toBe(0);
  });

  it('coalesces edits of one message that wait for a slot: only the latest content is sent, and every caller settles', async () => {
    await start({ postIntervalMs: 0, updateIntervalMs: 400, fileIntervalMs: 0 }, 1);
    const p = procs[0]!;
    const ts = (await p.post('progress 0')).ts!;
    const other = (await p.post('another message')).ts!;
    const edits = [p.update(other, 'other edited')];
    for (let i = 1; i <= 5; i++) edits.push(p.update(ts, `progress ${i}`));
    await Promise.all(edits);

    const updates = fake.callsTo('chat.update').map((c) => c.params.text);
    expect(updates).toEqual(['other edited', 'progress 5']);
    expect(fake.message(CHANNEL, ts)?.text).toBe('progress 5');
  });

  it('lets an edit nobody waits on wait a few edit slots, so redraws meanwhile fold into it, even with the bucket free', async () => {
    await start({ postIntervalMs: 0, updateIntervalMs: 100, fileIntervalMs: 0 }, 1);
    const p = procs[0]!;
    const ts = (await p.post('bar 0')).ts!;
    const first = p.update(ts, 'bar 1', true);
    await new Promise((r) => setTimeout(r, 150));
    const second = p.update(ts, 'bar 2', true);
    await Promise.all([first, second]);

    // Without the window the first redraw had the free slot at once, and the second needed one more.
    expect(fake.callsTo('chat.update').map((c) => c.params.text)).toEqual(['bar 2']);
  });

  it('spaces file shares for the whole workspace apart from the channel’s posts: a share does not wait for a post slot', async () => {
    await start({ postIntervalMs: 400, updateIntervalMs: 0, fileIntervalMs: 300 });
    const started = Date.now();
    const posts = [0, 1, 2].map((i) => procs[i % 2]!.post(`post ${i}`));
    const shares = [procs[0]!.share('a.md'), procs[1]!.share('b.md')];
    await Promise.all([...posts, ...shares]);

    const at = (method: string) => fake.callsTo(method).map((c) => c.time - started);
    // Posts take a slot every 400 ms (the third at about 800 ms); the first share was done before the second post.
    expect(at('chat.postMessage')[2]!).toBeGreaterThanOrEqual(750);
    expect(at('files.completeUploadExternal')[0]!).toBeLessThan(400);
    // Shares get their own slots, 300 ms apart (a slot starts a share: its first call).
    const [first, second] = at('files.getUploadURLExternal');
    expect(second! - first!).toBeGreaterThanOrEqual(250);
    expect(fake.channelMessages(CHANNEL)).toHaveLength(5);
  });
});
