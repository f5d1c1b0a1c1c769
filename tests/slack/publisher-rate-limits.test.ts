/**
 * Every kind of publish keeps to Slack's rate limits through the delivery queue: a 429 is waited out
 * (Retry-After) and the call lands once, instead of failing the job that made it.
 */
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import type { WebApiPublisher } from '../../src/slack/publisher';
import { CHANNEL } from '../support/harness';
import { publisherPerTest } from './publisher-fixture';

describe('a publish that Slack answers 429', () => {
  let fake: LocalSlack;
  let publisher: WebApiPublisher;
  const fixture = publisherPerTest();
  beforeEach(() => {
    ({ fake, publisher } = fixture);
  });

  it('waits out the Retry-After of a share of several files and shares them once', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    const files = [
      { filename: 'migration-test.md', content: 'result: FAILED' },
      { filename: 'INFRA-REPORT.md', content: '# Report' },
    ];
    fake.failNext('files.completeUploadExternal', { status: 429, retryAfter: 1 });

    const id = await publisher.uploadFiles('wf:7:step:2:files', { channel: CHANNEL, threadTs: root }, files);

    expect(fake.callsTo('files.completeUploadExternal').map((c) => c.status)).toEqual([429, 200]);
    expect(fake.thread(CHANNEL, root).map((m) => m.files?.map((f) => f.name))).toEqual([
      ['migration-test.md', 'INFRA-REPORT.md'],
    ]);
    expect(fake.thread(CHANNEL, root)[0]?.files?.[0]?.id).toBe(id);
  });

  it('waits out the Retry-After of a share of one file and shares it once', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    fake.failNext('files.completeUploadExternal', { status: 429, retryAfter: 1 });

    await publisher.uploadFile(
      'wf:7:plan',
      { channel: CHANNEL, threadTs: root },
      { filename: 'plan.md', content: '#' },
    );

    expect(fake.callsTo('files.completeUploadExternal').map((c) => c.status)).toEqual([429, 200]);
    expect(fake.thread(CHANNEL, root).map((m) => m.files?.map((f) => f.name))).toEqual([['plan.md']]);
  });
});
