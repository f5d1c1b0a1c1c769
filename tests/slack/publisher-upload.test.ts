import type { LocalSlack } from '../../dev/local-slack/local-slack';
import type { WebApiPublisher } from '../../src/slack/publisher';
import { CHANNEL } from '../support/harness';
import { publisherPerTest } from './publisher-fixture';

describe('uploading a file into a thread', () => {
  let fake: LocalSlack;
  let publisher: WebApiPublisher;
  const fixture = publisherPerTest();
  beforeEach(() => {
    ({ fake, publisher } = fixture);
  });

  it('shares the file in the thread with its title and comment, byte for byte', async () => {
    const root = await publisher.post('root', { channel: CHANNEL }, { text: 'root', blocks: [] });
    const sql = 'create table public.user_preferences (id bigint primary key);\n-- é ✓\n';
    const id = await publisher.uploadFile(
      'wf:1:file:up.sql',
      { channel: CHANNEL, threadTs: root },
      { filename: 'up.sql', content: sql, title: 'Migration', comment: 'The migration SQL' },
    );

    const [file] = fake.files;
    expect(file?.id).toBe(id);
    expect(file?.bytes?.toString('utf8')).toBe(sql);
    const [share] = fake.thread(CHANNEL, root);
    expect(share?.text).toBe('The migration SQL');
    expect(share?.files).toEqual([{ id, name: 'up.sql', title: 'Migration' }]);
    fake.assertNoUnexpected();
  });

  it('uploads binary content such as a PNG unchanged', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x80]);
    await publisher.uploadFile('chart', { channel: CHANNEL }, { filename: 'chart.png', content: png });
    expect(fake.files[0]?.bytes?.equals(png)).toBe(true);
    expect(fake.channelMessages(CHANNEL)[0]?.files?.[0]?.name).toBe('chart.png');
    fake.assertNoUnexpected();
  });

  it('uploads a file once per key however often it is asked', async () => {
    const first = await publisher.uploadFile(
      'once',
      { channel: CHANNEL },
      { filename: 'report.md', content: '# Report' },
    );
    const second = await publisher.uploadFile(
      'once',
      { channel: CHANNEL },
      { filename: 'report.md', content: '# Report' },
    );
    expect(second).toBe(first);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    expect(fake.channelMessages(CHANNEL)).toHaveLength(1);
  });

  // Uploads keep to Slack's rate limits through the delivery queue: a 429 is waited out, never failing the job.
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
