import { CHANNEL, Harness, REQUESTER, APPROVER, SIGNING_SECRET, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { setTimeout as sleep } from 'node:timers/promises';
import { appHomeOpenedBody, postToSlackEvents } from '../../dev/local-slack/slack-requests';
import { EventHistory } from '../metrics/event-history';

const NOW = new Date('2026-11-30T10:00:00Z');

interface AckJson {
  response_type?: string;
  text?: string;
  blocks?: unknown[];
}

describe('metrics on demand: /infra metrics, the Home tab and GET /metrics', () => {
  let h: Harness;
  let history: EventHistory;
  beforeEach(async () => {
    h = await Harness.start({ worker: false, runtime: { now: () => NOW } });
    history = EventHistory.on(h.pool);
  });
  afterEach(async () => {
    await h.close();
  });

  /** Two merges this week (one rolled back and recovered), one merge the week before. */
  async function someHistory(): Promise<void> {
    await history.mergedWorkflow('2026-11-18T10:00:00Z');
    const rolledBack = await history.mergedWorkflow('2026-11-24T10:00:00Z');
    await history.event(rolledBack, 'workflow_rolled_back', '2026-11-24T11:00:00Z', { after: 'merge' });
    await history.mergedWorkflow('2026-11-24T12:30:00Z');
  }

  it('answers /infra metrics ephemerally with the last 7 days and the change against the 7 before', async () => {
    await someHistory();
    const ack = await h.command('metrics');
    expect(ack.status).toBe(200);
    const json = ack.json as AckJson;
    expect(json.response_type).toBe('ephemeral');
    const text = textOf(json);
    expect(text).toContain('last 7 days');
    expect(text).toContain('23 Nov – 29 Nov');
    expect(text).toContain('Migration success rate:* 100 % (2 of 2 merged)');
    expect(text).toContain('Deployment frequency:* 0.29/day · 2/week (2 production merges) · ▲ 1');
    expect(text).toContain('Mean time to recovery:* 1 h 31 min (1 of 1 recovered) · _new_');
    expect(text).toContain('Branch lifespan:* _no data_ (no branch deleted)');
    expect(text).toContain('Rollback frequency:* 50 % (1 of 2 merges rolled back) · ▲ 50 pts');
    h.slack.assertNoUnexpected();
  });

  it('shows a merge made this morning as today so far, beside the full days that leave it out', async () => {
    await history.mergedWorkflow('2026-11-30T08:15:00Z');
    const text = textOf((await h.command('metrics')).json as AckJson);
    expect(text).toContain('Deployment frequency:* 0/day · 0/week (0 production merges)');
    expect(text).toContain(
      'Today so far* (00:00 – 10:00): 1 production merge · 0 failed production changes · ' +
        '1 migration tried on a branch (1 merged) · 0 rollbacks of production',
    );
  });

  it('answers /infra metrics 30d over 30 days, and says "no data" on an empty history', async () => {
    const text = textOf((await h.command('metrics 30d')).json as AckJson);
    expect(text).toContain('last 30 days');
    expect(text).toContain('Migration success rate:* _no data_ (no migration tried on a branch)');
    expect(text).toContain('Deployment frequency:* 0/day · 0/week (0 production merges)');
    expect(text).toContain('Mean time to recovery:* _no data_ (no failed production change)');
    expect(text).toContain('Rollback frequency:* _no data_ (no production merge)');
  });

  it('answers /infra metrics with another period with the usage, and starts nothing', async () => {
    const json = (await h.command('metrics 90d')).json as AckJson;
    expect(json.response_type).toBe('ephemeral');
    expect(textOf(json)).toContain('`/infra metrics` takes `7d` (the default) or `30d`');
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM workflows');
    expect(rows[0].n).toBe(0);
  });

  it('publishes the Home tab on app_home_opened with the gates waiting for that person, active workflows and metrics', async () => {
    await someHistory();
    const waiting = await history.workflow({
      state: 'waiting_gate',
      rootTs: '1700000000.000100',
      request: 'Add a table for user preferences',
    });
    await history.openGate(waiting, 'branch_test', '2026-11-30T07:00:00Z');
    const body = appHomeOpenedBody({
      eventId: 'EvHOME00001',
      teamId: h.slack.teamId,
      userId: APPROVER,
      botUserId: h.slack.botUserId,
    });
    const answer = await postToSlackEvents(h.url, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/json',
    });
    expect(answer.status).toBe(200);

    const published = await h.slack.waitFor(() => h.slack.published.find((p) => p.user_id === APPROVER), {
      description: 'the Home tab',
    });
    const text = textOf({ blocks: (published.view as { blocks: never[] }).blocks });
    expect(text).toContain('Gates waiting for you (1)');
    expect(text).toContain(`<https://slack.com/archives/${CHANNEL}/p1700000000000100|#${waiting}>`);
    expect(text).toContain('Migration · Branch Test* — waiting 3 h');
    expect(text).toContain('Active workflows (1)');
    expect(text).toContain('Deployment frequency:* 0.29/day · 2/week');
    h.slack.assertNoUnexpected();
  });

  it('shows no gate on the Home tab of someone who may not decide gates', async () => {
    const waiting = await history.workflow({ state: 'waiting_gate' });
    await history.openGate(waiting, 'api_review', '2026-11-30T07:00:00Z');
    const body = appHomeOpenedBody({
      eventId: 'EvHOME00002',
      teamId: h.slack.teamId,
      userId: STRANGER,
      botUserId: h.slack.botUserId,
    });
    await postToSlackEvents(h.url, body, { signingSecret: SIGNING_SECRET, contentType: 'application/json' });
    const published = await h.slack.waitFor(() => h.slack.published.find((p) => p.user_id === STRANGER), {
      description: 'the Home tab',
    });
    const text = textOf({ blocks: (published.view as { blocks: never[] }).blocks });
    expect(text).toContain('Gates waiting for you:* none.');
    expect(text).toContain('Active workflows (1)');
  });

  it('serves GET /metrics in Prometheus format: jobs by state, step durations, gate waits and Slack errors', async () => {
    const wf = await history.workflow({ state: 'waiting_gate' });
    await h.pool.query(
      `INSERT INTO steps (workflow_id, idx, key, agent, title, state, started_at, finished_at)
       VALUES ($1, 1, 'migrate', 'data-migration-specialist', 'Write the migration', 'succeeded', now() - interval '42 seconds', now())`,
      [wf],
    );
    await history.openGate(wf, 'api_review', new Date(Date.now() - 600_000).toISOString());
    await h.pool.query(
      `UPDATE gates SET state = 'approved', decided_at = created_at + interval '90 seconds', decided_by = $1`,
      [APPROVER],
    );
    await h.command('Add a new table for user preferences', REQUESTER);
    h.slack.failNext('chat.postEphemeral', { error: 'channel_not_found' });
    await h.runtime
      .app!.client.chat.postEphemeral({ channel: CHANNEL, user: REQUESTER, text: 'hi' })
      .catch(() => undefined);

    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${h.runtime.port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
    let text = await scrape();
    for (let tries = 0; tries < 100 && !text.includes('infra_jobs{queue="workflow",state="waiting"} 1'); tries++) {
      await sleep(50);
      text = await scrape();
    }
    expect(text).toContain('infra_jobs{queue="workflow",state="waiting"} 1');
    expect(text).toContain('infra_jobs{queue="digest",state="active"} 0');
    expect(text).toContain(
      'infra_step_duration_seconds_bucket{le="60",agent="data-migration-specialist",state="succeeded"} 1',
    );
    expect(text).toContain(
      'infra_step_duration_seconds_bucket{le="30",agent="data-migration-specialist",state="succeeded"} 0',
    );
    expect(text).toContain('infra_gate_wait_seconds_bucket{le="300",kind="api_review",decision="approved"} 1');
    expect(text).toContain('infra_gate_wait_seconds_count{kind="api_review",decision="approved"} 1');
    expect(text).toContain('infra_slack_errors_total{method="chat.postEphemeral",error="channel_not_found"} 1');
    expect(text).toContain('# TYPE infra_anthropic_errors_total counter');
  });
});
