import { setTimeout as sleep } from 'node:timers/promises';
import { PNG } from 'pngjs';
import { postDailyDigest } from '../../src/metrics/digest-job';
import { createLogger } from '../../src/logger';
import { CHANNEL, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { EventHistory } from '../metrics/event-history';

const DIGEST_CHANNEL = 'C0DIGEST01';

describe('the daily digest', () => {
  let h: Harness;
  let clock: Date;
  const now = () => clock;
  afterEach(async () => {
    await h.close();
  });

  const digestPosts = () =>
    h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === DIGEST_CHANNEL && c.ok);
  const digests = () => h.slack.channelMessages(DIGEST_CHANNEL);
  const start = async (env: Record<string, string> = {}) => {
    h = await Harness.start({
      env: { INFRA_DIGEST_CHANNEL: DIGEST_CHANNEL, INFRA_DIGEST_TZ: 'Europe/Berlin', ...env },
      runtime: { now },
    });
  };
  const digestDeps = () => ({
    pool: h.pool,
    slack: h.runtime.decisions.slack,
    timeZone: 'Europe/Berlin',
    fontDir: '/usr/share/fonts/truetype/dejavu',
    now,
    logger: createLogger('silent'),
  });

  it('posts one digest per channel and day from its job scheduler, with two workers and a scheduler firing every second', async () => {
    clock = new Date('2026-11-30T08:00:00Z');
    await start({ INFRA_DIGEST_CRON: '* * * * * *' });
    await h.startRuntime({ web: false, worker: true }, { now });

    await h.slack.waitFor(() => digests()[0], { description: 'the first digest', timeoutMs: 15000 });
    await sleep(3000);
    expect(digestPosts()).toHaveLength(1);
    expect(textOf(digests()[0]!)).toContain('Infra digest · Monday 30 November 2026');

    clock = new Date('2026-12-01T08:00:00Z');
    await h.slack.waitFor(() => digests()[1], { description: "the next day's digest", timeoutMs: 15000 });
    await sleep(2000);
    expect(digestPosts()).toHaveLength(2);
    expect(textOf(digests()[1]!)).toContain('Tuesday 1 December 2026');
    const { rows } = await h.pool.query("SELECT to_char(day, 'YYYY-MM-DD') AS day FROM digests ORDER BY day");
    expect(rows.map((r) => r.day)).toEqual(['2026-11-30', '2026-12-01']);
    h.slack.assertNoUnexpected();
  });

  it("posts once when two workers run the same day's digest at the same moment", async () => {
    clock = new Date('2026-11-30T08:00:00Z');
    await start();
    const other = await h.startRuntime({ web: false, worker: true }, { now });
    await EventHistory.on(h.pool).mergedWorkflow('2026-11-29T10:00:00Z');
    const results = await Promise.all([
      postDailyDigest(digestDeps(), DIGEST_CHANNEL),
      postDailyDigest({ ...digestDeps(), pool: other.decisions.pool, slack: other.decisions.slack }, DIGEST_CHANNEL),
    ]);
    expect(results.sort()).toEqual(['already posted', 'posted']);
    expect(await postDailyDigest(digestDeps(), DIGEST_CHANNEL)).toBe('already posted');
    expect(digestPosts()).toHaveLength(1);
    expect(h.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it("shows the metrics against the week before, the gates waiting and the day's failures with links, and a 30-day chart", async () => {
    clock = new Date('2026-11-30T08:00:00Z');
    await start();
    const history = EventHistory.on(h.pool);
    await history.mergedWorkflow('2026-11-18T10:00:00Z');
    await history.mergedWorkflow('2026-11-24T10:00:00Z');
    await history.mergedWorkflow('2026-11-25T10:00:00Z');
    const yesterday = await history.mergedWorkflow('2026-11-29T15:00:00Z', {
      request: 'Add an index on orders',
      rootTs: '1700000000.000100',
    });
    const waiting = await history.workflow({
      state: 'waiting_gate',
      rootTs: '1700000000.000200',
      request: 'Add a table for user preferences',
    });
    await history.openGate(waiting, 'smoke_test', '2026-11-30T05:00:00Z', { merges: true });
    const failed = await history.workflow({
      state: 'failed',
      rootTs: '1700000000.000300',
      request: 'Drop the legacy table',
    });
    await h.pool.query(`UPDATE workflows SET error = 'Merging to production failed: lock timeout' WHERE id = $1`, [
      failed,
    ]);
    await history.event(failed, 'merge_failed', '2026-11-29T18:00:00Z');

    expect(await postDailyDigest(digestDeps(), DIGEST_CHANNEL)).toBe('posted');
    const digest = digests()[0]!;
    const text = textOf(digest);
    expect(text).toContain('Infra digest · Monday 30 November 2026');
    expect(text).toContain('Last 7 days* (23 Nov – 29 Nov), against the 7 days before');
    expect(text).toContain('Deployment frequency:* 0.43/day · 3/week (3 production merges) · ▲ 2');
    expect(text).toContain('Merged since the last digest (1)');
    expect(text).toContain(
      `<https://slack.com/archives/${CHANNEL}/p1700000000000100|#${yesterday}> merged 1 migration`,
    );
    expect(text).toContain('Add an index on orders');
    expect(text).toContain('Mean time to recovery:* _no data_ (1 failure, none recovered yet)');
    expect(text).toContain('Waiting at a gate (1)');
    expect(text).toContain(
      `<https://slack.com/archives/${CHANNEL}/p1700000000000200|#${waiting}> at *Deployment · Smoke Test* for 3 h`,
    );
    expect(text).toContain('Failures since the last digest (1)');
    expect(text).toContain(`<https://slack.com/archives/${CHANNEL}/p1700000000000300|#${failed}> failed to merge`);
    expect(text).toContain('lock timeout');

    const [chart] = h.slack.files;
    expect(chart?.threadTs).toBe(digest.ts);
    expect(chart?.channel).toBe(DIGEST_CHANNEL);
    const png = PNG.sync.read(chart!.bytes!);
    expect(png.width).toBeGreaterThan(1200);
    expect(png.height).toBeGreaterThan(800);
    h.slack.assertNoUnexpected();
  });

  it("counts today's merge as today so far, and says there is no chart when the 30 days had nothing to draw", async () => {
    clock = new Date('2026-11-30T10:00:00Z');
    await start();
    const history = EventHistory.on(h.pool);
    const merged = await history.mergedWorkflow('2026-11-30T08:30:00Z', { rootTs: '1700000000.000600' });

    expect(await postDailyDigest(digestDeps(), DIGEST_CHANNEL)).toBe('posted');
    const text = textOf(digests()[0]!);
    expect(text).toContain('Deployment frequency:* 0/day · 0/week (0 production merges)');
    expect(text).toContain('Today so far* (00:00 – 11:00): 1 production merge · 0 failed production changes');
    expect(text).toContain(`|#${merged}> merged 1 migration`);
    expect(text).toContain('No chart today: nothing was merged and nothing failed in the last 30 days.');
    expect(h.slack.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    h.slack.assertNoUnexpected();
  });

  it('posts a short "quiet day" digest, without a chart, when nothing happened and nothing waits', async () => {
    clock = new Date('2026-11-30T08:00:00Z');
    await start();
    await EventHistory.on(h.pool).mergedWorkflow('2026-11-20T10:00:00Z');
    expect(await postDailyDigest(digestDeps(), DIGEST_CHANNEL)).toBe('posted');
    const text = textOf(digests()[0]!);
    expect(text).toContain(
      'a quiet day: nothing ran since the last digest, nothing waits at a gate and nothing failed',
    );
    expect(h.slack.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });

  it('lists only the failures since the previous digest', async () => {
    clock = new Date('2026-11-27T08:00:00Z');
    await start();
    const history = EventHistory.on(h.pool);
    const old = await history.workflow({ state: 'failed', rootTs: '1700000000.000400' });
    await history.event(old, 'workflow_failed', '2026-11-27T07:00:00Z');
    await postDailyDigest(digestDeps(), DIGEST_CHANNEL);
    clock = new Date('2026-11-30T08:00:00Z');
    const recent = await history.workflow({ state: 'failed', rootTs: '1700000000.000500' });
    await history.event(recent, 'workflow_failed', '2026-11-28T12:00:00Z');
    await postDailyDigest(digestDeps(), DIGEST_CHANNEL);

    const monday = textOf(digests()[1]!);
    expect(monday).toContain('Failures since the last digest (1)');
    expect(monday).toContain(`|#${recent}> failed`);
    expect(monday).not.toContain(`|#${old}>`);
  });
});
